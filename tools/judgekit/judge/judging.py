"""Judging one submission: host-side checks, one sandboxed run, the checker, the verdicts.

`judge_submission` is what `judgekit run`, `judgekit verify` and the web workers call. It keeps
no state between calls and may be called from several threads at once.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import docker.errors

from judgekit.errors import JudgekitError
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.rules import CaseFacts, Decision, RunEnd, RunFacts, decide_case, overall
from judgekit.judge.verdict import Verdict
from judgekit.package.files import checker_module
from judgekit.package.problem import Device, Problem, Visibility
from judgekit.package.testcase import TestCase, input_text, load_cases
from judgekit.sandbox.container import Job, KillReason, RunOutcome, Sandbox, TimedFrame
from judgekit.sandbox.frames import CaseError, LoadError, Ready, Result
from judgekit.sandbox.image import current_image

OnCase = Callable[[CaseResult], None]


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


def _run_facts(problem: Problem, outcome: RunOutcome, device: Device) -> RunFacts:
    load_error = next((t.frame for t in outcome.frames if isinstance(t.frame, LoadError)), None)
    ready = next((t.frame for t in outcome.frames if isinstance(t.frame, Ready)), None)
    judge_error = outcome.judge_error
    platform = ready.platform if ready is not None else None
    if judge_error is None and device is Device.GPU and platform not in (None, "gpu"):
        judge_error = (
            f"a GPU run was requested but JAX ran on {platform!r}: "
            "the judge host's GPU is not available to the sandbox"
        )
    limits = problem.limits
    end, detail = RunEnd.FINISHED, ""
    if outcome.killed_for in (KillReason.CASE_TIME, KillReason.STARTUP_TIME):
        end = RunEnd.OUT_OF_TIME
        detail = (
            f"no result within {limits.time_per_case_s:g} s"
            if outcome.killed_for is KillReason.CASE_TIME
            else "the submission did not finish loading in time"
        )
    elif outcome.killed_for is KillReason.TOTAL_TIME:
        end, detail = RunEnd.OUT_OF_TIME, f"the whole run took over {limits.total_time_s:g} s"
    elif outcome.oom_killed:
        end, detail = RunEnd.OUT_OF_MEMORY, f"{limits.memory_mib} MiB"
    elif outcome.killed_for is KillReason.OUTPUT:
        end, detail = RunEnd.OUTPUT_LIMIT, f"{limits.output_bytes} bytes"
    elif outcome.killed_for is KillReason.PROTOCOL:
        end, detail = RunEnd.PROTOCOL, outcome.protocol_error or ""
    elif outcome.exit_code not in (0, None):
        end = RunEnd.CRASHED
    return RunFacts(
        end=end,
        exit_code=outcome.exit_code,
        judge_error=judge_error,
        load_error=(
            f"{load_error.error}\n{_trim_traceback(load_error.traceback)}" if load_error else None
        ),
        detail=detail,
    )


def _trim_traceback(text: str) -> str:
    """The learner's part of a traceback: drop the runner's own frames."""
    lines = text.splitlines()
    keep = [i for i, line in enumerate(lines) if "submission.py" in line]
    if keep:
        return "\n".join(["Traceback (most recent call last):", *lines[keep[0] :]])
    return text


class _CaseJudge:
    """Turns frames into case results as they arrive, and the rest at the end."""

    def __init__(
        self,
        problem: Problem,
        cases: Sequence[TestCase],
        checker: ModuleType,
        on_case: OnCase | None,
    ) -> None:
        self.problem = problem
        self.cases = cases
        self.checker = checker
        self.on_case = on_case
        self.facts: dict[int, tuple[CaseFacts, int, Sequence[float] | None]] = {}
        hidden = {g.name for g in problem.test_groups if g.visibility is Visibility.HIDDEN}
        self.public = [case.group not in hidden for case in cases]
        self.emitted: dict[int, Decision] = {}

    def _check(self, case: TestCase, frame: Result) -> CaseFacts:
        output = self.problem.output
        assert case.answer is not None
        # Values are None only for results too large to send (over 1024 values): their shape
        # is wrong, and the checker says so before it looks at any value.
        returned = self.checker.Returned(frame.shape, frame.values or ())
        result = self.checker.check(
            returned,
            case.answer,
            shape=output.shape,
            rtol=output.tolerance.rtol,
            atol=output.tolerance.atol,
            names=output.names,
        )
        return CaseFacts(returned=True, accepted=result.accepted, check_message=result.message)

    def on_frame(self, timed: TimedFrame) -> None:
        frame = timed.frame
        # The sandbox delivers each case once, in order (FrameOrder): no checks needed here.
        if isinstance(frame, Result | CaseError):
            index = frame.case
            if isinstance(frame, Result):
                facts = self._check(self.cases[index], frame)
                got = frame.values
            else:
                facts = CaseFacts(raised=f"{frame.error}\n{_trim_traceback(frame.traceback)}")
                got = None
            self.facts[index] = (facts, timed.elapsed_ms, got)
            self._emit(index, decide_case(_RUNNING, facts, first_unanswered=False))

    def _emit(self, index: int, decision: Decision) -> CaseResult:
        case = self.cases[index]
        facts = self.facts.get(index)
        public = self.public[index]
        result = CaseResult(
            id=case.id,
            group=case.group,
            verdict=decision.verdict,
            time_ms=facts[1] if facts else None,
            message=decision.message if public else _secret_message(decision),
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
            facts = self.facts.get(index, (CaseFacts(), 0, None))[0]
            decision = decide_case(run, facts, first_unanswered=first_unanswered)
            if not facts.returned and facts.raised is None:
                first_unanswered = False
            results.append(self._emit(index, decision))
        return results


_RUNNING = RunFacts(end=RunEnd.FINISHED)
# These messages speak of the run, never of a case's data.
_DATA_FREE = (Verdict.AC, Verdict.TLE, Verdict.MLE, Verdict.OLE, Verdict.CE, Verdict.JE)


def _secret_message(decision: Decision) -> str:
    """A hidden case shows its verdict only: a checker message or a traceback could quote its
    input or expected values."""
    return decision.message if decision.verdict in _DATA_FREE else decision.verdict.title


def judge_cases(
    problem: Problem,
    submission: Path,
    cases: Sequence[TestCase],
    *,
    device: Device,
    on_case: OnCase | None = None,
    sandbox: Sandbox | None = None,
    extra: Mapping[str, Any] | None = None,
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
            extra=dict(extra or {}),
        )
    try:
        image = current_image(problem.root, device)
        sandbox = sandbox or Sandbox(problem.root)
    except (JudgekitError, docker.errors.DockerException) as error:
        return JudgeReport(Verdict.JE, f"judge error: {error}", device.value, "")
    # Public cases run first: a case's input reaches the sandbox only when its turn comes, so
    # nothing a public case reports (its messages, its output) can quote a hidden input.
    hidden = {g.name for g in problem.test_groups if g.visibility is Visibility.HIDDEN}
    cases = sorted(cases, key=lambda case: case.group in hidden)
    checker = checker_module(problem)
    judge = _CaseJudge(problem, cases, checker, on_case)
    with tempfile.TemporaryDirectory(prefix="judgekit-inputs-") as scratch:
        inputs = []
        for index, case in enumerate(cases):
            path = Path(scratch) / f"{index}.in"
            path.write_text(input_text(case.input), encoding="utf-8")
            inputs.append((case.id, path))
        job = Job(
            submission=submission,
            inputs=inputs,
            function=problem.entry_point.function,
            parameters=problem.entry_point.runner_parameters(),
            limits=problem.limits,
            device=device,
            image=image,
            output_shape=problem.output.shape,
        )
        outcome = sandbox.run(job, on_frame=judge.on_frame)
    run = _run_facts(problem, outcome, device)
    results = judge.finish(run)
    verdict = overall([Decision(r.verdict, r.message) for r in results])
    ready = next((t.frame for t in outcome.frames if isinstance(t.frame, Ready)), None)
    message = verdict.message
    if verdict.verdict is not Verdict.AC:
        first = next(r for r in results if r.verdict is verdict.verdict)
        message = f"{verdict.verdict.title} on {first.id}: {first.message}"
    return JudgeReport(
        verdict=verdict.verdict,
        message=message,
        device=device.value,
        image=image,
        cases=tuple(results),
        platform=ready.platform if ready else None,
        time_ms=outcome.wall_ms,
        extra={**(extra or {}), **({"stderr": outcome.stderr} if outcome.stderr else {})},
    )


def judge_submission(
    problem: Problem,
    submission: Path,
    *,
    device: Device = Device.CPU,
    groups: Sequence[str] | None = None,
    fuzz: int = 0,
    fuzz_seed: int | None = None,
    on_case: OnCase | None = None,
    sandbox: Sandbox | None = None,
) -> JudgeReport:
    """Judge SUBMISSION on the problem's test groups (all by default), plus FUZZ fresh cases."""
    cases = load_cases(problem.testcases_dir, groups or problem.group_names)
    if fuzz:
        from judgekit.judge.fuzzing import fuzz_cases

        sandbox = sandbox or Sandbox(problem.root)
        fuzzed, fuzz_seed = fuzz_cases(problem, fuzz, fuzz_seed, device=device, sandbox=sandbox)
        cases = [*cases, *fuzzed]
    report = judge_cases(
        problem, submission, cases, device=device, on_case=on_case, sandbox=sandbox
    )
    return dataclasses.replace(report, fuzz_seed=fuzz_seed) if fuzz else report
