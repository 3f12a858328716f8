"""Judging one submission: host-side checks, one sandboxed run, the checker, the verdicts.

`judge_submission` (the test groups) is what `judgekit verify` and the web judge calls;
`judge_cases` (any cases) is what fuzzing calls. Neither keeps state between calls; both may
be called from several threads at once. A run the host starved of CPU (`needs_rerun`) is run
again, up to `RERUNS` times after a back-off, and only then reported as a judge error.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import docker.errors

from judgekit.errors import JudgekitError
from judgekit.judge.learner_view import case_message, hidden_case_id, is_public, overall_message
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.rules import (
    CaseFacts,
    Clock,
    Decision,
    Kill,
    RunEnd,
    RunFacts,
    RunShowed,
    decide_case,
    needs_rerun,
    overall,
    run_facts,
)
from judgekit.judge.tracebacks import learner_traceback
from judgekit.judge.verdict import Verdict
from judgekit.package.checker import Checker, Returned, problem_checker
from judgekit.package.problem import Device, Problem
from judgekit.package.testcase import TestCase, input_text, load_cases
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.frames import CaseAnswer, CaseError, LoadError, Ready, Result
from judgekit.sandbox.outcome import Job, JobRunner, RunOutcome, TimedFrame

OnCase = Callable[[CaseResult], None]
log = logging.getLogger(__name__)
# A run the host starved is judged again this many times, after these pauses (seconds).
RERUN_BACKOFF_S = (5.0, 20.0)
RERUNS = len(RERUN_BACKOFF_S)


@dataclass(frozen=True)
class SourceProblem:
    """Why a file cannot be run at all (a CE found on the host, without running anything)."""

    message: str


def check_source(problem: Problem, data: bytes) -> SourceProblem | None:
    """Size, emptiness, encoding and syntax, checked without executing the file."""
    limit = problem.limits.submission_bytes
    if len(data) > limit:
        return SourceProblem(f"the file is {len(data)} bytes, over the {limit}-byte limit")
    if not data.strip():
        return SourceProblem("the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return SourceProblem(f"the file is not UTF-8 text (byte {error.start})")
    try:
        compile(text, "submission.py", "exec", dont_inherit=True)
    except SyntaxError as error:
        where = f"line {error.lineno}" if error.lineno else "the file"
        return SourceProblem(f"syntax error at {where}: {error.msg}")
    except Exception as error:  # NUL bytes, and nesting deep enough to exhaust the compiler
        return SourceProblem(f"the file cannot be compiled: {type(error).__name__}: {error}")
    return None


def _run_showed(outcome: RunOutcome) -> RunShowed:
    load_error = next((t.frame for t in outcome.frames if isinstance(t.frame, LoadError)), None)
    ready = next((t.frame for t in outcome.frames if isinstance(t.frame, Ready)), None)
    return RunShowed(
        killed_for=Kill(outcome.killed_for.value) if outcome.killed_for else None,
        oom_killed=outcome.oom_killed,
        exit_code=outcome.exit_code,
        protocol_error=outcome.protocol_error,
        judge_error=outcome.judge_error,
        platform=ready.platform if ready is not None else None,
        load_error=(
            learner_traceback(f"{load_error.error}\n{load_error.traceback}") if load_error else None
        ),
        clock=Clock(outcome.limit_clock.value) if outcome.limit_clock else None,
        starved_ms=outcome.starved_ms,
    )


class _CaseJudge:
    """Turns frames into case results as they arrive, and the rest at the end."""

    def __init__(
        self,
        problem: Problem,
        cases: Sequence[TestCase],
        checker: Checker,
        on_case: OnCase | None,
    ) -> None:
        self.problem = problem
        self.cases = cases
        self.checker = checker
        self.on_case = on_case
        self.facts: dict[int, tuple[CaseFacts, TimedFrame, Sequence[float] | None]] = {}
        self.public = [is_public(case.group, problem.hidden_groups) for case in cases]
        self.shown_ids = _shown_ids(cases, self.public)
        self.emitted: dict[int, Decision] = {}

    def restart(self) -> None:
        """A new run begins: forget the last one's cases (those already shown stay shown)."""
        self.facts.clear()

    def _check(self, case: TestCase, frame: Result) -> CaseFacts:
        assert case.answer is not None
        # Values are None only for results too large to send (over 1024 values): their shape
        # is wrong, and the checker says so before it looks at any value.
        result = self.checker.check(Returned(frame.shape, frame.values or ()), case.answer)
        return CaseFacts(returned=True, accepted=result.accepted, check_message=result.message)

    def on_frame(self, timed: TimedFrame) -> None:
        frame = timed.frame
        # The sandbox delivers each case once, in order (FrameOrder): no checks needed here.
        if isinstance(frame, CaseAnswer):
            index = frame.case
            got: tuple[float, ...] | None = None
            if isinstance(frame, Result):
                facts = self._check(self.cases[index], frame)
                got = frame.values
            elif isinstance(frame, CaseError):
                facts = CaseFacts(raised=learner_traceback(f"{frame.error}\n{frame.traceback}"))
            else:
                facts = CaseFacts(bad_result=frame.reason)
            self.facts[index] = (facts, timed, got)
            self._emit(index, decide_case(_RUNNING, facts, first_unanswered=False))

    def _emit(self, index: int, decision: Decision) -> CaseResult:
        case = self.cases[index]
        facts = self.facts.get(index)
        public = self.public[index]
        result = CaseResult(
            id=self.shown_ids[index],
            group=case.group,
            verdict=decision.verdict,
            time_ms=facts[1].elapsed_ms if facts else None,
            cpu_ms=facts[1].cpu_ms if facts else None,
            message=case_message(decision.verdict, decision.message, public=public),
            public=public,
            input=dict(case.input),
            expected=list(case.answer) if case.answer is not None else None,
            got=list(facts[2]) if facts and facts[2] is not None else None,
        )
        if self.emitted.get(index) != decision:
            self.emitted[index] = decision
            if self.on_case is not None:
                self.on_case(result)
        return result

    def finish(self, run: RunFacts) -> list[CaseResult]:
        results = []
        first_unanswered = True
        for index in range(len(self.cases)):
            facts = self.facts[index][0] if index in self.facts else CaseFacts()
            decision = decide_case(run, facts, first_unanswered=first_unanswered)
            if not facts.answered:
                first_unanswered = False
            results.append(self._emit(index, decision))
        return results


