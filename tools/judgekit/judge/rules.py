"""Deciding verdicts: pure functions over typed facts, one fixed order of rules.

For a run (`run_facts`), in order: a judge error, reported by the sandbox, found when a GPU
run did not run on the GPU, or a run the host starved of CPU (`needs_rerun`: judged again
first, a JE only after the last try); then what ended the run: the per-case or start-up
clock, the total clock (TLE: CPU time, or the wall-clock backstop of a run that waited), the
engine's OOM kill (MLE), the output limit (OLE), a tampered result channel
(protocol), a non-zero exit (crash); else it finished.

For a case, in order: a judge error (JE); the file did not load (CE); the case raised (RTE);
it returned something that is no array of numbers (RTE); a result came back (AC or WA, by the
checker). A case with no result is blamed on how the run ended: out of time (TLE), killed by
the engine for memory (MLE), over the output limit (OLE), anything else (RTE). The
submission's verdict is that of its first case that is not AC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Limits, TimeClock


class RunEnd(Enum):
    """How the container's run ended, as the judge saw it from outside."""

    FINISHED = "finished"
    OUT_OF_TIME = "out_of_time"
    OUT_OF_MEMORY = "out_of_memory"
    OUTPUT_LIMIT = "output_limit"
    CRASHED = "crashed"
    PROTOCOL = "protocol"


@dataclass(frozen=True)
class RunFacts:
    end: RunEnd
    exit_code: int | None = None
    judge_error: str | None = None
    load_error: str | None = None
    detail: str = ""


class Kill(Enum):
    """Why the judge killed the container (the sandbox's KillReason, by value)."""

    STARTUP_TIME = "startup_time"
    CASE_TIME = "case_time"
    TOTAL_TIME = "total_time"
    OUTPUT = "output"
    PROTOCOL = "protocol"
    INTERRUPTED = "interrupted"


_TIME_KILLS = (Kill.STARTUP_TIME, Kill.CASE_TIME, Kill.TOTAL_TIME)


class Clock(Enum):
    """Which clock ran out (the sandbox's LimitClock, by value)."""

    CPU = "cpu"
    WALL = "wall"
    STARVED = "starved"


@dataclass(frozen=True)
class RunShowed:
    """What one sandboxed run showed, as far as the verdict rules care."""

    killed_for: Kill | None = None
    oom_killed: bool = False
    exit_code: int | None = None
    protocol_error: str | None = None
    judge_error: str | None = None
    platform: str | None = None
    load_error: str | None = None
    clock: Clock | None = None
    """Which clock ran out, when the judge killed the run for time."""
    starved_ms: int = 0


def needs_rerun(showed: RunShowed) -> bool:
    """The host kept the run from the CPU so long that the judge stopped waiting: its
    verdict would be the host's load, not the submission's; judge it again."""
    return showed.killed_for in _TIME_KILLS and showed.clock is Clock.STARVED


def _time_detail(kill: Kill, clock: Clock | None, limits: Limits) -> str:
    """The TLE message for a run killed for KILL's limit on CLOCK."""
    limit_s = {
        Kill.STARTUP_TIME: limits.startup_s,
        Kill.CASE_TIME: limits.time_per_case_s,
        Kill.TOTAL_TIME: limits.total_time_s,
    }[kill]
    what = {
        Kill.STARTUP_TIME: "the submission did not finish loading within",
        Kill.CASE_TIME: "no result within",
        Kill.TOTAL_TIME: "the whole run took over",
    }[kill]
    if limits.clock is TimeClock.WALL:
        return f"{what} {limit_s:g} s"
    if clock is Clock.WALL:
        return (
            f"{what} {limits.wall_limit_s(limit_s):g} s of wall-clock time while using little "
            f"CPU time of its own (waiting, sleeping or in the kernel; the limit is "
            f"{limit_s:g} s of CPU time)"
        )
    return f"{what} {limit_s:g} s of CPU time"


