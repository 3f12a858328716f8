"""The one job function: judge a claimed submission and store what it gives.

Both executors run it: the web app's in-process judging threads (the sink is the database) and
a remote judge host (the sink is the web app's internal API). Only the attempt that claimed a
submission can store a case or the result (every sink call carries the attempt), so a job that
runs twice, after a redelivery or a restart, never stores a second, different result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from judgekit.judge.learner_view import learner_case, learner_report
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem

if TYPE_CHECKING:
    from judgekit.judge.prewarmed import PrewarmedSandboxes

log = logging.getLogger("judgekit.judge")

MAX_ATTEMPTS = 3
"""Attempts per submission: one interrupted (a restart, a judge host that died) or ended in a
JE (a judge error is never the learner's fault, and engine trouble passes) is judged again, up
to this many times in all."""


class Judge(Protocol):
    """What a job calls: judgekit.judge.judging.judge_submission, or a test double."""

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


class ResultSink(Protocol):
    """Where a job's results go, as the learner may see them; each call is refused (False)
    unless ATTEMPT still holds the submission."""

    def add_case(self, submission_id: int, attempt: int, case: CaseResult) -> bool: ...

    def finish(self, submission_id: int, attempt: int, result: JudgeReport) -> bool: ...

    def retry_later(self, submission_id: int, attempt: int, delay_s: float) -> None:
        """Judge the submission again after DELAY_S seconds (after a judge error)."""


@dataclass(frozen=True)
class ClaimedJob:
    """A submission that one attempt holds: judge FILE on DEVICE."""

    submission_id: int
    attempt: int
    device: Device
    file: Path


@dataclass(frozen=True)
class JobOutcome:
    verdict: str
    stored: bool
    retried: bool
    seconds: float


def judge_error(device: str, message: str) -> JudgeReport:
    return JudgeReport(verdict=Verdict.JE, message=message, device=device, image="")


def run_job(
    job: ClaimedJob,
    *,
    problem: Problem,
    judge: Judge,
    sink: ResultSink,
    retry_delay_s: float,
) -> JobOutcome:
    """Judge JOB, store its live cases and its result through SINK (as the learner may see
    them), or ask for another attempt after a judge error while attempts are left."""
    started = time.monotonic()
    hidden = problem.hidden_groups
    if job.attempt > MAX_ATTEMPTS:
        result = judge_error(
            job.device.value,
            f"judging was interrupted or failed {MAX_ATTEMPTS} times; not retried",
        )
        stored = sink.finish(job.submission_id, job.attempt, result)
        return JobOutcome(Verdict.JE.value, stored, False, time.monotonic() - started)

    def on_case(case: CaseResult) -> None:
        try:
            sink.add_case(job.submission_id, job.attempt, learner_case(case, hidden))
        except Exception:  # live progress is best effort; the result is what counts
            log.exception("submission %d: cannot record a live case result", job.submission_id)

    groups = tuple(group.name for group in problem.test_groups)
    try:
        report = judge(problem, job.file, device=job.device, groups=groups, on_case=on_case)
        result = learner_report(report, hidden)
    except Exception as error:
        log.exception("submission %d: the judge failed", job.submission_id)
        result = judge_error(job.device.value, f"the judge failed: {type(error).__name__}")
    verdict = result.verdict.value
    if result.verdict is Verdict.JE and job.attempt < MAX_ATTEMPTS:
        delay = retry_delay_s * job.attempt
        log.warning(
            "submission %d: judge error on attempt %d (%s); judging again in %.0f s",
            job.submission_id,
            job.attempt,
            result.message,
            delay,
        )
        sink.retry_later(job.submission_id, job.attempt, delay)
        return JobOutcome(verdict, False, True, time.monotonic() - started)
    stored = sink.finish(job.submission_id, job.attempt, result)
    seconds = time.monotonic() - started
    log.info(
        "submission %d: %s in %.1f s%s",
        job.submission_id,
        verdict,
        seconds,
        "" if stored else " (stale attempt, result dropped)",
    )
    return JobOutcome(verdict, stored, False, seconds)
