"""The judge's one SQLite file: users, sessions, submissions and live case results.

WAL mode with synchronous=FULL: a commit is on disk when it returns. One connection per
thread (SQLite serialises the writers; `busy_timeout` makes them wait instead of failing).
Every write that must be atomic runs in `BEGIN IMMEDIATE ... COMMIT` through `transaction()`.

Submission life cycle: queued -> running (attempts += 1) -> done. A server killed while a
submission is running leaves the row 'running'; `requeue_interrupted()` at start-up puts it
back to 'queued'. The result is written in the same transaction that sets 'done', and only by
the attempt that claimed the row, so one submission never gets two different results.

Results are stored and read as strict JSON (judgekit.judge.strict_json): rows written before that
rule, with bare NaN or escaped lone surrogates, are made strict as they are read.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from judgekit.judge import strict_json

DB_FILE = "judge.sqlite3"


class Status(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


# Each entry moves the schema one version up; PRAGMA user_version records how far we are.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        is_admin INTEGER NOT NULL DEFAULT 0,
        token_hash TEXT UNIQUE,
        created_at REAL NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id INTEGER NOT NULL REFERENCES users(id),
        created_at REAL NOT NULL,
        filename TEXT NOT NULL,
        stored_name TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        device TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done')),
        attempts INTEGER NOT NULL DEFAULT 0,
        verdict TEXT,
        passed INTEGER,
        total INTEGER,
        time_ms INTEGER,
        result_json TEXT,
        started_at REAL,
        finished_at REAL
    );
    CREATE INDEX submissions_by_user ON submissions(user_id, id);
    CREATE INDEX submissions_by_status ON submissions(status, id);
    CREATE TABLE case_results (
        submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        case_json TEXT NOT NULL,
        PRIMARY KEY (submission_id, seq)
    );
    """,
)


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

    @property
    def result(self) -> dict[str, Any] | None:
        if self.result_json is None:
            return None
        data: dict[str, Any] = strict_json.loads(self.result_json)
        return data


_SUBMISSION_COLUMNS = (
    "s.id, s.user_id, u.name, s.created_at, s.filename, s.stored_name, s.size, s.sha256, "
    "s.device, s.status, s.attempts, s.verdict, s.passed, s.total, s.time_ms, s.result_json, "
    "s.started_at, s.finished_at"
)
_SUBMISSION_FROM = "FROM submissions s JOIN users u ON u.id = s.user_id"


def _submission(row: Sequence[Any]) -> Submission:
    values = list(row)
    values[9] = Status(values[9])
    return Submission(*values)


def _user(row: Sequence[Any]) -> User:
    return User(
        id=row[0], name=row[1], password_hash=row[2], is_admin=bool(row[3]), created_at=row[4]
    )


_USER_COLUMNS = "id, name, password_hash, is_admin, created_at"


