"""The judge database upgrades an existing file in place, and records which problem each
submission was made for."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from judgekit.package.problem import Problem
from judgekit.web import auth
from judgekit.web.app import create_app
from judgekit.web.db import Database
from judgekit.web.schema import MIGRATIONS
from judgekit.web.settings import Settings
from web_support import InstantFakeJudge


def _version_one_database(path: Path) -> None:
    """A database file as the first schema left it, with one user and one submission."""
    connection = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.execute("PRAGMA user_version=1")
    connection.execute(
        "INSERT INTO users (id, name, password_hash, created_at) VALUES (1, 'ada', 'x', 0)"
    )
    connection.execute(
        "INSERT INTO submissions (user_id, created_at, filename, stored_name, size, sha256, "
        "device, status) VALUES (1, 0, 'old.py', 'old', 1, 'h', 'cpu', 'done')"
    )
    connection.close()


def test_an_old_database_is_upgraded_and_its_rows_have_no_problem_id(tmp_path: Path) -> None:
    path = tmp_path / "judge.sqlite3"
    _version_one_database(path)
    db = Database(path)
    assert db.schema_version == len(MIGRATIONS)
    (old,) = db.submissions()
    assert old.filename == "old.py" and old.problem_id is None
    db.close()


def test_each_new_submission_records_its_problem_and_lists_filter_by_it(tmp_path: Path) -> None:
    db = Database(tmp_path / "judge.sqlite3")
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
    db = Database(tmp_path / "judge.sqlite3")
    _, token = auth.create_user(db, "ada", "correct horse battery", admin=False)
    db.close()
    settings = Settings(problem=problem, data_dir=tmp_path, workers=1)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings, InstantFakeJudge())) as client:
        response = client.post(
            "/api/submissions", headers=headers, files={"file": ("s.py", b"x = 1\n")}
        )
        assert response.status_code == 202, response.text
        listed = client.get("/api/submissions", headers=headers).json()["submissions"]
    assert [s["problem_id"] for s in listed] == [problem.id]
