"""One name per concept: what revision 0002 called workers are judge hosts (`judgekit worker`
starts one; the web app's own judging threads never had a row). The heartbeat table `workers`
becomes `judge_hosts`, and the lease holder of a running submission, `submissions.worker`,
becomes `submissions.judge_host`. Both are renames: every row and value stays."""

from __future__ import annotations

from alembic import op

revision = "0005_judge_hosts"
down_revision = "0004_similarity_fingerprints"
branch_labels = None
depends_on = None


def _rename(old_table: str, new_table: str, old_column: str, new_column: str) -> None:
    op.rename_table(old_table, new_table)
    if op.get_bind().dialect.name == "postgresql":  # SQLite's primary key has no name
        op.execute(f"ALTER INDEX {old_table}_pkey RENAME TO {new_table}_pkey")
    op.alter_column("submissions", old_column, new_column_name=new_column)


def upgrade() -> None:
    _rename("workers", "judge_hosts", "worker", "judge_host")


def downgrade() -> None:
    _rename("judge_hosts", "workers", "judge_host", "worker")
