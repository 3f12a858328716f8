"""Similarity between submissions of different users (web.similarity_scan): the pairs at or
above the threshold, first_id < second_id, with each file's matching regions as JSON
[[start, end], ...] character offsets; and which submissions the scan has compared."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_similarity"
down_revision = "0002_distributed"
branch_labels = None
depends_on = None


def _submission(name: str) -> sa.Column[int]:
    return sa.Column(
        name,
        sa.Integer,
        sa.ForeignKey("submissions.id", ondelete="CASCADE"),
        nullable=False,
        autoincrement=False,
    )


def upgrade() -> None:
    op.create_table(
        "similarity_pairs",
        _submission("first_id"),
        _submission("second_id"),
        sa.Column("score", sa.Float, nullable=False),  # double precision on PostgreSQL
        sa.Column("first_regions", sa.Text, nullable=False),
        sa.Column("second_regions", sa.Text, nullable=False),
        sa.Column("computed_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("first_id", "second_id"),
    )
    op.create_index("similarity_pairs_by_score", "similarity_pairs", ["score"])
    op.create_table(
        "similarity_checked",
        _submission("submission_id"),
        sa.Column("checked_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("submission_id"),
    )


def downgrade() -> None:
    op.drop_table("similarity_checked")
    op.drop_index("similarity_pairs_by_score", table_name="similarity_pairs")
    op.drop_table("similarity_pairs")
