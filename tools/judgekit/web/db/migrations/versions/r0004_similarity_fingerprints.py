"""The similarity scan out of the web process (web.similarity_worker): each learner's latest
scanned submission's fingerprint, stored compactly (web.similarity.Fingerprint.to_bytes: zlib of
int64 k-gram hashes and uint32 positions), so pairs are scored from the database in batches
instead of a cache in memory; and what the scan did with each submission it looked at
(compared, skipped by the per-learner limit, or failed: over the worker's memory or time).

Submissions compared before this revision keep their pairs and count as compared, but have no
stored fingerprint: a learner is compared against again from their next scanned submission."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_similarity_fingerprints"
down_revision = "0003_similarity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "similarity_fingerprints",
        sa.Column(
            "submission_id",
            sa.Integer,
            sa.ForeignKey("submissions.id", ondelete="CASCADE"),
            nullable=False,
            autoincrement=False,
        ),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("fingerprint", sa.LargeBinary, nullable=False),  # BLOB; bytea on PostgreSQL
        sa.Column("source_bytes", sa.Integer, nullable=False),
        sa.Column("computed_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("submission_id"),
    )
    op.create_index(
        "similarity_fingerprints_by_user", "similarity_fingerprints", ["user_id", "submission_id"]
    )
    with op.batch_alter_table("similarity_checked") as table:
        table.add_column(
            sa.Column("outcome", sa.Text, nullable=False, server_default="compared"),
        )


def downgrade() -> None:
    with op.batch_alter_table("similarity_checked") as table:
        table.drop_column("outcome")
    op.drop_index("similarity_fingerprints_by_user", table_name="similarity_fingerprints")
    op.drop_table("similarity_fingerprints")
