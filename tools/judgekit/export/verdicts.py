"""Which of our known submissions a Kattis-format package can hold, and in which folder.

The format's submissions folders (problemtools' legacy policy, kept in 2023-07-draft) are
accepted, wrong_answer, time_limit_exceeded and run_time_error. Every other expectation of
ours has no folder there, so those submissions are left out, each with its reason, and the
export's README lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from judgekit.judge.known_submissions import FOLDER_VERDICTS, SECURITY_FOLDER, KnownSubmission
from judgekit.judge.verdict import Verdict

KATTIS_FOLDERS = {
    Verdict.AC: "accepted",
    Verdict.WA: "wrong_answer",
    Verdict.TLE: "time_limit_exceeded",
    Verdict.RTE: "run_time_error",
}

WHY_LEFT_OUT = {
    Verdict.CE: (
        "Kattis compiles Python with py_compile only: a failed import, a missing entry point "
        "or an oversized file is a run-time error there, and only a syntax error fails to "
        "compile; the format has no compile_error folder"
    ),
    Verdict.MLE: (
        "the format has no memory_limit_exceeded folder; judges report memory overruns "
        "differently (problemtools limits the address space, which JAX itself may exceed)"
    ),
    Verdict.OLE: "the format has no output_limit_exceeded folder",
}
# Submissions whose verdict a process-per-case judge cannot give, by their path under
# submissions/: only a sandbox that owns the result channel tells these apart.
WHY_THIS_ONE_LEFT_OUT = {
    "run_time_error/os_exit_zero.py": (
        "os._exit(0) ends the process with status 0 and no output, which a Kattis-format "
        "judge reports as wrong answer, not as run-time error"
    ),
    "time_limit_exceeded/sleeps.py": (
        "it sleeps, using no CPU time: problemtools' verifyproblem limits CPU time only and "
        "would wait for it forever (judges with a wall-clock limit, as ours, give it TLE)"
    ),
}
WHY_SECURITY_LEFT_OUT = (
    "a security probe tests our sandbox's hardening (seccomp, no network, read-only files, "
    "the result channel), which a Kattis-format judge replaces with its own"
)


@dataclass(frozen=True)
class Placed:
    submission: KnownSubmission
    folder: str
    name: str


@dataclass(frozen=True)
class LeftOut:
    submission: KnownSubmission
    reason: str


def place(submissions: Sequence[KnownSubmission]) -> tuple[list[Placed], list[LeftOut]]:
    """Each submission in its Kattis folder, named by its file's stem (the reference, which
    lives outside submissions/, as accepted/reference), or left out with the reason."""
    placed: list[Placed] = []
    left_out: list[LeftOut] = []
    for submission in submissions:
        verdict = next(iter(submission.expected)) if len(submission.expected) == 1 else None
        if submission.name in WHY_THIS_ONE_LEFT_OUT:
            left_out.append(LeftOut(submission, WHY_THIS_ONE_LEFT_OUT[submission.name]))
        elif submission.path.parent.name == SECURITY_FOLDER or verdict is None:
            left_out.append(LeftOut(submission, WHY_SECURITY_LEFT_OUT))
        elif verdict in KATTIS_FOLDERS:
            ours = submission.path.parent.name in FOLDER_VERDICTS
            name = submission.path.stem if ours else "reference"
            placed.append(Placed(submission, KATTIS_FOLDERS[verdict], name))
        else:
            left_out.append(LeftOut(submission, WHY_LEFT_OUT.get(verdict, "no Kattis folder")))
    return placed, left_out
