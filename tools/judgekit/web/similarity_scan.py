"""The background similarity scan of the web process: a thread, started and stopped with the
app, that compares each newly finished submission with every other user's latest finished
one and stores the pairs above the threshold. Never on a request's critical path: the pages
only read the stored pairs."""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict

import numpy as np
from copydetect import CodeFingerprint

from judgekit.web.db import Database, Submission
from judgekit.web.settings import Settings
from judgekit.web.similarity import boilerplate, compare, fingerprint, given_code

log = logging.getLogger("judgekit.web")
CACHED_FINGERPRINTS = 4096


class SimilarityScan:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._given: np.ndarray | None = None
        self._prints: OrderedDict[int, CodeFingerprint] = OrderedDict()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="judgekit-similarity", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                while self.scan_once() and not self._stopping.is_set():
                    pass
            except Exception:  # pragma: no cover - log, back off, try again later
                log.exception("similarity scan failed")
            self._wake.wait(self.settings.similarity_poll_s)
            self._wake.clear()

    def scan_once(self, batch: int = 20) -> int:
        """Compare up to BATCH unchecked submissions; how many were checked."""
        pending = self.db.unchecked_for_similarity(batch)
        for submission in pending:
            if self._stopping.is_set():
                break
            self._check(submission)
        return len(pending)

    def _given_hashes(self) -> np.ndarray:
        if self._given is None:
            path = self.settings.problem.root / "statement.md"
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                text = ""
            self._given = boilerplate(given_code(text))
        return self._given

    def _fingerprint(self, submission: Submission) -> CodeFingerprint:
        cached = self._prints.get(submission.id)
        if cached is None:
            path = self.settings.uploads_dir / submission.stored_name
            try:
                source = path.read_bytes().decode("utf-8", errors="replace")
            except OSError:
                source = ""
            cached = self._prints[submission.id] = fingerprint(source, self._given_hashes())
            if len(self._prints) > CACHED_FINGERPRINTS:
                self._prints.popitem(last=False)
        else:
            self._prints.move_to_end(submission.id)
        return cached

    def _check(self, submission: Submission) -> None:
        mine = self._fingerprint(submission)
        pairs = []
        for other in self.db.latest_of_other_users(submission):
            result = compare(mine, self._fingerprint(other))
            if result.score < self.settings.similarity_threshold:
                continue
            first, second = (submission, other) if submission.id < other.id else (other, submission)
            regions = (
                (result.first, result.second)
                if first is submission
                else (
                    result.second,
                    result.first,
                )
            )
            pairs.append(
                (first.id, second.id, result.score, json.dumps(regions[0]), json.dumps(regions[1]))
            )
        self.db.record_similarity(submission.id, pairs)
