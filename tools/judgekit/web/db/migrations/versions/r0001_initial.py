"""The schema as it was before Alembic (PRAGMA user_version 2): users, sessions, submissions
(with problem_id) and live case results."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("is_admin", sa.Integer, nullable=False, server_default="0"),
        sa.Column("token_hash", sa.Text, unique=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("stored_name", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("device", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("verdict", sa.Text),
        sa.Column("passed", sa.Integer),
        sa.Column("total", sa.Integer),
        sa.Column("time_ms", sa.Integer),
        sa.Column("result_json", sa.Text),
        sa.Column("started_at", sa.Float),
        sa.Column("finished_at", sa.Float),
        sa.Column("problem_id", sa.Text),
        sa.CheckConstraint("status IN ('queued', 'running', 'done')", name="submission_status"),
        sqlite_autoincrement=True,  # ids are never reused, as before
    )
    op.create_index("submissions_by_user", "submissions", ["user_id", "id"])
    op.create_index("submissions_by_status", "submissions", ["status", "id"])
    op.create_index("submissions_by_problem", "submissions", ["problem_id", "id"])
    op.create_table(
        "case_results",
        sa.Column(
            "submission_id",
            sa.Integer,
            sa.ForeignKey("submissions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("case_json", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "seq"),
    )


def downgrade() -> None:
    for table in ("case_results", "submissions", "sessions", "users"):
        op.drop_table(table)
