"""Alembic's environment: always run by judgekit.web.db.migrations.upgrade, on its connection."""

from __future__ import annotations

from alembic import context

context.configure(connection=context.config.attributes["connection"], target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
