"""Exit codes of the judgekit command, shared by every subcommand."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Success; for `run`, the submission was accepted."""
    FAILED = 1
    """A learner verdict other than AC, or a check that found problems."""
    USAGE = 2
    """A usage error, a broken problem package, or a judge error (JE)."""
