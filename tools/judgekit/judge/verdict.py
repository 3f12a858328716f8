"""The verdicts a submission or a single test case can receive."""

from __future__ import annotations

from enum import Enum

from judgekit.exit_codes import ExitCode


class Verdict(Enum):
    """Short codes as on every judge; the value is the code, `title` the words a learner reads."""

    AC = "AC"
    WA = "WA"
    TLE = "TLE"
    MLE = "MLE"
    RTE = "RTE"
    OLE = "OLE"
    CE = "CE"
    JE = "JE"

    @property
    def title(self) -> str:
        return _TITLES[self]

    @property
    def is_learner_verdict(self) -> bool:
        """JE is our fault; every other verdict is about the submission."""
        return self is not Verdict.JE

    @classmethod
    def parse(cls, text: str) -> Verdict:
        """Accept our codes and the spellings other judges and folder names use."""
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return _ALIASES[key]
        except KeyError:
            known = ", ".join(v.value for v in cls)
            raise ValueError(f"unknown verdict {text!r}; expected one of {known}") from None


_TITLES = {
    Verdict.AC: "Accepted",
    Verdict.WA: "Wrong Answer",
    Verdict.TLE: "Time Limit Exceeded",
    Verdict.MLE: "Memory Limit Exceeded",
    Verdict.RTE: "Run-Time Error",
    Verdict.OLE: "Output Limit Exceeded",
    Verdict.CE: "Compile Error",
    Verdict.JE: "Judge Error",
}

_ALIASES: dict[str, Verdict] = {
    **{v.value.lower(): v for v in Verdict},
    **{v.title.lower().replace(" ", "_").replace("-", "_"): v for v in Verdict},
    "accepted": Verdict.AC,
    "correct": Verdict.AC,
    "wrong_answer": Verdict.WA,
    "time_limit_exceeded": Verdict.TLE,
    "timelimit": Verdict.TLE,
    "memory_limit_exceeded": Verdict.MLE,
    "run_time_error": Verdict.RTE,
    "runtime_error": Verdict.RTE,
    "re": Verdict.RTE,
    "output_limit_exceeded": Verdict.OLE,
    "output_limit": Verdict.OLE,
    "compile_error": Verdict.CE,
    "compiler_error": Verdict.CE,
    "judge_error": Verdict.JE,
    "internal_error": Verdict.JE,
}


def exit_code_for(verdict: Verdict) -> ExitCode:
    """How `run` and `submit` end for a submission's VERDICT: AC succeeds, any other learner
    verdict fails, and a judge error (ours, not the learner's) is a usage error."""
    if verdict is Verdict.AC:
        return ExitCode.OK
    return ExitCode.FAILED if verdict.is_learner_verdict else ExitCode.USAGE
