"""The judge database's schema: Alembic migrations make a new database, and a SQLite file made
before Alembic (PRAGMA user_version 1 or 2) is upgraded in place with its rows; the migrated
database is the schema the tables describe; each submission records which problem it was made
for."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from judgekit.package.problem import Problem
from judgekit.web.accounts import auth
from judgekit.web.db.database import DB_FILE, Database, Status
from judgekit.web.db.migrations import _config, differences
from judgekit.web.settings import Settings
from sqlalchemy import text
from web_support import app_client

HEAD = "0005_judge_hosts"


# The schema as the pre-Alembic code made it (its MIGRATIONS[0] and [1], PRAGMA user_version).
OLD_SCHEMA_1 = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0, token_hash TEXT UNIQUE, created_at REAL NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at REAL NOT NULL, expires_at REAL NOT NULL
);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id),
    created_at REAL NOT NULL, filename TEXT NOT NULL, stored_name TEXT NOT NULL,
    size INTEGER NOT NULL, sha256 TEXT NOT NULL, device TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done')),
    attempts INTEGER NOT NULL DEFAULT 0, verdict TEXT, passed INTEGER, total INTEGER,
    time_ms INTEGER, result_json TEXT, started_at REAL, finished_at REAL
);
CREATE INDEX submissions_by_user ON submissions(user_id, id);
CREATE INDEX submissions_by_status ON submissions(status, id);
CREATE TABLE case_results (
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL, seq INTEGER NOT NULL, case_json TEXT NOT NULL,
    PRIMARY KEY (submission_id, seq)
)
"""
OLD_SCHEMA_2 = """
ALTER TABLE submissions ADD COLUMN problem_id TEXT;
CREATE INDEX submissions_by_problem ON submissions(problem_id, id)
"""


def _old_database(path: Path, version: int) -> None:
    """A database file as the pre-Alembic code left it at VERSION, with a user, a finished
    submission and one left running (by a killed server)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    for script in (OLD_SCHEMA_1, OLD_SCHEMA_2)[:version]:
        for statement in script.split(";"):
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version={version}")
    connection.execute(
        "INSERT INTO users (id, name, password_hash, created_at) VALUES (1, 'ada', 'x', 0)"
    )
    for status in ("done", "running"):
        connection.execute(
            "INSERT INTO submissions (user_id, created_at, filename, stored_name, size, sha256, "
            f"device, status) VALUES (1, 0, 'old.py', 'old', 1, 'h', 'cpu', '{status}')"
        )
    connection.close()


@pytest.mark.parametrize("version", [1, 2])
def test_an_old_database_is_upgraded_in_place_and_keeps_its_rows(
    tmp_path: Path, version: int
) -> None:
    _old_database(tmp_path / DB_FILE, version)
    db = Database.for_data_dir(tmp_path)
    assert db.schema_revision == HEAD
    done, running = sorted(db.submissions(), key=lambda s: s.id)
    assert done.filename == "old.py" and done.problem_id is None and done.status is Status.DONE
    assert running.lease_until is None and running.judge_host is None
    assert db.requeue_interrupted() == 1
    user = db.user_by_name("ada")
    assert user is not None
    new_id = _queued(db, user.id, "n", problem_id="p")
    assert new_id == 3
    db.record_judge_host_heartbeat("w", "cpu", "img", {}, None)
    db.close()
    again = Database.for_data_dir(tmp_path)  # opening a migrated file changes nothing
    assert again.schema_revision == HEAD and len(again.submissions()) == 3
    again.close()


def _queued(db: Database, user_id: int, name: str, problem_id: str | None = None) -> int:
    """A one-byte submission NAME.py of USER_ID's, queued for the CPU."""
    return db.add_submission(
        user_id=user_id,
        filename=f"{name}.py",
        stored_name=name,
        size=1,
        sha256="h",
        device="cpu",
        max_pending=9,
        problem_id=problem_id,
    )


