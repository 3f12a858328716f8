"""In-process judging workers: threads that take queued submissions from the database.

The queue *is* the submissions table, so nothing lives only in memory: a server killed at any
moment restarts with every accepted submission still queued or running; `start()` re-queues
the running ones, and judging a file again gives the same result (the judge is deterministic).
Only the attempt that claimed a row can store its result (see Database.finish).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from judgekit.judge.learner_view import learner_case, learner_report
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem
from judgekit.web.db import Database, Submission
from judgekit.web.settings import Settings

if TYPE_CHECKING:
    from judgekit.judge.prewarmed import PrewarmedSandboxes

log = logging.getLogger("judgekit.web")

MAX_ATTEMPTS = 3
"""Attempts per submission: one interrupted by a restart, or ended in a JE (a judge error is
never the learner's fault, and engine trouble passes), is judged again up to this many times."""
IDLE_POLL_S = 1.0


class Judge(Protocol):
    """What the workers call: judgekit.judge.judging.judge_submission, or a test double."""

    def __call__(
        self,
        problem: Problem,
        submission: Path,
        *,
        device: Device,
        groups: Sequence[str],
        on_case: Callable[[CaseResult], None] | None = None,
    ) -> JudgeReport: ...


def real_judge(sandboxes: PrewarmedSandboxes | None = None) -> Judge:
    """The sandboxed Docker judge of `judgekit run`, through SANDBOXES' prewarmed containers
    where given."""
    from judgekit.judge.judging import judge_submission

    def judge(
        problem: Problem,
        submission: Path,
        *,
        device: Device,
        groups: Sequence[str],
        on_case: Callable[[CaseResult], None] | None = None,
    ) -> JudgeReport:
        sandbox = sandboxes.for_device(device) if sandboxes is not None else None
        report: JudgeReport = judge_submission(
            problem, submission, device=device, groups=groups, on_case=on_case, sandbox=sandbox
        )
        return report

    return judge


def judge_error(device: str, message: str) -> dict[str, Any]:
    return JudgeReport(verdict=Verdict.JE, message=message, device=device, image="").to_json()


@dataclass
class WorkerState:
    name: str
    submission_id: int | None = None
    since: float | None = None


class WorkerPool:
    def __init__(self, settings: Settings, db: Database, judge: Judge) -> None:
        self.settings = settings
        self.db = db
        self.judge = judge
        self._wake = threading.Condition()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.states: list[WorkerState] = []
        self._hidden = settings.problem.hidden_groups

    def start(self) -> int:
        """Re-queue what a killed server left running, then start the worker threads."""
        requeued = self.db.requeue_interrupted()
        if requeued:
            log.warning("re-queued %d submission(s) interrupted by a restart", requeued)
        for index in range(self.settings.workers):
            state = WorkerState(name=f"worker-{index + 1}")
            thread = threading.Thread(
                target=self._loop, args=(state,), name=f"judgekit-{state.name}", daemon=True
            )
            self.states.append(state)
            self._threads.append(thread)
            thread.start()
        return requeued

    def notify(self) -> None:
        with self._wake:
            self._wake.notify_all()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self.notify()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _loop(self, state: WorkerState) -> None:
        while not self._stopping.is_set():
            try:
                submission = self.db.claim_next()
            except Exception:  # pragma: no cover - database trouble: log, back off, retry
                log.exception("cannot claim a submission")
                time.sleep(IDLE_POLL_S)
                continue
            if submission is None:
                with self._wake:
                    self._wake.wait(IDLE_POLL_S)
                continue
            state.submission_id, state.since = submission.id, time.time()
            try:
                self._judge(submission)
            except Exception:  # pragma: no cover - must never kill the worker
                log.exception("submission %d: cannot store the result", submission.id)
            finally:
                state.submission_id = state.since = None

    def _judge(self, submission: Submission) -> None:
        attempt = submission.attempts
        if attempt > MAX_ATTEMPTS:
            result = judge_error(
                submission.device,
                f"judging was interrupted or failed {MAX_ATTEMPTS} times; not retried",
            )
            self.db.finish(submission.id, attempt, result)
            return

        def on_case(case: CaseResult) -> None:
            try:
                self.db.add_case_result(
                    submission.id, attempt, learner_case(case.to_json(), self._hidden)
                )
            except Exception:  # pragma: no cover - live progress is best effort
                log.exception("submission %d: cannot record a live case result", submission.id)

        path = self.settings.uploads_dir / submission.stored_name
        started = time.monotonic()
        try:
            report = self.judge(
                self.settings.problem,
                path,
                device=Device(submission.device),
                groups=self.settings.groups,
                on_case=on_case,
            )
            result = learner_report(report.to_json(), self._hidden)
        except Exception as error:
            log.exception("submission %d: the judge failed", submission.id)
            result = judge_error(submission.device, f"the judge failed: {type(error).__name__}")
        if result.get("verdict") == Verdict.JE.value and attempt < MAX_ATTEMPTS:
            self._retry_later(submission.id, attempt, str(result.get("message", "")))
            return
        stored = self.db.finish(submission.id, attempt, result)
        log.info(
            "submission %d: %s in %.1f s%s",
            submission.id,
            result.get("verdict"),
            time.monotonic() - started,
            "" if stored else " (stale attempt, result dropped)",
        )

    def _retry_later(self, submission_id: int, attempt: int, message: str) -> None:
        """Back off, then queue the submission again; a restart meanwhile re-queues it anyway."""
        delay = self.settings.judge_error_retry_s * attempt
        log.warning(
            "submission %d: judge error on attempt %d (%s); judging again in %.0f s",
            submission_id,
            attempt,
            message,
            delay,
        )
        if self._stopping.wait(delay):
            return
        self.db.retry(submission_id, attempt)
