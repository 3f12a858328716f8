"""Distributed judging: submissions claimed by remote workers under a lease, and the
workers' heartbeats."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_distributed"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("lease_until", sa.Float, nullable=True))
    op.add_column("submissions", sa.Column("worker", sa.Text, nullable=True))
    op.create_table(
        "workers",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("device", sa.Text, nullable=False),
        sa.Column("image", sa.Text, nullable=False),
        sa.Column("versions_json", sa.Text, nullable=False),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("heartbeat_at", sa.Float, nullable=False),
        sa.Column("submission_id", sa.Integer, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("workers")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("worker")
        batch.drop_column("lease_until")
