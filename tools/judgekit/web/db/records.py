"""The judge database's rows as typed records, and how they are read from SELECT results: by
column name (tables.py's USER_SELECT, SUBMISSION_SELECT and JUDGE_HOST_SELECT), never position."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from sqlalchemy import Row

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
    """While a judge host judges it: when its lease runs out (epoch seconds); else None."""
    judge_host: str | None = None
    """The judge host (slot) that claimed it under a lease; None for in-process runs."""

    @property
    def result(self) -> JudgeReport | None:
        """The stored result, None until done; MalformedJson naming the field if it is bad."""
        if self.result_json is None:
            return None
        data = strict_json.loads(self.result_json)
        return JudgeReport.from_json(data, f"the stored result of submission {self.id}")


def submission_row(row: Row[Any]) -> Submission:
    columns = row._mapping
    values = {field.name: columns[field.name] for field in fields(Submission)}
    return Submission(**{**values, "status": Status(values["status"])})


def user_row(row: Row[Any]) -> User:
    columns = row._mapping
    return User(
        id=columns["id"],
        name=columns["name"],
        password_hash=columns["password_hash"],
        is_admin=bool(columns["is_admin"]),
        created_at=columns["created_at"],
    )


@dataclass(frozen=True)
class JudgeHostStatus:
    """A judge host's slot (NAME/N) as its last heartbeat described it."""

    name: str
    device: str
    image: str
    versions: dict[str, str]
    started_at: float
    heartbeat_at: float
    submission_id: int | None
    """The submission it was judging at that heartbeat; None when idle."""


def judge_host_row(row: Row[Any]) -> JudgeHostStatus:
    columns = row._mapping
    versions = strict_json.loads(columns["versions_json"])
    return JudgeHostStatus(
        name=columns["name"],
        device=columns["device"],
        image=columns["image"],
        versions={str(k): str(v) for k, v in versions.items()},
        started_at=columns["started_at"],
        heartbeat_at=columns["heartbeat_at"],
        submission_id=columns["submission_id"],
    )
