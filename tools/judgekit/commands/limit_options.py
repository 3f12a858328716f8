"""The options of `judgekit serve` that set what one client may cost the server, as one table:
each says which field of which limits type it sets (judgekit.web.guards.limits), whose default
is the option's default."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from judgekit.commands.arguments import positive, positive_seconds
from judgekit.web.guards.limits import (
    MIN_CHILD_MEMORY_MIB,
    LoginLimits,
    RequestLimits,
    SimilarityLimits,
    StreamLimits,
    SubmissionLimits,
)


def _similarity_memory(text: str) -> int:
    value = positive(text)
    if value < MIN_CHILD_MEMORY_MIB:
        raise argparse.ArgumentTypeError(
            f"{value}: the similarity scan's child process needs at least "
            f"{MIN_CHILD_MEMORY_MIB} MiB"
        )
    return value


@dataclass(frozen=True)
class LimitOption:
    flag: str
    limits: type[Any]
    field: str
    parse: Callable[[str], Any]
    metavar: str
    help: str

    @property
    def dest(self) -> str:
        return f"limit_{self.limits.__name__}_{self.field}"


SETTINGS_FIELDS: dict[type[Any], str] = {
    LoginLimits: "logins",
    StreamLimits: "streams",
    RequestLimits: "requests",
    SubmissionLimits: "submission_rate",
    SimilarityLimits: "similarity",
}
"""Which field of `Settings` holds each limits type."""

LIMIT_OPTIONS = (
    LimitOption(
        "--max-streams-per-user", StreamLimits, "per_user", positive, "N",
        "live result streams one user may hold open",
    ),
    LimitOption(
        "--max-streams", StreamLimits, "total", positive, "N",
        "live result streams open on the whole server",
    ),
    LimitOption(
        "--max-submissions", SubmissionLimits, "per_window", positive, "N",
        "submissions one learner may make per --submission-window",
    ),
    LimitOption(
        "--submission-window", SubmissionLimits, "window_s", positive_seconds, "SECONDS",
        "the window of --max-submissions",
    ),
    LimitOption(
        "--max-stored-mib", SubmissionLimits, "stored_mib", positive, "MIB",
        "disk one learner's submissions may take in all",
    ),
    LimitOption(
        "--max-requests-per-address", RequestLimits, "per_address", positive, "N",
        "requests in progress at once from one client address, live streams aside",
    ),
    LimitOption(
        "--login-checks", LoginLimits, "checks_at_once", positive, "N",
        "password checks running at once, each about 19 MiB and 30 ms",
    ),
    LimitOption(
        "--login-backoff-max", LoginLimits, "backoff_max_s", positive_seconds, "SECONDS",
        "the longest wait imposed after wrong passwords",
    ),
    LimitOption(
        "--similarity-latest", SimilarityLimits, "latest_per_user", positive, "N",
        "of a learner's submissions waiting for the similarity scan, only the latest N that "
        "compiled and the latest N compile errors are compared",
    ),
    LimitOption(
        "--similarity-max-bytes", SimilarityLimits, "max_bytes", positive, "BYTES",
        "the similarity scan reads only this much of each file",
    ),
    LimitOption(
        "--similarity-memory", SimilarityLimits, "memory_mib", _similarity_memory, "MIB",
        f"the similarity scan's child process's memory limit, at least {MIN_CHILD_MEMORY_MIB}",
    ),
)  # fmt: skip


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("limits per client (README: Limits)")
    for option in LIMIT_OPTIONS:
        group.add_argument(
            option.flag,
            dest=option.dest,
            type=option.parse,
            default=getattr(option.limits, option.field),
            metavar=option.metavar,
            help=f"{option.help} (default: %(default)s)",
        )


def limits_from(options: argparse.Namespace) -> dict[str, Any]:
    """The limits fields of `Settings`, each built from its options (defaults elsewhere)."""
    values: dict[type[Any], dict[str, Any]] = {kind: {} for kind in SETTINGS_FIELDS}
    for option in LIMIT_OPTIONS:
        values[option.limits][option.field] = getattr(options, option.dest)
    return {SETTINGS_FIELDS[kind]: kind(**fields) for kind, fields in values.items()}
