"""Deciding verdicts: pure functions over typed facts, one fixed order of rules.

For a run (`run_facts`), in order: a judge error, reported by the sandbox or found when a GPU
run did not run on the GPU; then what ended the run: the per-case or start-up clock, the total
clock (TLE), the engine's OOM kill (MLE), the output limit (OLE), a tampered result channel
(protocol), a non-zero exit (crash); else it finished.

For a case, in order: a judge error (JE); the file did not load (CE); the case raised (RTE);
a result came back (AC or WA, by the checker). A case with no result is blamed on how the run
ended: out of time (TLE), killed by the engine for memory (MLE), over the output limit (OLE),
anything else (RTE). The submission's verdict is that of its first case that is not AC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Limits


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


def run_facts(showed: RunShowed, limits: Limits, device: Device) -> RunFacts:
    """How the run ended, which limit wins, and whether the judge itself failed."""
    judge_error = showed.judge_error
    if judge_error is None and device is Device.GPU and showed.platform not in (None, "gpu"):
        judge_error = (
            f"a GPU run was requested but JAX ran on {showed.platform!r}: "
            "the judge host's GPU is not available to the sandbox"
        )
    end, detail = RunEnd.FINISHED, ""
    if showed.killed_for is Kill.CASE_TIME:
        end, detail = RunEnd.OUT_OF_TIME, f"no result within {limits.time_per_case_s:g} s"
    elif showed.killed_for is Kill.STARTUP_TIME:
        end, detail = RunEnd.OUT_OF_TIME, "the submission did not finish loading in time"
    elif showed.killed_for is Kill.TOTAL_TIME:
        end, detail = RunEnd.OUT_OF_TIME, f"the whole run took over {limits.total_time_s:g} s"
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
