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
from pathlib import Path
from typing import Any

from judgekit.judge import strict_json
from judgekit.web.class_queries import ClassQueries
from judgekit.web.records import (
    SUBMISSION_COLUMNS,
    SUBMISSION_FROM,
    USER_COLUMNS,
    Status,
    Submission,
    TooManyPending,
    User,
    submission_row,
    user_row,
)
from judgekit.web.schema import migrate

__all__ = ["DB_FILE", "Database", "Status", "Submission", "TooManyPending", "User"]

DB_FILE = "judge.sqlite3"


class Database(ClassQueries):
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
            migrate(connection)

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
        rows = self._query(f"SELECT {USER_COLUMNS} FROM users WHERE name = ?", (name,))
        return user_row(rows[0]) if rows else None

    def user_by_id(self, user_id: int) -> User | None:
        rows = self._query(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", (user_id,))
        return user_row(rows[0]) if rows else None

    def user_by_token_hash(self, token_hash: str) -> User | None:
        rows = self._query(f"SELECT {USER_COLUMNS} FROM users WHERE token_hash = ?", (token_hash,))
        return user_row(rows[0]) if rows else None

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
            f"SELECT {', '.join('u.' + c for c in USER_COLUMNS.split(', '))} "
            "FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.token_hash = ? AND s.expires_at > ?",
            (token_hash, time.time()),
        )
        return user_row(rows[0]) if rows else None

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
        problem_id: str | None = None,
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
                "sha256, device, status, problem_id) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?)",
                (user_id, time.time(), filename, stored_name, size, sha256, device, problem_id),
            )
            return int(cursor.lastrowid or 0)

    def submission(self, submission_id: int) -> Submission | None:
        rows = self._query(
            f"SELECT {SUBMISSION_COLUMNS} {SUBMISSION_FROM} WHERE s.id = ?", (submission_id,)
        )
        return submission_row(rows[0]) if rows else None

    def submissions(
        self, *, user_id: int | None = None, problem_id: str | None = None, limit: int = 200
    ) -> list[Submission]:
        """Newest first; all users' when user_id is None, all problems' when problem_id is."""
        conditions: list[str] = []
        params: list[Any] = []
        if user_id is not None:
            conditions.append("s.user_id = ?")
            params.append(user_id)
        if problem_id is not None:
            conditions.append("s.problem_id = ?")
            params.append(problem_id)
        where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
        rows = self._query(
            f"SELECT {SUBMISSION_COLUMNS} {SUBMISSION_FROM} {where}ORDER BY s.id DESC LIMIT ?",
            (*params, limit),
        )
        return [submission_row(row) for row in rows]

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
