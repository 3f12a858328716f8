"""The judge database's queries for a class: queue position, grade export, similarity pairs.

A base of `Database` (db.py), kept apart because db.py is near its size limit. SQLAlchemy Core
only, the same statements on SQLite and PostgreSQL (see web.store); the similarity tables are
made by migrations/versions/r0003_similarity.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, insert, select, true
from sqlalchemy.exc import IntegrityError

from judgekit.web.records import Status, Submission, submission_row
from judgekit.web.store import Store
from judgekit.web.tables import (
    SUBMISSION_SELECT,
    similarity_checked,
    similarity_pairs,
    submissions,
    users,
)

_DONE = Status.DONE.value


class ClassQueries(Store):
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

    def unchecked_for_similarity(self, limit: int = 50) -> list[Submission]:
        """Finished submissions the similarity scan has not compared yet, oldest first."""
        checked = select(similarity_checked.c.submission_id).where(
            similarity_checked.c.submission_id == submissions.c.id
        )
        rows = self._read(
            SUBMISSION_SELECT.where(submissions.c.status == _DONE, ~checked.exists())
            .order_by(submissions.c.id)
            .limit(limit)
        )
        return [submission_row(row) for row in rows]

    def latest_of_other_users(self, submission: Submission) -> list[Submission]:
        """Every other user's latest finished submission made before or after SUBMISSION."""
        latest = submissions.alias("l")
        latest_id = (
            select(func.max(latest.c.id))
            .where(latest.c.user_id == submissions.c.user_id, latest.c.status == _DONE)
            .scalar_subquery()
        )
        rows = self._read(
            SUBMISSION_SELECT.where(
                submissions.c.user_id != submission.user_id,
                submissions.c.status == _DONE,
                submissions.c.id == latest_id,
            ).order_by(submissions.c.id)
        )
        return [submission_row(row) for row in rows]

    def record_similarity(
        self, submission_id: int, pairs: Sequence[tuple[int, int, float, str, str]]
    ) -> None:
        """Store PAIRS (first_id < second_id, score, first and second regions as JSON) found
        for SUBMISSION_ID and mark it checked, in one transaction."""
        now = time.time()
        for tries_left in (1, 0):
            try:
                with self.transaction() as connection:
                    for first, second, score, first_regions, second_regions in pairs:
                        connection.execute(
                            delete(similarity_pairs).where(
                                similarity_pairs.c.first_id == first,
                                similarity_pairs.c.second_id == second,
                            )
                        )
                        connection.execute(
                            insert(similarity_pairs).values(
                                first_id=first,
                                second_id=second,
                                score=score,
                                first_regions=first_regions,
                                second_regions=second_regions,
                                computed_at=now,
                            )
                        )
                    connection.execute(
                        delete(similarity_checked).where(
                            similarity_checked.c.submission_id == submission_id
                        )
                    )
                    connection.execute(
                        insert(similarity_checked).values(
                            submission_id=submission_id, checked_at=now
                        )
                    )
                return
            except IntegrityError:
                # Another web process's scan stored the same pair at once (PostgreSQL's READ
                # COMMITTED; SQLite's BEGIN IMMEDIATE serialises): do it again over theirs.
                if not tries_left:
                    raise

    def similarity_pairs(self, limit: int = 500) -> list[tuple[Any, ...]]:
        """(first_id, first_user, second_id, second_user, score), most similar first."""
        pair = similarity_pairs
        first, second = submissions.alias("s1"), submissions.alias("s2")
        first_user, second_user = users.alias("u1"), users.alias("u2")
        statement = (
            select(pair.c.first_id, first_user.c.name, pair.c.second_id, second_user.c.name)
            .add_columns(pair.c.score)
            .select_from(
                pair.join(first, first.c.id == pair.c.first_id)
                .join(first_user, first_user.c.id == first.c.user_id)
                .join(second, second.c.id == pair.c.second_id)
                .join(second_user, second_user.c.id == second.c.user_id)
            )
            .order_by(pair.c.score.desc(), pair.c.first_id, pair.c.second_id)
            .limit(limit)
        )
        return [tuple(row) for row in self._read(statement)]

    def similarity_pair(self, first_id: int, second_id: int) -> tuple[float, str, str] | None:
        """(score, first regions JSON, second regions JSON) of one stored pair."""
        rows = self._read(
            select(
                similarity_pairs.c.score,
                similarity_pairs.c.first_regions,
                similarity_pairs.c.second_regions,
            ).where(
                similarity_pairs.c.first_id == first_id, similarity_pairs.c.second_id == second_id
            )
        )
        return (float(rows[0][0]), str(rows[0][1]), str(rows[0][2])) if rows else None


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
