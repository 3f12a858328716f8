"""The judge database's queries for a class: queue position, grade export, and (from its base,
db/similarity.py) the similarity scan's.

A base of `Database` (db.py), kept apart because db.py is near its size limit. SQLAlchemy Core
only, the same statements on SQLite and PostgreSQL (see web.db.connection).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select, true

from judgekit.web.db.records import Status
from judgekit.web.db.similarity import SimilarityQueries
from judgekit.web.db.tables import submissions, users

_DONE = Status.DONE.value


class ClassQueries(SimilarityQueries):
    """Queries for the class views."""

    def queue_ahead(self, submission_id: int) -> int | None:
        """How many queued submissions of the same device are ahead of this one (lower id);
        None when it is not queued."""
        other = submissions.alias("o")
        ahead = (
            select(func.count())
            .select_from(other)
            .where(
                other.c.device == submissions.c.device,
                other.c.status == Status.QUEUED.value,
                other.c.id < submissions.c.id,
            )
            .scalar_subquery()
        )
        rows = self._read(
            select(ahead).where(
                submissions.c.id == submission_id, submissions.c.status == Status.QUEUED.value
            )
        )
        return int(rows[0][0]) if rows else None

    def recent_judging_times(self, limit: int = 20) -> list[float]:
        """finished_at - started_at of the LIMIT most recently finished submissions, in s."""
        rows = self._read(
            select(submissions.c.finished_at - submissions.c.started_at)
            .where(
                submissions.c.status == _DONE,
                submissions.c.started_at.is_not(None),
                submissions.c.finished_at.is_not(None),
            )
            .order_by(submissions.c.finished_at.desc(), submissions.c.id.desc())
            .limit(limit)
        )
        return [max(0.0, float(row[0])) for row in rows]

    def grade_rows(
        self, *, deadline: float | None = None, page_size: int = 500
    ) -> Iterator[tuple[Any, ...]]:
        """Per non-admin user, in id order: (user_id, name, attempts, best_id, best_verdict,
        best_passed, best_total, first_ac_id, first_ac_at). Best: AC first, then most cases
        passed, then earliest. Only submissions made at or before DEADLINE count. Read in
        keyset pages of PAGE_SIZE users, so a large class is never all in memory."""
        after = 0
        while True:
            rows = self._read(_grades_page(after, page_size, deadline))
            yield from (tuple(row) for row in rows)
            if len(rows) < page_size:
                return
            after = int(rows[-1][0])


def _grades_page(after: int, page_size: int, deadline: float | None) -> Any:
    """The SELECT of Database.grade_rows for the PAGE_SIZE non-admin users after id AFTER."""

    def made(table: Any) -> ColumnElement[bool]:
        return true() if deadline is None else table.c.created_at <= deadline

    page = (
        select(users.c.id, users.c.name)
        .where(users.c.id > after, users.c.is_admin == 0)  # is_admin: INTEGER on every backend
        .order_by(users.c.id)
        .limit(page_size)
        .cte("page")
    )
    done = submissions.alias("s")
    place = (
        func.row_number()
        .over(
            partition_by=done.c.user_id,
            order_by=(
                case((done.c.verdict == "AC", 1), else_=0).desc(),
                func.coalesce(done.c.passed, -1).desc(),
                done.c.id,
            ),
        )
        .label("place")
    )
    ranked = (
        select(done.c.user_id, done.c.id, done.c.verdict, done.c.passed, done.c.total, place)
        .join_from(done, page, page.c.id == done.c.user_id)
        .where(done.c.status == _DONE, made(done))
        .cte("ranked")
    )
    counted = submissions.alias("c")
    attempts = (
        select(func.count())
        .select_from(counted)
        .where(counted.c.user_id == page.c.id, made(counted))
        .correlate(page)
        .scalar_subquery()
    )
    accepted = submissions.alias("a")
    first_ac_id = (
        select(func.min(accepted.c.id))
        .where(accepted.c.user_id == page.c.id, accepted.c.verdict == "AC", made(accepted))
        .correlate(page)
        .scalar_subquery()
    )
    first_ac = submissions.alias("f")
    return (
        select(page.c.id, page.c.name, attempts)
        .add_columns(ranked.c.id, ranked.c.verdict, ranked.c.passed, ranked.c.total)
        .add_columns(first_ac.c.id, first_ac.c.created_at)
        .select_from(
            page.outerjoin(
                ranked, and_(ranked.c.user_id == page.c.id, ranked.c.place == 1)
            ).outerjoin(first_ac, first_ac.c.id == first_ac_id)
        )
        .order_by(page.c.id)
    )
