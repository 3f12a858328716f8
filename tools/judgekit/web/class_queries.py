"""The judge database's queries for a class: queue position, grade export, similarity pairs.

A mixin of `Database` (db.py), kept apart because db.py is at its size limit. Portable SQL
only, for SQLite and PostgreSQL alike: no SQLite-only functions, booleans bound as parameters,
no reliance on loose typing. Writes go through `transaction()`, reads through `_query()`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from judgekit.web.records import SUBMISSION_COLUMNS, SUBMISSION_FROM, Submission, submission_row


class ClassQueries:
    """Queries for the class views; `Database` supplies the connection helpers."""

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def queue_ahead(self, submission_id: int) -> int | None:
        """How many queued submissions of the same device are ahead of this one (lower id);
        None when it is not queued."""
        rows = self._query(
            "SELECT (SELECT COUNT(*) FROM submissions o WHERE o.device = s.device "
            "AND o.status = 'queued' AND o.id < s.id) "
            "FROM submissions s WHERE s.id = ? AND s.status = 'queued'",
            (submission_id,),
        )
        return int(rows[0][0]) if rows else None

    def recent_judging_times(self, limit: int = 20) -> list[float]:
        """finished_at - started_at of the LIMIT most recently finished submissions, in s."""
        rows = self._query(
            "SELECT finished_at - started_at FROM submissions "
            "WHERE status = 'done' AND started_at IS NOT NULL AND finished_at IS NOT NULL "
            "ORDER BY finished_at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [max(0.0, float(row[0])) for row in rows]

    def grade_rows(
        self, *, deadline: float | None = None, page_size: int = 500
    ) -> Iterator[tuple[Any, ...]]:
        """Per non-admin user, in id order: (user_id, name, attempts, best_id, best_verdict,
        best_passed, best_total, first_ac_id, first_ac_at). Best: AC first, then most cases
        passed, then earliest. Only submissions made at or before DEADLINE count. Read in
        keyset pages of PAGE_SIZE users, so a large class is never all in memory."""
        made = "" if deadline is None else " AND {0}.created_at <= ?"
        limit: tuple[Any, ...] = () if deadline is None else (deadline,)
        sql = (
            "WITH page AS (SELECT id, name, is_admin FROM users WHERE id > ? "
            "ORDER BY id LIMIT ?), "
            "ranked AS (SELECT s.user_id, s.id, s.verdict, s.passed, s.total, "
            "ROW_NUMBER() OVER (PARTITION BY s.user_id ORDER BY "
            "CASE WHEN s.verdict = 'AC' THEN 1 ELSE 0 END DESC, "
            "COALESCE(s.passed, -1) DESC, s.id) AS place "
            f"FROM submissions s JOIN page p ON p.id = s.user_id "
            f"WHERE s.status = 'done'{made.format('s')}) "
            "SELECT p.id, p.name, "
            f"(SELECT COUNT(*) FROM submissions c WHERE c.user_id = p.id{made.format('c')}), "
            "b.id, b.verdict, b.passed, b.total, f.id, f.created_at, p.is_admin "
            "FROM page p LEFT JOIN ranked b ON b.user_id = p.id AND b.place = 1 "
            "LEFT JOIN submissions f ON f.id = (SELECT MIN(a.id) FROM submissions a "
            f"WHERE a.user_id = p.id AND a.verdict = 'AC'{made.format('a')}) "
            "ORDER BY p.id"
        )
        after = 0
        while True:
            rows = self._query(sql, (after, page_size, *limit, *limit, *limit))
            # Admins are dropped here, not in SQL: is_admin is an INTEGER in SQLite and may be
            # a BOOLEAN elsewhere, and no comparison suits both.
            yield from (tuple(row[:-1]) for row in rows if not row[-1])
            if len(rows) < page_size:
                return
            after = int(rows[-1][0])

    def unchecked_for_similarity(self, limit: int = 50) -> list[Submission]:
        """Finished submissions the similarity scan has not compared yet, oldest first."""
        rows = self._query(
            f"SELECT {SUBMISSION_COLUMNS} {SUBMISSION_FROM} "
            "WHERE s.status = 'done' AND NOT EXISTS "
            "(SELECT 1 FROM similarity_checked c WHERE c.submission_id = s.id) "
            "ORDER BY s.id LIMIT ?",
            (limit,),
        )
        return [submission_row(row) for row in rows]

    def latest_of_other_users(self, submission: Submission) -> list[Submission]:
        """Every other user's latest finished submission made before or after SUBMISSION."""
        rows = self._query(
            f"SELECT {SUBMISSION_COLUMNS} {SUBMISSION_FROM} "
            "WHERE s.user_id != ? AND s.status = 'done' AND s.id = "
            "(SELECT MAX(l.id) FROM submissions l WHERE l.user_id = s.user_id "
            "AND l.status = 'done') ORDER BY s.id",
            (submission.user_id,),
        )
        return [submission_row(row) for row in rows]

    def record_similarity(
        self, submission_id: int, pairs: Sequence[tuple[int, int, float, str, str]]
    ) -> None:
        """Store PAIRS (first_id < second_id, score, first and second regions as JSON) found
        for SUBMISSION_ID and mark it checked, in one transaction."""
        now = time.time()
        with self.transaction() as connection:
            for first, second, score, first_regions, second_regions in pairs:
                connection.execute(
                    "DELETE FROM similarity_pairs WHERE first_id = ? AND second_id = ?",
                    (first, second),
                )
                connection.execute(
                    "INSERT INTO similarity_pairs (first_id, second_id, score, first_regions, "
                    "second_regions, computed_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (first, second, score, first_regions, second_regions, now),
                )
            connection.execute(
                "DELETE FROM similarity_checked WHERE submission_id = ?", (submission_id,)
            )
            connection.execute(
                "INSERT INTO similarity_checked (submission_id, checked_at) VALUES (?, ?)",
                (submission_id, now),
            )

    def similarity_pairs(self, limit: int = 500) -> list[tuple[Any, ...]]:
        """(first_id, first_user, second_id, second_user, score), most similar first."""
        return [
            tuple(row)
            for row in self._query(
                "SELECT p.first_id, u1.name, p.second_id, u2.name, p.score "
                "FROM similarity_pairs p "
                "JOIN submissions s1 ON s1.id = p.first_id JOIN users u1 ON u1.id = s1.user_id "
                "JOIN submissions s2 ON s2.id = p.second_id JOIN users u2 ON u2.id = s2.user_id "
                "ORDER BY p.score DESC, p.first_id, p.second_id LIMIT ?",
                (limit,),
            )
        ]

    def similarity_pair(self, first_id: int, second_id: int) -> tuple[float, str, str] | None:
        """(score, first regions JSON, second regions JSON) of one stored pair."""
        rows = self._query(
            "SELECT score, first_regions, second_regions FROM similarity_pairs "
            "WHERE first_id = ? AND second_id = ?",
            (first_id, second_id),
        )
        return (float(rows[0][0]), str(rows[0][1]), str(rows[0][2])) if rows else None
