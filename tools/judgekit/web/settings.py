"""Settings of one judge server; every number about submissions comes from problem.yaml."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from judgekit.package.problem import Device, Problem
from judgekit.package.testcase import count_cases
from judgekit.web.db.connection import DATABASE_URL_ENV, sqlite_url
from judgekit.web.guards.limits import (
    LoginLimits,
    RequestLimits,
    SimilarityLimits,
    StreamLimits,
    SubmissionLimits,
)

# The one place for the server's defaults: Settings uses them, and so does `judgekit serve`.
DEFAULT_DATA_DIR = Path("judge-data")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_PENDING = 10
DEFAULT_DEVICES = (Device.CPU,)


def default_database_url(data_dir: Path) -> str:
    from judgekit.web.db.database import DB_FILE

    return sqlite_url(data_dir / DB_FILE)


def resolve_database_url(data_dir: Path, option: str | None = None) -> str:
    """The database to use: OPTION (--database-url), else $JUDGEKIT_DATABASE_URL, else the
    SQLite file in DATA_DIR."""
    return option or os.environ.get(DATABASE_URL_ENV) or default_database_url(data_dir)


def default_judging_threads() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    problem: Problem
    data_dir: Path = DEFAULT_DATA_DIR
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    judging_threads: int = field(default_factory=default_judging_threads)
    """How many submissions this process judges at once, each in a thread of its own
    (web.judging.threads); unused with a broker."""
    max_pending_per_user: int = DEFAULT_MAX_PENDING
    devices: tuple[Device, ...] = DEFAULT_DEVICES
    """Devices this server can judge on; the submit form offers a choice when there are two."""
    secure_cookies: bool = False
    """Mark cookies Secure; turn on when the server is behind HTTPS."""
    broker_url: str | None = None
    """A Celery broker (redis://...): remote judge hosts judge, nothing judges in this process.
    None: the in-process judging threads (the default)."""
    judgehost_token: str | None = None
    """The shared secret judge hosts present to /api/judgehost (needed with a broker)."""
    lease_s: float = 30.0
    """How long a judge host holds a claimed submission without renewing its lease."""
    database_url: str | None = None
    """--database-url; None: $JUDGEKIT_DATABASE_URL, else the SQLite file in data_dir."""
    judge_error_retry_s: float = 5.0
    """After a JE (our fault: engine trouble, a missing image) wait this long, times the attempt
    number, then judge the submission again, up to judgehost.job.MAX_ATTEMPTS attempts in all."""
    similarity_poll_s: float = 10.0
    """How often the background similarity scan looks for newly finished submissions."""
    similarity_threshold: float = 0.6
    """Pairs of submissions whose shares of matching tokens both reach this are listed."""
    similarity: SimilarityLimits = field(default_factory=SimilarityLimits)
    """What the similarity scan may cost (web.guards.limits)."""

    public_url: str | None = None
    """How learners reach this server (https://judge.example.org), for links that leave the
    pages (the grade export); None: http://HOST:PORT. Never taken from a request's Host."""
    forwarded_allow_ips: str | None = None
    """Addresses of proxies in front whose X-Forwarded-For is believed (uvicorn's
    --forwarded-allow-ips); None: none, a client's address is the connection's."""
    logins: LoginLimits = field(default_factory=LoginLimits)
    streams: StreamLimits = field(default_factory=StreamLimits)
    requests: RequestLimits = field(default_factory=RequestLimits)
    submission_rate: SubmissionLimits = field(default_factory=SubmissionLimits)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def upload_limit(self) -> int:
        return self.problem.limits.submission_bytes

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(group.name for group in self.problem.test_groups)

    @cached_property
    def case_counts(self) -> Mapping[str, int]:
        """Each judged group's number of cases, in problem.yaml's order: counted once (the
        pages and the live progress ask on every poll)."""
        directory = self.problem.testcases_dir
        return MappingProxyType({group: count_cases(directory, group) for group in self.groups})

    @property
    def case_total(self) -> int:
        """How many cases a full run judges."""
        return sum(self.case_counts.values())

    @property
    def db_url(self) -> str:
        return resolve_database_url(self.data_dir, self.database_url)

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"
