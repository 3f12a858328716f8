"""The judge database's queries for the similarity scan: which submissions to scan next (and
which the per-learner limit skips), each learner's latest fingerprint, and the pairs found.

A base of `ClassQueries` (db/classroom.py). SQLAlchemy Core only, the same statements on SQLite
and PostgreSQL; the tables are made by migrations r0003_similarity and
r0004_similarity_fingerprints. The web process only chooses work and reads pairs; the child
process (web.similarity.child) stores fingerprints and pairs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import Connection, case, delete, exists, func, insert, select

from judgekit.web.db.connection import Store
from judgekit.web.db.records import Status
from judgekit.web.db.tables import (
    similarity_checked,
    similarity_fingerprints,
    similarity_pairs,
    submissions,
    users,
)

Outcome = Literal["compared", "skipped", "failed"]
_DONE = Status.DONE.value
_UNCHECKED = ~exists().where(similarity_checked.c.submission_id == submissions.c.id)
_IS_CE = case((submissions.c.verdict == "CE", 1), else_=0)


class SimilarityQueries(Store):
    """Queries for the similarity scan and its pages."""

    def similarity_work(self, latest_per_user: int, limit: int = 20) -> list[int]:
        """Up to LIMIT finished submissions to scan, compile errors last, oldest first. First
        marks as skipped each one not scanned yet that is not among its learner's latest
        LATEST_PER_USER of its kind (compiled or CE), unless it was accepted."""
        pending_users = select(submissions.c.user_id).where(
            submissions.c.status == _DONE, _UNCHECKED
        )
        place = (
            func.row_number()
            .over(partition_by=(submissions.c.user_id, _IS_CE), order_by=submissions.c.id.desc())
            .label("place")
        )
        ranked = (
            select(submissions.c.id, submissions.c.verdict, place)
            .where(
                submissions.c.status == _DONE,
                submissions.c.user_id.in_(pending_users.scalar_subquery()),
                _UNCHECKED,
            )
            .subquery("ranked")
        )
        superseded = select(ranked.c.id).where(
            ranked.c.place > latest_per_user, func.coalesce(ranked.c.verdict, "") != "AC"
        )

        def skip(connection: Connection) -> None:
            ids = connection.execute(superseded).scalars().all()
            if ids:
                now = time.time()
                connection.execute(
                    insert(similarity_checked),
                    [{"submission_id": i, "checked_at": now, "outcome": "skipped"} for i in ids],
                )

        if self._read(superseded.limit(1)):  # a write transaction only when there is one
            self.transaction_retried(skip)
        rows = self._read(
            select(submissions.c.id)
            .where(submissions.c.status == _DONE, _UNCHECKED)
            .order_by(_IS_CE, submissions.c.id)
            .limit(limit)
        )
        return [int(row[0]) for row in rows]

    def mark_similarity(self, submission_id: int, outcome: Outcome) -> None:
        """Record that the scan is done with SUBMISSION_ID without pairs (skipped or failed)."""

        def mark(connection: Connection) -> None:
            if (
                connection.execute(
                    select(submissions.c.id).where(submissions.c.id == submission_id)
                ).first()
                is None
            ):
                return  # deleted meanwhile
            connection.execute(
                delete(similarity_checked).where(
                    similarity_checked.c.submission_id == submission_id
                )
            )
            connection.execute(
                insert(similarity_checked).values(
                    submission_id=submission_id, checked_at=time.time(), outcome=outcome
                )
            )

        self.transaction_retried(mark)

    def similarity_outcomes(self) -> dict[str, int]:
        """How many submissions the scan compared, skipped and failed."""
        rows = self._read(
            select(similarity_checked.c.outcome, func.count()).group_by(
                similarity_checked.c.outcome
            )
        )
        return {str(outcome): int(count) for outcome, count in rows}

    def store_fingerprint(
        self, submission_id: int, user_id: int, fingerprint: bytes, source_bytes: int
    ) -> None:
        """Keep FINGERPRINT as USER_ID's latest (their older ones are deleted); nothing is kept
        when a newer submission of theirs has one already."""
        fingerprints = similarity_fingerprints

        def store(connection: Connection) -> None:
            newer = connection.execute(
                select(fingerprints.c.submission_id).where(
                    fingerprints.c.user_id == user_id,
                    fingerprints.c.submission_id > submission_id,
                )
            ).first()
            if newer is not None:
                return
            connection.execute(
                delete(fingerprints).where(
                    fingerprints.c.user_id == user_id,
                    fingerprints.c.submission_id <= submission_id,
                )
            )
            connection.execute(
                insert(fingerprints).values(
                    submission_id=submission_id,
                    user_id=user_id,
                    fingerprint=fingerprint,
                    source_bytes=source_bytes,
                    computed_at=time.time(),
                )
            )

        self.transaction_retried(store)

    def fingerprints_of_others(
        self, user_id: int, after: int = 0, limit: int = 16
    ) -> list[tuple[int, bytes]]:
        """(submission_id, fingerprint) of the other learners' latest scanned submissions with
        an id above AFTER, LIMIT at most, in id order: read a batch at a time."""
        fingerprints = similarity_fingerprints
        rows = self._read(
            select(fingerprints.c.submission_id, fingerprints.c.fingerprint)
            .where(fingerprints.c.user_id != user_id, fingerprints.c.submission_id > after)
            .order_by(fingerprints.c.submission_id)
            .limit(limit)
        )
        return [(int(row[0]), bytes(row[1])) for row in rows]

    def record_similarity(
        self, submission_id: int, pairs: Sequence[tuple[int, int, float, str, str]]
    ) -> None:
        """Store PAIRS (first_id < second_id, score, first and second regions as JSON) found
        for SUBMISSION_ID and mark it compared, in one transaction."""
        now = time.time()

        def record(connection: Connection) -> None:
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
                    submission_id=submission_id, checked_at=now, outcome="compared"
                )
            )

        self.transaction_retried(record)

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
