"""The judge database's rows as typed records, and how they are read from SELECT results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from judgekit.judge import strict_json
from judgekit.judge.report import JudgeReport


class Status(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class TooManyPending(Exception):
    """The user already has as many queued or running submissions as allowed."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    password_hash: str
    is_admin: bool
    created_at: float


@dataclass(frozen=True)
class Submission:
    id: int
    user_id: int
    user_name: str
    created_at: float
    filename: str
    stored_name: str
    size: int
    sha256: str
    device: str
    status: Status
    attempts: int
    verdict: str | None
    passed: int | None
    total: int | None
    time_ms: int | None
    result_json: str | None
    started_at: float | None
    finished_at: float | None
    problem_id: str | None
    """problem.yaml's id when the submission was made; None for rows older than that record."""
    lease_until: float | None = None
    """While a remote worker judges it: when its lease runs out (epoch seconds); else None."""
    worker: str | None = None
    """The remote worker that claimed it under a lease; None for in-process runs."""

    @property
    def result(self) -> JudgeReport | None:
        """The stored result, None until done; MalformedJson naming the field if it is bad."""
        if self.result_json is None:
            return None
        data = strict_json.loads(self.result_json)
        return JudgeReport.from_json(data, f"the stored result of submission {self.id}")


def submission_row(row: Sequence[Any]) -> Submission:
    values = list(row)
    values[9] = Status(values[9])
    return Submission(*values)


def user_row(row: Sequence[Any]) -> User:
    return User(
        id=row[0], name=row[1], password_hash=row[2], is_admin=bool(row[3]), created_at=row[4]
    )


@dataclass(frozen=True)
class WorkerStatus:
    """A remote judging worker as its last heartbeat described it."""

    name: str
    device: str
    image: str
    versions: dict[str, str]
    started_at: float
    heartbeat_at: float
    submission_id: int | None
    """The submission it was judging at that heartbeat; None when idle."""


def worker_row(row: Sequence[Any]) -> WorkerStatus:
    versions = strict_json.loads(row[3])
    return WorkerStatus(
        name=row[0],
        device=row[1],
        image=row[2],
        versions={str(k): str(v) for k, v in versions.items()},
        started_at=row[4],
        heartbeat_at=row[5],
        submission_id=row[6],
    )
