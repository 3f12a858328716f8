"""Shared fixtures: the problem package in this checkout, loaded once per session; the sandbox
image (its check made once per session); a judge data folder and the judge database on each
backend (SQLite, and a private PostgreSQL server when installed); a private Redis broker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from judgekit.package.numerics import pin_answer_numerics
from judgekit.package.problem import Problem, load_problem
from judgekit.package.reference import ReferenceRunner
from judgekit.web.db.connection import sqlite_url
from judgekit.web.db.database import DB_FILE
from postgres_support import PG_BIN, PostgresServer, postgres_available
from redis_support import RedisServer, redis_server
from repo_support import REPO_ROOT, need
from sandbox_support import require_sandbox

# Before any test computes with JAX: tests compare the reference's answers bit for bit.
pin_answer_numerics()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def problem() -> Problem:
    return load_problem(REPO_ROOT)


@pytest.fixture(scope="session")
def reference(problem: Problem) -> ReferenceRunner:
    return ReferenceRunner(problem)


@pytest.fixture(scope="session")
def image(problem: Problem) -> str:
    """The sandbox image's tag (the CPU image); skips locally, fails in CI, without one."""
    return require_sandbox(problem.root)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A judge data folder (not made yet): what `judgekit serve --data` is given."""
    return tmp_path / "judge-data"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[RedisServer]:
    """A private redis-server for this test, as the distributed judge's broker."""
    with redis_server(tmp_path / "redis") as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    """A private PostgreSQL server for the session; None when PostgreSQL is not installed."""
    if not postgres_available():
        yield None
        return
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, data: Path, postgres_server: PostgresServer | None
) -> str:
    """A fresh, empty judge database on each backend: the SQLite file in the `data` folder,
    or a new database on the private server."""
    if request.param == "sqlite":
        return sqlite_url(data / DB_FILE)
    need(postgres_server is not None, f"PostgreSQL 15 in {PG_BIN} (run tools/setup.sh)")
    assert postgres_server is not None
    return postgres_server.create_database()
