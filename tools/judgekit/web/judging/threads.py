"""In-process judging threads: threads that take queued submissions from the database.

The queue *is* the submissions table, so nothing lives only in memory: a server killed at any
moment restarts with every accepted submission still queued or running; `start()` re-queues
the running ones, and judging a file again gives the same result (the judge is deterministic).
Each claimed submission goes through judgehost.job.run_job, the job function remote judge
hosts run too; only the attempt that claimed a row can store its result (Database.finish).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass

from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judgehost.job import ClaimedJob, Judge, run_job
from judgekit.package.problem import Device
from judgekit.periodic import Periodic
from judgekit.web.db.database import Database, Submission
from judgekit.web.judging.executor import JudgingSlot
from judgekit.web.settings import Settings

log = logging.getLogger("judgekit.web")

IDLE_POLL_S = 1.0
"""How often an idle judging thread looks for a queued submission (a new one wakes it at once)."""


def _cannot_claim(error: Exception) -> None:
    """Database trouble: logged, then the thread tries again after IDLE_POLL_S."""
    log.error("cannot claim a submission", exc_info=error)


class DatabaseSink:
    """The job's results go straight into the database (judgehost.job.ResultSink)."""

    def __init__(self, db: Database, stopping: threading.Event) -> None:
        self.db = db
        self._stopping = stopping

    def add_case(self, submission_id: int, attempt: int, case: CaseResult) -> bool:
        return self.db.add_case_result(submission_id, attempt, case)

    def finish(self, submission_id: int, attempt: int, result: JudgeReport) -> bool:
        return self.db.finish(submission_id, attempt, result)

    def retry_later(self, submission_id: int, attempt: int, delay_s: float) -> None:
        """Back off, then queue the submission again; a restart meanwhile re-queues it anyway."""
        if not self._stopping.wait(delay_s):
            self.db.retry(submission_id, attempt)


@dataclass
class ThreadState:
    name: str
    submission_id: int | None = None
    since: float | None = None


class JudgingThreads:
    def __init__(self, settings: Settings, db: Database, judge: Judge) -> None:
        self.settings = settings
        self.db = db
        self.judge = judge
        self._stopping = threading.Event()  # also ends a retry's back-off (DatabaseSink)
        self._threads: list[Periodic] = []
        self.states: list[ThreadState] = []
        self._sink = DatabaseSink(db, self._stopping)

    def start(self) -> int:
        """Re-queue what a killed server left running, then start the judging threads."""
        requeued = self.db.requeue_interrupted()
        if requeued:
            log.warning("re-queued %d submission(s) interrupted by a restart", requeued)
        for index in range(self.settings.judging_threads):
            state = ThreadState(name=f"thread-{index + 1}")
            thread = Periodic(
                f"judgekit-{state.name}",
                IDLE_POLL_S,
                functools.partial(self._judge_next, state),
                _cannot_claim,
            )
            self.states.append(state)
            self._threads.append(thread)
            thread.start()
        return requeued

    def judging_slots(self) -> list[JudgingSlot]:
        return [
            JudgingSlot(state.name, None, state.submission_id, state.since) for state in self.states
        ]

    def queue_depths(self) -> dict[str, int]:
        return {"in-process": len(self.db.queued_submissions())}

    def slots(self, device: str) -> int:
        """Every judging thread judges any device the server offers."""
        return self.settings.judging_threads

    def notify(self) -> None:
        for thread in self._threads:
            thread.notify()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.ask_to_stop()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _judge_next(self, state: ThreadState) -> bool:
        """Claim and judge the oldest queued submission; False when none is queued."""
        submission = self.db.claim_next()
        if submission is None:
            return False
        state.submission_id, state.since = submission.id, time.time()
        try:
            self._judge(submission)
        except Exception:  # pragma: no cover - must never kill the thread
            log.exception("submission %d: cannot store the result", submission.id)
        finally:
            state.submission_id = state.since = None
        return True

    def _judge(self, submission: Submission) -> None:
        job = ClaimedJob(
            submission_id=submission.id,
            attempt=submission.attempts,
            device=Device(submission.device),
            file=self.settings.uploads_dir / submission.stored_name,
        )
        run_job(
            job,
            problem=self.settings.problem,
            judge=self.judge,
            sink=self._sink,
            retry_delay_s=self.settings.judge_error_retry_s,
        )
