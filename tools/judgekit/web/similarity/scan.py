"""The background similarity scan of the web process: a thread, started and stopped with the
app, that picks the finished submissions to compare (web.db.similarity: each learner's
latest few, compile errors last) and hands them, one at a time, to a child process
(web.similarity.child) that fingerprints them and stores the fingerprints and the similar
pairs in the database. This process only waits on a pipe: no fingerprint, no source file and
no comparison is ever in its memory or under its GIL, and the pages only read stored pairs.

The child runs with an address-space limit and a low CPU priority; it is started when there is
work, and started again after it dies or overruns its time (that submission is then marked
failed, so one bad file is never retried for ever).
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import subprocess
import sys
import threading
import time
from contextlib import suppress
from typing import Any

from judgekit.periodic import Periodic
from judgekit.web.db.database import Database
from judgekit.web.db.similarity import Outcome
from judgekit.web.settings import Settings
from judgekit.web.similarity.child import ChildConfig

log = logging.getLogger("judgekit.web")
START_TIMEOUT_S = 60.0
"""How long the child may take to import, open the database and say it is ready."""
_ENDED, _TIMED_OUT = "ended", "timed out"
_ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class ChildUnavailable(Exception):
    """The child process could not be started (its error is in the server's log)."""


class SimilarityChild:
    """The scan's child process, started on demand; `scan` feeds it one submission."""

    def __init__(self, config: ChildConfig, timeout_s: float) -> None:
        self.config = config
        self.timeout_s = timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._closed = False
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def scan(self, submission_id: int) -> Outcome:
        """Have the child scan SUBMISSION_ID; 'failed' when it failed on it, overran the timeout
        or died twice on it (it is then started again for the next one). A child found dead
        (since its last answer) is replaced once without counting against the submission."""
        for attempt in (1, 2):
            process = self._running()
            assert process.stdin is not None
            try:
                process.stdin.write(f"{submission_id}\n".encode())
                process.stdin.flush()
            except OSError:
                self._discard()
                continue
            answer = self._answer(time.monotonic() + self.timeout_s)
            if isinstance(answer, dict) and answer.get("id") == submission_id:
                return "compared" if answer.get("outcome") == "compared" else "failed"
            self._discard()
            if self._closed:
                raise ChildUnavailable("the similarity scan is stopping")
            if answer == _TIMED_OUT:
                log.warning(
                    "similarity child: no answer for submission %d within %.0f s; restarted",
                    submission_id,
                    self.timeout_s,
                )
                return "failed"
            log.warning("similarity child ended on submission %d (try %d)", submission_id, attempt)
        return "failed"

    def stop(self) -> None:
        """End the child for good: close its input (it exits between submissions), else kill
        it (the scan thread waiting on it then reads its end of file)."""
        with self._lock:
            self._closed = True
            process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            with suppress(OSError):
                process.stdin.close()
        try:
            process.wait(2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def _running(self) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._closed:
                raise ChildUnavailable("the similarity scan is stopping")
            process = self._process
        if process is not None and process.poll() is None:
            return process
        self._discard()
        process = subprocess.Popen(
            [sys.executable, "-m", "judgekit.web.similarity.child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, **_ONE_THREAD},
            start_new_session=True,  # a Ctrl-C of the server is not its; stdin's end is
        )
        assert process.stdin is not None
        with self._lock:
            if self._closed:
                process.kill()
                process.wait(10)
                raise ChildUnavailable("the similarity scan is stopping")
            self._process, self._buffer = process, b""
        try:
            process.stdin.write((self.config.to_json() + "\n").encode())
            process.stdin.flush()
        except OSError:
            pass  # it died at once: no ready line, below
        ready = self._answer(time.monotonic() + START_TIMEOUT_S)
        if not isinstance(ready, dict) or ready.get("ready") is not True:
            self._discard()
            raise ChildUnavailable("the similarity child did not start; see the log above")
        return process

    def _discard(self) -> None:
        with self._lock:
            process, self._process = self._process, None
        if process is None:
            return
        process.kill()
        process.wait(10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with suppress(OSError):
                    stream.close()

    def _answer(self, deadline: float) -> dict[str, Any] | str:
        """The child's next answer line; _ENDED when it ends (or says something unreadable),
        _TIMED_OUT when DEADLINE passes first."""
        process = self._process
        if process is None or process.stdout is None:
            return _ENDED
        fd = process.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    return _TIMED_OUT
                if not selector.select(min(left, 1.0)):
                    continue  # a child that died is readable: its end of file, below
                chunk = os.read(fd, 65536)
                if not chunk:
                    return _ENDED
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            answer = json.loads(line)
        except ValueError:
            return _ENDED
        return answer if isinstance(answer, dict) else _ENDED


class SimilarityScan:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self._periodic = Periodic(
            "judgekit-similarity", settings.similarity_poll_s, self._step, self._failed
        )
        limits = settings.similarity
        self.child = SimilarityChild(
            ChildConfig(
                database_url=settings.db_url,
                uploads_dir=str(settings.uploads_dir.resolve()),
                statement=str((settings.problem.root / "statement.md").resolve()),
                threshold=settings.similarity_threshold,
                max_bytes=limits.max_bytes,
                memory_mib=limits.memory_mib,
                pairs_per_submission=limits.pairs_per_submission,
            ),
            limits.timeout_s,
        )

    def start(self) -> None:
        self._periodic.start()

    def notify(self) -> None:
        self._periodic.notify()

    def stop(self, timeout: float = 10.0) -> None:
        self._periodic.ask_to_stop()
        self.child.stop()  # ends a scan in progress: the child is waited on
        self._periodic.join(timeout)

    def _step(self) -> bool:
        return self.scan_once() > 0  # some were scanned: there may be more at once

    def _failed(self, error: Exception) -> None:
        if isinstance(error, ChildUnavailable):
            if not self._periodic.stopping:
                log.warning("similarity scan: %s", error)
        else:  # back off, try again later
            log.error("similarity scan failed", exc_info=error)

    def scan_once(self, batch: int = 4) -> int:
        """Have the child compare up to BATCH submissions; how many were handed to it. A small
        batch: the per-learner limit is applied again before each one."""
        pending = self.db.similarity_work(self.settings.similarity.latest_per_user, batch)
        for submission_id in pending:
            if self._periodic.stopping:
                break
            outcome = self.child.scan(submission_id)
            if outcome == "failed" and not self._periodic.stopping:
                self.db.mark_similarity(submission_id, "failed")
        return len(pending)
