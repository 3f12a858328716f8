"""The judge database's rows as typed records, and how they are read from SELECT results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from judgekit.judge import strict_json


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

    @property
    def result(self) -> dict[str, Any] | None:
        if self.result_json is None:
            return None
        data: dict[str, Any] = strict_json.loads(self.result_json)
        return data


SUBMISSION_COLUMNS = (
    "s.id, s.user_id, u.name, s.created_at, s.filename, s.stored_name, s.size, s.sha256, "
    "s.device, s.status, s.attempts, s.verdict, s.passed, s.total, s.time_ms, s.result_json, "
    "s.started_at, s.finished_at, s.problem_id"
)
SUBMISSION_FROM = "FROM submissions s JOIN users u ON u.id = s.user_id"


def submission_row(row: Sequence[Any]) -> Submission:
    values = list(row)
    values[9] = Status(values[9])
    return Submission(*values)


def user_row(row: Sequence[Any]) -> User:
    return User(
        id=row[0], name=row[1], password_hash=row[2], is_admin=bool(row[3]), created_at=row[4]
    )


USER_COLUMNS = "id, name, password_hash, is_admin, created_at"


@dataclass(frozen=True)
class WorkerStatus:
    name: str
    device: str
    image: str
    versions: dict[str, str]
    started_at: float
    heartbeat_at: float
    submission_id: int | None
