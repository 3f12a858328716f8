"""Exit codes of the judgekit command, shared by every subcommand."""

from enum import IntEnum

from judgekit.judge.verdict import Verdict


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    INTERRUPTED = 130


MEANINGS = {
    ExitCode.OK: "success (for run and submit: the submission was accepted)",
    ExitCode.FAILED: "a learner verdict other than AC, or a check that found problems",
    ExitCode.USAGE: (
        "a usage error (a bad option, path or port), a broken problem package, a judge "
        "error (JE), or for submit: a server that cannot be reached or refuses the token, "
        "the file, keeps rate-limiting, redirects, or sends an answer that is malformed, "
        "too large or too slow"
    ),
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
}


def describe() -> str:
    """One sentence for `judgekit --help`: every exit code and what it means."""
    return "Exit codes: " + "; ".join(f"{int(c)} {m}" for c, m in MEANINGS.items()) + "."


def for_verdict(verdict: Verdict) -> ExitCode:
    """How `run` and `submit` end for a submission's VERDICT: AC succeeds, any other learner
    verdict fails, and a judge error (ours, not the learner's) is a usage error."""
    if verdict is Verdict.AC:
        return ExitCode.OK
    return ExitCode.FAILED if verdict.is_learner_verdict else ExitCode.USAGE
