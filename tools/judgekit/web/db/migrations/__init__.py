"""The judge database's schema as Alembic migrations (env.py, versions/), run at open, and
`differences`: what Alembic's autogenerate finds between a database and the tables in
judgekit.web.db.tables (nothing, for a migrated database: a test checks it on every backend).

Files made before Alembic recorded their version in SQLite's PRAGMA user_version (1: the
first schema, 2: plus submissions.problem_id); such a file is brought to version 2 and stamped
with the revision that equals it, then upgraded like any other database.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from judgekit.web.db.tables import metadata

FOLDER = Path(__file__).parent
FIRST_REVISION = "0001_initial"
"""Equals the schema at PRAGMA user_version 2."""
COMPARE_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {"compare_type": True, "compare_server_default": True}
)
"""What autogenerate compares, here and in env.py: the columns' types and defaults too."""


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(FOLDER))
    config.attributes["connection"] = connection
    return config


def _adopt_legacy_sqlite(connection: Connection, config: Config) -> None:
    if connection.dialect.name != "sqlite":
        return
    if MigrationContext.configure(connection).get_current_revision() is not None:
        return
    version = int(connection.execute(text("PRAGMA user_version")).scalar_one())
    if version == 0 or "submissions" not in inspect(connection).get_table_names():
        return
    if version == 1:
        connection.execute(text("ALTER TABLE submissions ADD COLUMN problem_id TEXT"))
        connection.execute(
            text("CREATE INDEX submissions_by_problem ON submissions(problem_id, id)")
        )
    command.stamp(config, FIRST_REVISION)


def upgrade(connection: Connection) -> None:
    """Migrate CONNECTION's database to the newest revision, inside the caller's transaction."""
    config = _config(connection)
    _adopt_legacy_sqlite(connection, config)
    command.upgrade(config, "head")


def differences(connection: Connection) -> list[Any]:
    """What autogenerate would change to make CONNECTION's database equal the tables: Alembic's
    diff directives (e.g. ('add_index', Index(...))); empty when they agree."""
    context = MigrationContext.configure(connection, opts=dict(COMPARE_OPTIONS))
    return list(compare_metadata(context, metadata))
