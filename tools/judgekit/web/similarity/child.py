"""The similarity scan's child process, `python -m judgekit.web.similarity.child`: started and
fed by web.similarity.scan, so that fingerprinting never holds the web process's GIL nor
grows its memory.

It reads its `ChildConfig` as one JSON line on stdin, limits itself (RLIMIT_AS, nice), opens
the database and answers `{"ready": true}`; then for each submission id on stdin, one a line,
it fingerprints the first `max_bytes` of the file, keeps that as the learner's latest
fingerprint, scores it against every other learner's latest (read from the database a batch
at a time), computes the matched regions of the pairs at or above the threshold (the most
similar `pairs_per_submission`), stores them and answers `{"id": N, "outcome": "compared"}` or
`"failed"`. Answers go to the stdout it started with; anything else printed goes to stderr
(the server's log). It exits at the end of stdin (the web process stopped or died), and after
running out of memory (the web process starts a fresh one).
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from judgekit.web.db.database import Database, Submission
from judgekit.web.similarity.measure import (
    Analysis,
    Fingerprint,
    analyse,
    boilerplate,
    compare,
    given_code,
    score,
)

NICENESS = 10
"""The child's CPU priority below the web process's (nice 0): pages first."""
BATCH = 16
"""Other learners' fingerprints read from the database at a time."""
log = logging.getLogger("judgekit.web.similarity")


@dataclass(frozen=True)
class ChildConfig:
    database_url: str
    uploads_dir: str
    statement: str
    threshold: float
    max_bytes: int
    memory_mib: int
    pairs_per_submission: int

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, line: str) -> ChildConfig:
        return cls(**json.loads(line))


def limit_this_process(memory_mib: int) -> None:
    """Cap the address space at MEMORY_MIB (an allocation beyond is a MemoryError) and lower
    the CPU priority."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = memory_mib * 2**20
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    os.nice(NICENESS)


class Scanner:
    """Scans one submission at a time against the stored fingerprints."""

    def __init__(self, config: ChildConfig, db: Database) -> None:
        self.config = config
        self.db = db
        try:
            statement = Path(config.statement).read_text(encoding="utf-8")
        except OSError:
            statement = ""
        self.given = boilerplate(given_code(statement))

    def _source(self, submission: Submission) -> str:
        try:
            with (Path(self.config.uploads_dir) / submission.stored_name).open("rb") as file:
                data = file.read(self.config.max_bytes)
        except OSError:
            data = b""
        return data.decode("utf-8", errors="replace")

    def _analysis(self, submission: Submission) -> Analysis:
        return analyse(self._source(submission), self.given)

    def _flagged(self, mine: Fingerprint, user_id: int) -> list[tuple[float, int]]:
        """(score, submission id) of the other learners' latest at or above the threshold."""
        found: list[tuple[float, int]] = []
        after = 0
        while True:
            batch = self.db.fingerprints_of_others(user_id, after, BATCH)
            for other_id, data in batch:
                try:
                    result = score(mine, Fingerprint.from_bytes(data))
                except ValueError:
                    log.warning("submission %d: its stored fingerprint is unreadable", other_id)
                    continue
                if result >= self.config.threshold:
                    found.append((result, other_id))
            if len(batch) < BATCH:
                return sorted(found, reverse=True)[: self.config.pairs_per_submission]
            after = batch[-1][0]

    def scan(self, submission_id: int) -> int:
        """Fingerprint, store and compare SUBMISSION_ID; how many similar pairs it has."""
        submission = self.db.submission(submission_id)
        if submission is None:
            return 0
        mine = self._analysis(submission)
        self.db.store_fingerprint(
            submission.id, submission.user_id, mine.fingerprint.to_bytes(), submission.size
        )
        pairs = []
        for _score, other_id in self._flagged(mine.fingerprint, submission.user_id):
            other = self.db.submission(other_id)
            if other is None:
                continue
            first, second = (mine, self._analysis(other))
            if other.id < submission.id:
                first, second = second, first
            result = compare(first, second)
            if result.score >= self.config.threshold:
                low, high = sorted((submission.id, other.id))
                regions = (json.dumps(result.first), json.dumps(result.second))
                pairs.append((low, high, result.score, *regions))
        self.db.record_similarity(submission.id, pairs)
        return len(pairs)


def _answer(stream: IO[str], message: dict[str, Any]) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


def main() -> int:
    config = ChildConfig.from_json(sys.stdin.readline())
    limit_this_process(config.memory_mib)
    logging.basicConfig(
        level=logging.WARNING, format="judgekit similarity child: %(levelname)s %(message)s"
    )
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    db = Database(config.database_url)
    scanner = Scanner(config, db)
    _answer(answers, {"ready": True})
    try:
        for line in sys.stdin:
            submission_id = int(line)
            try:
                pairs = scanner.scan(submission_id)
            except MemoryError:
                log.error("submission %d: over %d MiB", submission_id, config.memory_mib)
                _answer(answers, {"id": submission_id, "outcome": "failed"})
                return 3
            except Exception:
                log.exception("submission %d: the similarity scan failed", submission_id)
                _answer(answers, {"id": submission_id, "outcome": "failed"})
                continue
            _answer(answers, {"id": submission_id, "outcome": "compared", "pairs": pairs})
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
