"""Exceptions that carry a message meant for the person at the keyboard."""


class JudgekitError(Exception):
    """A failure the user can act on; the CLI prints it without a traceback."""


class ProblemFormatError(JudgekitError):
    """problem.yaml (or another package file) is malformed; the message names the field."""
