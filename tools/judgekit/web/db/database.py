"""The judge database: users, sessions, submissions and live case results, through
SQLAlchemy 2 Core on SQLite (the default: one file in the data folder) or PostgreSQL.
judgekit.web.db.connection says how each backend is opened and kept safe under concurrency.

Submission life cycle: queued -> running (attempts += 1) -> done. A server killed while a
submission is running leaves the row 'running'; `requeue_interrupted()` at start-up puts it
back to 'queued' (only rows without a lease: judge hosts' rows are theirs until the lease
runs out). The result is written in the same transaction that sets 'done', and only by the
attempt that claimed the row, so one submission never gets two different results.

Results are stored and read as strict JSON (judgekit.judge.strict_json): ASCII-only, so a NUL
or a lone surrogate in a message is stored escaped, which PostgreSQL's text accepts. Rows
written before that rule, with bare NaN or escaped lone surrogates, are made strict as read.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from judgekit.judge import strict_json
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.web.db.classroom import ClassQueries
from judgekit.web.db.connection import DatabaseUnavailable, sqlite_url, storable
from judgekit.web.db.queue import NO_LEASE, UNJUDGED, Leases
from judgekit.web.db.records import (
    JudgeHostStatus,
    Status,
    Submission,
    TooManyPending,
    User,
    submission_row,
    user_row,
)
from judgekit.web.db.tables import (
    SUBMISSION_SELECT,
    USER_SELECT,
    case_results,
    held_by,
    sessions,
    submissions,
    users,
)

__all__ = [
    "DB_FILE",
    "Database",
    "DatabaseUnavailable",
    "JudgeHostStatus",
    "Status",
    "Submission",
    "TooManyPending",
    "User",
    "sqlite_url",
]

DB_FILE = "judge.sqlite3"

_PENDING = submissions.c.status != Status.DONE.value


# Sessions one user may hold (browsers logged in at once); a new login ends the oldest.
MAX_SESSIONS_PER_USER = 20


class Database(Leases, ClassQueries):
    """Thread-safe access to the judge database at a SQLAlchemy URL (see `for_data_dir`)."""

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> Database:
        """The SQLite file DB_FILE in DATA_DIR (made, with the folder, if missing)."""
        return cls(sqlite_url(data_dir / DB_FILE))

    # -- users and sessions ------------------------------------------------------------------

    def add_user(self, name: str, password_hash: str, token_hash: str, *, admin: bool) -> User:
        with self.transaction() as connection:
            user_id = connection.execute(
                insert(users)
                .values(
                    name=name,
                    password_hash=password_hash,
                    is_admin=int(admin),
                    token_hash=token_hash,
                    created_at=time.time(),
                )
                .returning(users.c.id)
            ).scalar_one()
        user = self.user_by_id(int(user_id))
        assert user is not None
        return user

    def _user(self, condition: Any) -> User | None:
        rows = self._read(USER_SELECT.where(condition))
        return user_row(rows[0]) if rows else None

    def user_by_name(self, name: str) -> User | None:
        # The login form's name is anything a visitor typed; no stored name has NUL or a surrogate.
        return self._user(users.c.name == name) if storable(name) else None

    def user_by_id(self, user_id: int) -> User | None:
        return self._user(users.c.id == user_id)

    def user_by_token_hash(self, token_hash: str) -> User | None:
        return self._user(users.c.token_hash == token_hash)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self.transaction() as connection:
            connection.execute(
                update(users).where(users.c.id == user_id).values(password_hash=password_hash)
            )

    def add_session(self, token_hash: str, user_id: int, lifetime_s: float) -> None:
        now = time.time()
        with self.transaction() as connection:
            connection.execute(delete(sessions).where(sessions.c.expires_at < now))
            connection.execute(
                insert(sessions).values(
                    token_hash=token_hash,
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + lifetime_s,
                )
            )
            # Logging in again and again must not grow the table: the oldest go first.
            surplus = (
                select(sessions.c.token_hash)
                .where(sessions.c.user_id == user_id)
                .order_by(sessions.c.created_at.desc(), sessions.c.token_hash)
                .offset(MAX_SESSIONS_PER_USER)
            )
            connection.execute(delete(sessions).where(sessions.c.token_hash.in_(surplus)))

    def user_by_session(self, token_hash: str) -> User | None:
        rows = self._read(
            USER_SELECT.join_from(users, sessions, sessions.c.user_id == users.c.id).where(
                sessions.c.token_hash == token_hash, sessions.c.expires_at > time.time()
            )
        )
        return user_row(rows[0]) if rows else None

    def delete_session(self, token_hash: str) -> None:
        with self.transaction() as connection:
            connection.execute(delete(sessions).where(sessions.c.token_hash == token_hash))

    # -- submissions -------------------------------------------------------------------------

    def recent_submission_times(self, user_id: int, since: float) -> list[float]:
        """When USER_ID made each submission after SINCE (epoch seconds), oldest first."""
        rows = self._read(
            select(submissions.c.created_at)
            .where(submissions.c.user_id == user_id, submissions.c.created_at > since)
            .order_by(submissions.c.created_at)
        )
        return [float(created) for (created,) in rows]

    def stored_bytes(self, user_id: int) -> int:
        """The size of all of USER_ID's submissions."""
        rows = self._read(
            select(func.coalesce(func.sum(submissions.c.size), 0)).where(
                submissions.c.user_id == user_id
            )
        )
        return int(rows[0][0])

    def pending_count(self, user_id: int) -> int:
        rows = self._read(
            select(func.count())
            .select_from(submissions)
            .where(submissions.c.user_id == user_id, _PENDING)
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
            # The user's row lock serialises this user's submits on PostgreSQL (SQLite's
            # BEGIN IMMEDIATE already does), so the count cannot go stale before the insert.
            connection.execute(select(users.c.id).where(users.c.id == user_id).with_for_update())
            pending = connection.execute(
                select(func.count())
                .select_from(submissions)
                .where(submissions.c.user_id == user_id, _PENDING)
            ).scalar_one()
            if pending >= max_pending:
                raise TooManyPending(f"{pending} submissions are still waiting for a verdict")
            submission_id = connection.execute(
                insert(submissions)
                .values(
                    user_id=user_id,
                    created_at=time.time(),
                    filename=filename,
                    stored_name=stored_name,
                    size=size,
                    sha256=sha256,
                    device=device,
                    status=Status.QUEUED.value,
                    problem_id=problem_id,
                )
                .returning(submissions.c.id)
            ).scalar_one()
            return int(submission_id)

    def submissions(
        self, *, user_id: int | None = None, problem_id: str | None = None, limit: int = 200
    ) -> list[Submission]:
        """Newest first; all users' when user_id is None, all problems' when problem_id is."""
        statement = SUBMISSION_SELECT
        if user_id is not None:
            statement = statement.where(submissions.c.user_id == user_id)
        if problem_id is not None:
            statement = statement.where(submissions.c.problem_id == problem_id)
        rows = self._read(statement.order_by(submissions.c.id.desc()).limit(limit))
        return [submission_row(row) for row in rows]

    def status_counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        rows = self._read(select(submissions.c.status, func.count()).group_by(submissions.c.status))
        for status, count in rows:
            counts[Status(status)] = int(count)
        return counts

    def requeue_interrupted(self) -> int:
        """Put submissions left 'running' by a killed server back in the queue (only in-process
        runs: a row under a lease belongs to its judge host until the lease runs out)."""
        with self.transaction() as connection:
            result = connection.execute(
                update(submissions)
                .where(
                    submissions.c.status == Status.RUNNING.value,
                    submissions.c.lease_until.is_(None),
                )
                .values(**UNJUDGED)
            )
            return result.rowcount

    def add_case_result(self, submission_id: int, attempt: int, case: CaseResult) -> bool:
        """Record one finished case of a running attempt; False if that attempt is stale."""
        with self.transaction() as connection:
            held = connection.execute(
                select(submissions.c.id).where(held_by(submission_id, attempt)).with_for_update()
            ).first()
            if held is None:
                return False
            seq = connection.execute(
                select(func.count())
                .select_from(case_results)
                .where(case_results.c.submission_id == submission_id)
            ).scalar_one()
            connection.execute(
                insert(case_results).values(
                    submission_id=submission_id,
                    attempt=attempt,
                    seq=seq,
                    case_json=strict_json.dumps(case.to_json()),
                )
            )
            return True

    def case_results(self, submission_id: int, after: int = -1) -> list[tuple[int, CaseResult]]:
        """The live cases after sequence number AFTER; MalformedJson names a bad stored one."""
        rows = self._read(
            select(case_results.c.seq, case_results.c.case_json)
            .where(case_results.c.submission_id == submission_id, case_results.c.seq > after)
            .order_by(case_results.c.seq)
        )
        return [
            (
                int(seq),
                CaseResult.from_json(
                    strict_json.loads(text), f"stored case {seq} of submission {submission_id}"
                ),
            )
            for seq, text in rows
        ]

    def finish(self, submission_id: int, attempt: int, result: JudgeReport) -> bool:
        """Store the result and mark done in one transaction, only for the claiming attempt."""
        with self.transaction() as connection:
            updated = connection.execute(
                update(submissions)
                .where(
                    held_by(submission_id, attempt),
                )
                .values(
                    status=Status.DONE.value,
                    verdict=result.verdict.value,
                    passed=result.passed,
                    total=result.total,
                    time_ms=result.time_ms,
                    result_json=strict_json.dumps(result.to_json()),
                    finished_at=time.time(),
                    **NO_LEASE,
                )
            )
            if updated.rowcount != 1:
                return False
            connection.execute(
                delete(case_results).where(case_results.c.submission_id == submission_id)
            )
            return True

    def retry(self, submission_id: int, attempt: int) -> bool:
        """Put a running submission back in the queue, only for the attempt that claimed it."""
        with self.transaction() as connection:
            result = connection.execute(
                update(submissions)
                .where(
                    held_by(submission_id, attempt),
                )
                .values(**UNJUDGED)
            )
            return result.rowcount == 1

    def requeue(self, submission_id: int | None = None) -> int:
        """Rejudge: put one submission (or all that are done) back in the queue."""
        condition = (
            submissions.c.status == Status.DONE.value
            if submission_id is None
            else (submissions.c.id == submission_id) & (submissions.c.status != Status.QUEUED.value)
        )
        with self.transaction() as connection:
            result = connection.execute(
                update(submissions)
                .where(condition)
                .values(
                    verdict=None,
                    passed=None,
                    total=None,
                    time_ms=None,
                    result_json=None,
                    finished_at=None,
                    **UNJUDGED,
                )
            )
            return result.rowcount