def run_facts(showed: RunShowed, limits: Limits, device: Device) -> RunFacts:
    """How the run ended, which limit wins, and whether the judge itself failed."""
    judge_error = showed.judge_error
    if judge_error is None and device is Device.GPU and showed.platform not in (None, "gpu"):
        judge_error = (
            f"a GPU run was requested but JAX ran on {showed.platform!r}: "
            "the judge host's GPU is not available to the sandbox"
        )
    if judge_error is None and needs_rerun(showed):
        judge_error = (
            "the judge host was overloaded: the submission's container waited "
            f"{showed.starved_ms / 1000:.0f} s for a CPU it was not given"
        )
    end, detail = RunEnd.FINISHED, ""
    if showed.killed_for in _TIME_KILLS:
        assert showed.killed_for is not None
        end, detail = RunEnd.OUT_OF_TIME, _time_detail(showed.killed_for, showed.clock, limits)
    elif showed.oom_killed:
        end, detail = RunEnd.OUT_OF_MEMORY, f"{limits.memory_mib} MiB"
    elif showed.killed_for is Kill.OUTPUT:
        end, detail = RunEnd.OUTPUT_LIMIT, f"{limits.output_bytes} bytes"
    elif showed.killed_for is Kill.PROTOCOL:
        end, detail = RunEnd.PROTOCOL, showed.protocol_error or ""
    elif showed.exit_code not in (0, None):
        end = RunEnd.CRASHED
    return RunFacts(
        end=end,
        exit_code=showed.exit_code,
        judge_error=judge_error,
        load_error=showed.load_error,
        detail=detail,
    )


@dataclass(frozen=True)
class CaseFacts:
    returned: bool = False
    accepted: bool | None = None
    check_message: str = ""
    raised: str | None = None
    bad_result: str | None = None
    """What the function returned instead of an answer, and what is expected."""

    @property
    def answered(self) -> bool:
        """The case got its one frame: a result, an error or a bad result."""
        return self.returned or self.raised is not None or self.bad_result is not None


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    message: str


def decide_case(run: RunFacts, case: CaseFacts, *, first_unanswered: bool) -> Decision:
    if run.judge_error is not None:
        return Decision(Verdict.JE, f"judge error (not your fault): {run.judge_error}")
    if run.load_error is not None:
        return Decision(Verdict.CE, f"the submission did not load: {run.load_error}")
    if case.raised is not None:
        return Decision(Verdict.RTE, f"your function raised {case.raised}")
    if case.bad_result is not None:
        return Decision(Verdict.RTE, f"your function {case.bad_result}")
    if case.returned:
        verdict = Verdict.AC if case.accepted else Verdict.WA
        return Decision(verdict, case.check_message)
    if not first_unanswered:
        return Decision(_missing_verdict(run), "not run: the process had already ended")
    return Decision(_missing_verdict(run), _missing_message(run))


def _missing_verdict(run: RunFacts) -> Verdict:
    return {
        RunEnd.OUT_OF_TIME: Verdict.TLE,
        RunEnd.OUT_OF_MEMORY: Verdict.MLE,
        RunEnd.OUTPUT_LIMIT: Verdict.OLE,
    }.get(run.end, Verdict.RTE)


def _missing_message(run: RunFacts) -> str:
    if run.end is RunEnd.OUT_OF_TIME:
        return f"time limit exceeded: {run.detail}"
    if run.end is RunEnd.OUT_OF_MEMORY:
        return f"memory limit exceeded: the process was killed for using more than {run.detail}"
    if run.end is RunEnd.OUTPUT_LIMIT:
        return f"output limit exceeded: printed more than {run.detail}"
    if run.end is RunEnd.PROTOCOL:
        return f"the judge's result channel was tampered with ({run.detail})"
    if run.exit_code is not None and run.exit_code != 0:
        return f"the process died with exit code {run.exit_code} before returning a result"
    return "the process exited before returning a result for this case"


def overall(decisions: Sequence[Decision]) -> Decision:
    for decision in decisions:
        if decision.verdict is not Verdict.AC:
            return decision
    return Decision(Verdict.AC, f"all {len(decisions)} cases accepted")
