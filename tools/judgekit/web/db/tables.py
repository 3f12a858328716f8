"""The judge database's tables as SQLAlchemy Core objects, for queries and for Alembic's
autogenerate. The schema itself is made by the migrations (judgekit/web/db/migrations); the two
must agree, and tests/test_web_schema.py checks that they do on every backend."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
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
    Column("is_admin", Integer, nullable=False, server_default="0"),
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
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("verdict", Text),
    Column("passed", Integer),
    Column("total", Integer),
    Column("time_ms", Integer),
    Column("result_json", Text),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("problem_id", Text),
    Column("lease_until", Float),
    Column("judge_host", Text),
    CheckConstraint(
        f"status IN ({', '.join(repr(status.value) for status in Status)})",
        name="submission_status",
    ),
    Index("submissions_by_user", "user_id", "id"),
    Index("submissions_by_status", "status", "id"),
    Index("submissions_by_problem", "problem_id", "id"),
    sqlite_autoincrement=True,  # ids are never reused
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

judge_hosts = Table(
    "judge_hosts",
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
    Index("similarity_pairs_by_score", "score"),
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
    Column("outcome", Text, nullable=False, server_default="compared"),
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
    Index("similarity_fingerprints_by_user", "user_id", "submission_id"),
)

# The columns of records.User, records.Submission and records.JudgeHostStatus, by name.
USER_SELECT = select(
    users.c.id, users.c.name, users.c.password_hash, users.c.is_admin, users.c.created_at
)
SUBMISSION_SELECT = select(submissions, users.c.name.label("user_name")).join_from(
    submissions, users, users.c.id == submissions.c.user_id
)
JUDGE_HOST_SELECT = select(judge_hosts)


def held_by(submission_id: int, attempt: int) -> ColumnElement[bool]:
    """The submission is running, and ATTEMPT is the attempt that claimed it: the one condition
    under which a case, a result, a retry or a lease renewal may be stored."""
    return and_(
        submissions.c.id == submission_id,
        submissions.c.status == Status.RUNNING.value,
        submissions.c.attempts == attempt,
    )
