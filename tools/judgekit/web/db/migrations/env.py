"""Alembic's environment: always run by judgekit.web.db.migrations, on its connection, with the
tables (judgekit.web.db.tables) as the schema autogenerate compares the database with."""

from __future__ import annotations

from alembic import context

from judgekit.web.db.migrations import COMPARE_OPTIONS
from judgekit.web.db.tables import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters a table by copying it
    **COMPARE_OPTIONS,
)
with context.begin_transaction():
    context.run_migrations()