def test_a_new_database_is_at_the_newest_revision(database_url: str) -> None:
    db = Database(database_url)
    assert db.schema_revision == HEAD
    db.close()


def test_a_migrated_database_is_the_schema_the_tables_describe(database_url: str) -> None:
    db = Database(database_url)
    with db.engine.connect() as connection:
        assert differences(connection) == []
    db.close()


def test_revision_0005_renames_workers_to_judge_hosts_and_keeps_their_rows(
    database_url: str,
) -> None:
    from alembic import command

    db = Database(database_url)
    user = db.add_user("ada", "x", "token", admin=False)
    submission_id = _queued(db, user.id, "s")
    assert db.claim(submission_id, "host/1", 30.0) is not None
    db.record_judge_host_heartbeat("host/1", "cpu", "img", {}, submission_id)
    with db.transaction() as connection:
        command.downgrade(_config(connection), "0004_similarity_fingerprints")
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT name, submission_id FROM workers")).all()
        assert [tuple(row) for row in rows] == [("host/1", submission_id)]
        assert connection.execute(text("SELECT worker FROM submissions")).scalar() == "host/1"
    with db.transaction() as connection:
        command.upgrade(_config(connection), "head")
    assert db.schema_revision == HEAD
    assert [(s.name, s.submission_id) for s in db.judge_host_statuses()] == [
        ("host/1", submission_id)
    ]
    claimed = db.submission(submission_id)
    assert claimed is not None and claimed.judge_host == "host/1"
    with db.engine.connect() as connection:
        assert differences(connection) == []
    db.close()


def test_the_comparison_finds_an_index_and_a_default_the_database_lacks(
    database_url: str,
) -> None:
    db = Database(database_url)
    with db.transaction() as connection:
        connection.execute(text("DROP INDEX submissions_by_status"))
        if db.dialect == "postgresql":  # SQLite cannot drop a column's default in place
            connection.execute(text("ALTER TABLE users ALTER COLUMN is_admin DROP DEFAULT"))
    with db.engine.connect() as connection:
        found = differences(connection)
    db.close()
    kinds = sorted(change[0][0] if isinstance(change, list) else change[0] for change in found)
    expected = ["add_index", "modify_default"] if db.dialect == "postgresql" else ["add_index"]
    assert kinds == expected


def test_each_new_submission_records_its_problem_and_lists_filter_by_it(tmp_path: Path) -> None:
    db = Database.for_data_dir(tmp_path)
    user = db.add_user("ada", "x", "token", admin=False)
    common: dict[str, Any] = {
        "user_id": user.id,
        "size": 1,
        "sha256": "h",
        "device": "cpu",
        "max_pending": 9,
    }
    first = db.add_submission(filename="a.py", stored_name="a", problem_id="one", **common)
    db.add_submission(filename="b.py", stored_name="b", problem_id="two", **common)
    submission = db.submission(first)
    assert submission is not None and submission.problem_id == "one"
    assert [s.filename for s in db.submissions(problem_id="two")] == ["b.py"]
    assert [s.filename for s in db.submissions(user_id=user.id)] == ["b.py", "a.py"]
    db.close()


def test_the_api_shows_the_problem_a_submission_was_made_for(
    problem: Problem, tmp_path: Path
) -> None:
    db = Database.for_data_dir(tmp_path)
    _, token = auth.create_user(db, "ada", "correct horse battery", admin=False)
    db.close()
    settings = Settings(problem=problem, data_dir=tmp_path, judging_threads=1)
    headers = {"Authorization": f"Bearer {token}"}
    with app_client(settings) as client:
        response = client.post(
            "/api/submissions", headers=headers, files={"file": ("s.py", b"x = 1\n")}
        )
        assert response.status_code == 202, response.text
        listed = client.get("/api/submissions", headers=headers).json()["submissions"]
    assert [s["problem_id"] for s in listed] == [problem.id]
