"""The judge database's tables as SQLAlchemy Core objects, for queries (the schema itself is
made by the Alembic migrations in judgekit/web/migrations; the two must agree)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ColumnElement,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    and_,
    select,
)

from judgekit.web.db.records import Status

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("is_admin", Integer, nullable=False, default=0),
    Column("token_hash", Text, unique=True),
    Column("created_at", Float, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("filename", Text, nullable=False),
    Column("stored_name", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("device", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("verdict", Text),
    Column("passed", Integer),
    Column("total", Integer),
    Column("time_ms", Integer),
    Column("result_json", Text),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("problem_id", Text),
    Column("lease_until", Float),
    Column("worker", Text),
)

case_results = Table(
    "case_results",
    metadata,
    Column(
        "submission_id",
        Integer,
        ForeignKey("submissions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("attempt", Integer, nullable=False),
    Column("seq", Integer, primary_key=True),
    Column("case_json", Text, nullable=False),
)

workers = Table(
    "workers",
    metadata,
    Column("name", Text, primary_key=True),
    Column("device", Text, nullable=False),
    Column("image", Text, nullable=False),
    Column("versions_json", Text, nullable=False),
    Column("started_at", Float, nullable=False),
    Column("heartbeat_at", Float, nullable=False),
    Column("submission_id", Integer),
)

# Similarity between submissions of different users, found by the background scan
# (web.similarity.scan): pairs at or above the threshold (first_id < second_id) with each
# file's matching regions as JSON [[start, end], ...] character offsets, and which submissions
# were scanned (outcome: compared, skipped by the per-learner limit, or failed).
similarity_pairs = Table(
    "similarity_pairs",
    metadata,
    Column("first_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "second_id", Integer, ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("score", Float, nullable=False),
    Column("first_regions", Text, nullable=False),
    Column("second_regions", Text, nullable=False),
    Column("computed_at", Float, nullable=False),
)

similarity_checked = Table(
    "similarity_checked",
    metadata,
    Column(
        "submission_id",
        Integer,
        ForeignKey("submissions.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("checked_at", Float, nullable=False),
    Column("outcome", Text, nullable=False, default="compared"),
)

# Each learner's latest scanned submission's fingerprint (web.similarity.Fingerprint.to_bytes),
# made by the scan's child process (web.similarity.child); what pairs are scored from.
similarity_fingerprints = Table(
    "similarity_fingerprints",
    metadata,
    Column(
        "submission_id",
        Integer,
        ForeignKey("submissions.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("fingerprint", LargeBinary, nullable=False),
    Column("source_bytes", Integer, nullable=False),
    Column("computed_at", Float, nullable=False),
)

USER_SELECT = select(
    users.c.id, users.c.name, users.c.password_hash, users.c.is_admin, users.c.created_at
)

# The order of records.Submission's fields.
SUBMISSION_SELECT = select(
    submissions.c.id,
    submissions.c.user_id,
    users.c.name,
    *(
        submissions.c[name]
        for name in (
            "created_at",
            "filename",
            "stored_name",
            "size",
            "sha256",
            "device",
            "status",
            "attempts",
            "verdict",
            "passed",
            "total",
            "time_ms",
            "result_json",
            "started_at",
            "finished_at",
            "problem_id",
            "lease_until",
            "worker",
        )
    ),
).join_from(submissions, users, users.c.id == submissions.c.user_id)

WORKER_SELECT = select(
    workers.c.name,
    workers.c.device,
    workers.c.image,
    workers.c.versions_json,
    workers.c.started_at,
    workers.c.heartbeat_at,
    workers.c.submission_id,
)


def held_by(submission_id: int, attempt: int) -> ColumnElement[bool]:
    """The submission is running, and ATTEMPT is the attempt that claimed it: the one condition
    under which a case, a result, a retry or a lease renewal may be stored."""
    return and_(
        submissions.c.id == submission_id,
        submissions.c.status == Status.RUNNING.value,
        submissions.c.attempts == attempt,
    )