class Database:
    """Thread-safe access to the judge database: one sqlite3 connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._migrate()

    # -- connections -----------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA busy_timeout=30000")
            self._local.connection = connection
            with self._all_lock:
                self._all.append(connection)
        return connection

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on error."""
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self._connection().execute(sql, params).fetchall()

    def close(self) -> None:
        with self._all_lock:
            for connection in self._all:
                with suppress(sqlite3.Error):
                    connection.close()
            self._all.clear()
        self._local = threading.local()

    def _migrate(self) -> None:
        with self.transaction() as connection:
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        connection.execute(statement)
                connection.execute(f"PRAGMA user_version={number}")

    @property
    def schema_version(self) -> int:
        return int(self._query("PRAGMA user_version")[0][0])

    # -- users and sessions ------------------------------------------------------------------

    def add_user(self, name: str, password_hash: str, token_hash: str, *, admin: bool) -> User:
        with self.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO users (name, password_hash, is_admin, token_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, password_hash, int(admin), token_hash, time.time()),
            )
            user_id = cursor.lastrowid
        user = self.user_by_id(int(user_id or 0))
        assert user is not None
        return user

    def user_by_name(self, name: str) -> User | None:
        rows = self._query(f"SELECT {_USER_COLUMNS} FROM users WHERE name = ?", (name,))
        return _user(rows[0]) if rows else None

    def user_by_id(self, user_id: int) -> User | None:
        rows = self._query(f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    def user_by_token_hash(self, token_hash: str) -> User | None:
        rows = self._query(f"SELECT {_USER_COLUMNS} FROM users WHERE token_hash = ?", (token_hash,))
        return _user(rows[0]) if rows else None

    def add_session(self, token_hash: str, user_id: int, lifetime_s: float) -> None:
        now = time.time()
        with self.transaction() as connection:
            connection.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            connection.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (token_hash, user_id, now, now + lifetime_s),
            )

    def user_by_session(self, token_hash: str) -> User | None:
        rows = self._query(
            f"SELECT {', '.join('u.' + c for c in _USER_COLUMNS.split(', '))} "
            "FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.token_hash = ? AND s.expires_at > ?",
            (token_hash, time.time()),
        )
        return _user(rows[0]) if rows else None

    def delete_session(self, token_hash: str) -> None:
        with self.transaction() as connection:
            connection.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    # -- submissions -------------------------------------------------------------------------

    def pending_count(self, user_id: int) -> int:
        rows = self._query(
            "SELECT COUNT(*) FROM submissions WHERE user_id = ? AND status != 'done'", (user_id,)
        )
        return int(rows[0][0])

    def add_submission(
        self,
        *,
        user_id: int,
        filename: str,
        stored_name: str,
        size: int,
        sha256: str,
        device: str,
        max_pending: int,
    ) -> int:
        """Insert a queued submission and commit; raise TooManyPending instead if over quota."""
        with self.transaction() as connection:
            pending = connection.execute(
                "SELECT COUNT(*) FROM submissions WHERE user_id = ? AND status != 'done'",
                (user_id,),
            ).fetchone()[0]
            if pending >= max_pending:
                raise TooManyPending(f"{pending} submissions are still waiting for a verdict")
            cursor = connection.execute(
                "INSERT INTO submissions (user_id, created_at, filename, stored_name, size, "
                "sha256, device, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued')",
                (user_id, time.time(), filename, stored_name, size, sha256, device),
            )
            return int(cursor.lastrowid or 0)

    def submission(self, submission_id: int) -> Submission | None:
        rows = self._query(
            f"SELECT {_SUBMISSION_COLUMNS} {_SUBMISSION_FROM} WHERE s.id = ?", (submission_id,)
        )
        return _submission(rows[0]) if rows else None

    def submissions(self, *, user_id: int | None = None, limit: int = 200) -> list[Submission]:
        """Newest first; all users' when user_id is None."""
        if user_id is None:
            rows = self._query(
                f"SELECT {_SUBMISSION_COLUMNS} {_SUBMISSION_FROM} ORDER BY s.id DESC LIMIT ?",
                (limit,),
            )
        else:
            rows = self._query(
                f"SELECT {_SUBMISSION_COLUMNS} {_SUBMISSION_FROM} WHERE s.user_id = ? "
                "ORDER BY s.id DESC LIMIT ?",
                (user_id, limit),
            )
        return [_submission(row) for row in rows]

    def status_counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for status, count in self._query(
            "SELECT status, COUNT(*) FROM submissions GROUP BY status"
        ):
            counts[Status(status)] = int(count)
        return counts

    def requeue_interrupted(self) -> int:
        """Put submissions left 'running' by a killed server back in the queue."""
        with self.transaction() as connection:
            cursor = connection.execute(
                "UPDATE submissions SET status = 'queued', started_at = NULL "
                "WHERE status = 'running'"
            )
            return cursor.rowcount

    def claim_next(self) -> Submission | None:
        """Atomically move the oldest queued submission to running, one attempt more."""
        with self.transaction() as connection:
            row = connection.execute(
                "SELECT id FROM submissions WHERE status = 'queued' ORDER BY id LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            connection.execute(
                "UPDATE submissions SET status = 'running', attempts = attempts + 1, "
                "started_at = ? WHERE id = ?",
                (time.time(), row[0]),
            )
            connection.execute("DELETE FROM case_results WHERE submission_id = ?", (row[0],))
        return self.submission(int(row[0]))

    def add_case_result(self, submission_id: int, attempt: int, case: dict[str, Any]) -> bool:
        """Record one finished case of a running attempt; False if that attempt is stale."""
        with self.transaction() as connection:
            current = connection.execute(
                "SELECT attempts, status FROM submissions WHERE id = ?", (submission_id,)
            ).fetchone()
            if current is None or current[0] != attempt or current[1] != Status.RUNNING:
                return False
            seq = connection.execute(
                "SELECT COUNT(*) FROM case_results WHERE submission_id = ?", (submission_id,)
            ).fetchone()[0]
            connection.execute(
                "INSERT INTO case_results (submission_id, attempt, seq, case_json) "
                "VALUES (?, ?, ?, ?)",
                (submission_id, attempt, seq, strict_json.dumps(case)),
            )
            return True

    def case_results(self, submission_id: int, after: int = -1) -> list[tuple[int, dict[str, Any]]]:
        rows = self._query(
            "SELECT seq, case_json FROM case_results WHERE submission_id = ? AND seq > ? "
            "ORDER BY seq",
            (submission_id, after),
        )
        return [(int(seq), strict_json.loads(text)) for seq, text in rows]

    def finish(self, submission_id: int, attempt: int, result: dict[str, Any]) -> bool:
        """Store the result and mark done in one transaction, only for the claiming attempt."""
        with self.transaction() as connection:
            cursor = connection.execute(
                "UPDATE submissions SET status = 'done', verdict = ?, passed = ?, total = ?, "
                "time_ms = ?, result_json = ?, finished_at = ? "
                "WHERE id = ? AND status = 'running' AND attempts = ?",
                (
                    result.get("verdict"),
                    result.get("passed"),
                    result.get("total"),
                    result.get("time_ms"),
                    strict_json.dumps(result),
                    time.time(),
                    submission_id,
                    attempt,
                ),
            )
            if cursor.rowcount != 1:
                return False
            connection.execute("DELETE FROM case_results WHERE submission_id = ?", (submission_id,))
            return True

    def retry(self, submission_id: int, attempt: int) -> bool:
        """Put a running submission back in the queue, only for the attempt that claimed it."""
        with self.transaction() as connection:
            cursor = connection.execute(
                "UPDATE submissions SET status = 'queued', started_at = NULL "
                "WHERE id = ? AND status = 'running' AND attempts = ?",
                (submission_id, attempt),
            )
            return cursor.rowcount == 1

    def requeue(self, submission_id: int | None = None) -> int:
        """Rejudge: put one submission (or all that are done) back in the queue."""
        with self.transaction() as connection:
            where = "status = 'done'" if submission_id is None else "id = ? AND status != 'queued'"
            params: tuple[Any, ...] = () if submission_id is None else (submission_id,)
            cursor = connection.execute(
                "UPDATE submissions SET status = 'queued', verdict = NULL, passed = NULL, "
                "total = NULL, time_ms = NULL, result_json = NULL, started_at = NULL, "
                f"finished_at = NULL WHERE {where}",
                params,
            )
            return cursor.rowcount
