"""Reading submissions, and the queue as judge hosts (distributed judging) use it: `claim` a
submission under a lease, `renew_lease` while judging, and `requeue_expired_leases` for the
ones whose judge host went away; plus the judge hosts' heartbeats.

A lease is `lease_until` (epoch seconds) and `judge_host` on a running row; in-process runs
(`claim_next`) have neither, which is how `requeue_interrupted` tells the two apart.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from judgekit.judge import strict_json
from judgekit.web.db.connection import Store
from judgekit.web.db.records import (
    JudgeHostStatus,
    Status,
    Submission,
    judge_host_row,
    submission_row,
)
from judgekit.web.db.tables import (
    JUDGE_HOST_SELECT,
    SUBMISSION_SELECT,
    case_results,
    held_by,
    judge_hosts,
    submissions,
)

NO_LEASE: Mapping[str, Any] = MappingProxyType({"lease_until": None, "judge_host": None})
UNJUDGED: Mapping[str, Any] = MappingProxyType(
    {"status": Status.QUEUED.value, "started_at": None, **NO_LEASE}
)
"""A submission back in the queue, as if never claimed (its attempts stay counted)."""


def _start(connection: Connection, submission_id: int, now: float, **lease: Any) -> None:
    """Move SUBMISSION_ID to running, one attempt more, its live case rows gone."""
    connection.execute(
        update(submissions)
        .where(submissions.c.id == submission_id)
        .values(
            status=Status.RUNNING.value,
            attempts=submissions.c.attempts + 1,
            started_at=now,
            **(lease or NO_LEASE),
        )
    )
    connection.execute(delete(case_results).where(case_results.c.submission_id == submission_id))


def _lease_expired(now: float) -> Any:
    return and_(
        submissions.c.status == Status.RUNNING.value,
        submissions.c.lease_until.is_not(None),
        submissions.c.lease_until < now,
    )


class Leases(Store):
    def submission(self, submission_id: int) -> Submission | None:
        rows = self._read(SUBMISSION_SELECT.where(submissions.c.id == submission_id))
        return submission_row(rows[0]) if rows else None

    def queued_submissions(self, limit: int | None = None) -> list[Submission]:
        """Queued submissions, oldest first."""
        statement = SUBMISSION_SELECT.where(submissions.c.status == Status.QUEUED.value).order_by(
            submissions.c.id
        )
        if limit is not None:
            statement = statement.limit(limit)
        return [submission_row(row) for row in self._read(statement)]

    def claim_next(self) -> Submission | None:
        """Atomically move the oldest queued submission to running (no lease: in-process)."""
        with self.transaction() as connection:
            submission_id = connection.execute(
                select(submissions.c.id)
                .where(submissions.c.status == Status.QUEUED.value)
                .order_by(submissions.c.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).scalar()
            if submission_id is None:
                return None
            _start(connection, submission_id, time.time())
        return self.submission(int(submission_id))

    def claim(self, submission_id: int, judge_host: str, lease_s: float) -> Submission | None:
        """Run SUBMISSION_ID on JUDGE_HOST for LEASE_S seconds if it is queued or its lease has
        run out; None if it is done, judged under a live lease, or unknown."""
        now = time.time()
        with self.transaction() as connection:
            found = connection.execute(
                select(submissions.c.id)
                .where(
                    submissions.c.id == submission_id,
                    or_(submissions.c.status == Status.QUEUED.value, _lease_expired(now)),
                )
                .with_for_update(skip_locked=True)
            ).scalar()
            if found is None:
                return None
            _start(connection, submission_id, now, lease_until=now + lease_s, judge_host=judge_host)
        return self.submission(submission_id)

    def renew_lease(self, submission_id: int, attempt: int, lease_s: float) -> bool:
        """Extend the lease of a running attempt; False if that attempt is no longer running."""
        with self.transaction() as connection:
            result = connection.execute(
                update(submissions)
                .where(
                    held_by(submission_id, attempt),
                    submissions.c.lease_until.is_not(None),
                )
                .values(lease_until=time.time() + lease_s)
            )
            return result.rowcount == 1

    def requeue_expired_leases(self) -> list[int]:
        """Put running submissions whose lease ran out back in the queue; their ids."""
        with self.transaction() as connection:
            rows = connection.execute(
                update(submissions)
                .where(_lease_expired(time.time()))
                .values(**UNJUDGED)
                .returning(submissions.c.id)
            ).all()
        return sorted(int(row[0]) for row in rows)

    def record_judge_host_heartbeat(
        self,
        name: str,
        device: str,
        image: str,
        versions: dict[str, str],
        submission_id: int | None,
    ) -> None:
        """Insert or update judge host NAME's row; its first heartbeat sets started_at."""
        now = time.time()
        values = {
            "device": device,
            "image": image,
            "versions_json": strict_json.dumps(versions, sort_keys=True),
            "heartbeat_at": now,
            "submission_id": submission_id,
        }

        def upsert(connection: Connection) -> None:
            existing = connection.execute(
                select(judge_hosts.c.name).where(judge_hosts.c.name == name).with_for_update()
            ).scalar()
            if existing is None:
                connection.execute(insert(judge_hosts).values(name=name, started_at=now, **values))
            else:
                connection.execute(
                    update(judge_hosts).where(judge_hosts.c.name == name).values(**values)
                )

        # Two first heartbeats at once on PostgreSQL: the other inserted; the retry updates it.
        self.transaction_retried(upsert)

    def judge_host_statuses(self) -> list[JudgeHostStatus]:
        """Every judge host (slot) that ever sent a heartbeat, the newest heartbeat first."""
        rows = self._read(
            JUDGE_HOST_SELECT.order_by(judge_hosts.c.heartbeat_at.desc(), judge_hosts.c.name)
        )
        return [judge_host_row(row) for row in rows]