_RUNNING = RunFacts(end=RunEnd.FINISHED)


def judge_cases(
    problem: Problem,
    submission: Path,
    cases: Sequence[TestCase],
    *,
    device: Device,
    on_case: OnCase | None = None,
    sandbox: JobRunner | None = None,
) -> JudgeReport:
    """Judge SUBMISSION on CASES (each with its answer) in one sandboxed run."""
    data = submission.read_bytes()
    source_problem = check_source(problem, data)
    if source_problem is not None:
        return JudgeReport(
            verdict=Verdict.CE,
            message=f"compile error: {source_problem.message}",
            device=device.value,
            image="",
        )
    try:
        sandbox = sandbox or Sandbox(problem.root)
        image = sandbox.image(device)
    except (JudgekitError, docker.errors.DockerException) as error:
        return JudgeReport(Verdict.JE, f"judge error: {error}", device.value, "")
    # Public cases run first: a case's input reaches the sandbox only when its turn comes, so
    # nothing a public case reports (its messages, its output) can quote a hidden input.
    cases = sorted(cases, key=lambda case: not is_public(case.group, problem.hidden_groups))
    judge = _CaseJudge(problem, cases, problem_checker(problem), on_case)
    job = Job(
        submission=submission,
        # As stored: what the learner's function gets is built from this in the sandbox.
        inputs=[json.loads(input_text(case.input)) for case in cases],
        function=problem.entry_point.function,
        parameters=problem.entry_point.runner_parameters(),
        limits=problem.limits,
        device=device,
        image=image,
        output_shape=problem.output.shape,
    )
    outcome, reruns = _run_until_not_starved(sandbox, job, judge)
    run = run_facts(_run_showed(outcome), problem.limits, device)
    results = judge.finish(run)
    verdict = overall([Decision(r.verdict, r.message) for r in results])
    ready = next((t.frame for t in outcome.frames if isinstance(t.frame, Ready)), None)
    message = verdict.message
    if verdict.verdict is not Verdict.AC:
        first = next(r for r in results if r.verdict is verdict.verdict)
        message = overall_message(verdict.verdict, first.id, first.message, public=first.public)
    return JudgeReport(
        verdict=verdict.verdict,
        message=message,
        device=device.value,
        image=image,
        cases=tuple(results),
        platform=ready.platform if ready else None,
        time_ms=outcome.wall_ms,
        cpu_ms=outcome.cpu_ms,
        reruns=reruns,
        prewarmed=outcome.prewarmed,
        stderr=outcome.stderr or None,
    )


def _run_until_not_starved(
    sandbox: JobRunner, job: Job, judge: _CaseJudge
) -> tuple[RunOutcome, int]:
    """Run JOB; again after a back-off while the host starved it, RERUNS times at most.
    The last outcome and how many re-runs it took."""
    reruns = 0
    while True:
        judge.restart()
        outcome = sandbox.run(job, on_frame=judge.on_frame)
        if reruns == RERUNS or not needs_rerun(_run_showed(outcome)):
            return outcome, reruns
        log.warning(
            "the host starved a run of %s (%d ms of %d ms); judging it again in %g s",
            job.submission.name,
            outcome.starved_ms,
            outcome.wall_ms,
            RERUN_BACKOFF_S[reruns],
        )
        time.sleep(RERUN_BACKOFF_S[reruns])
        reruns += 1


def judge_submission(
    problem: Problem,
    submission: Path,
    *,
    device: Device = Device.CPU,
    groups: Sequence[str] | None = None,
    on_case: OnCase | None = None,
    sandbox: JobRunner | None = None,
) -> JudgeReport:
    """Judge SUBMISSION on the problem's test groups (all by default)."""
    cases = load_cases(problem.testcases_dir, groups or problem.group_names)
    return judge_cases(problem, submission, cases, device=device, on_case=on_case, sandbox=sandbox)


def _shown_ids(cases: Sequence[TestCase], public: Sequence[bool]) -> list[str]:
    """Each case's id as reported: a public case's own, a hidden one's place in its group."""
    counted: dict[str, int] = {}
    shown = []
    for case, shows_data in zip(cases, public, strict=True):
        counted[case.group] = counted.get(case.group, 0) + 1
        shown.append(case.id if shows_data else hidden_case_id(case.group, counted[case.group]))
    return shown
