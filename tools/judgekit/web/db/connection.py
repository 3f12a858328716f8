"""Opening the judge database through SQLAlchemy: URLs, per-backend connection settings, the
Alembic migrations at open, and `Store`, the base of `Database` (engine, transactions, reads).

SQLite: WAL mode with synchronous=FULL (a commit is on disk when it returns), foreign keys on,
and every write transaction is `BEGIN IMMEDIATE` so writers queue up at the start instead of
failing to upgrade a read lock later. pysqlite's own transaction handling is turned off for
that (SQLAlchemy's documented recipe); reads begin a plain deferred transaction.

PostgreSQL (psycopg 3): READ COMMITTED; the queries lock the rows they decide on (FOR UPDATE,
SKIP LOCKED for claims). SQLAlchemy leaves those clauses out on SQLite, where BEGIN IMMEDIATE
already serialises writers, so both backends run the same statements.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.sql import Executable

DATABASE_URL_ENV = "JUDGEKIT_DATABASE_URL"
_WRITE = "judgekit_write"
_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)
# Any constant: concurrent servers starting on one PostgreSQL database migrate one at a time.
_MIGRATION_LOCK = 0x6A6B6462


class DatabaseUnavailable(Exception):
    """The database URL is malformed or the database cannot be opened; the message says which
    database (never its password) and why; `reason` is only the why."""

    def __init__(self, url: str, error: BaseException) -> None:
        lines = str(getattr(error, "orig", None) or error).strip().splitlines()
        reason = lines[0] if lines else type(error).__name__
        with suppress(ArgumentError):
            password = make_url(url).password
            if password:
                reason = reason.replace(str(password), "***")
        self.reason = reason
        super().__init__(f"cannot open the database at {shown_url(url)}: {reason}")


def storable(value: str) -> bool:
    """Whether VALUE can be a text parameter on every backend: PostgreSQL refuses NUL, and
    psycopg cannot encode a lone surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def sqlite_url(path: Path) -> str:
    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def shown_url(url: str) -> str:
    """URL for messages: the password left out, and said so."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        hidden = re.sub(r"(://[^/@:]*):[^/@]*@", r"\1@", url)
        return hidden + (" (password hidden)" if hidden != url else "")
    if parsed.password is None:
        return parsed.render_as_string(hide_password=False)
    shown = parsed._replace(password=None).render_as_string(hide_password=False)
    return f"{shown} (password hidden)"


def _engine_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise ArgumentError(
            f"unsupported database {parsed.drivername!r}: use sqlite:///PATH or postgresql://..."
        )
    return parsed


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    for pragma in _SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def open_engine(url: str) -> Engine:
    """An Engine for URL (postgresql:// means psycopg 3), migrated to the newest schema."""
    from judgekit.web.db.migrations import upgrade

    try:
        engine_url = _engine_url(url)
        if engine_url.get_backend_name() == "sqlite":
            if engine_url.database:
                Path(engine_url.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                engine_url,
                connect_args={"check_same_thread": False, "timeout": 30.0},
                pool_size=5,
                max_overflow=40,
            )
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(engine_url, pool_size=5, max_overflow=20, pool_pre_ping=True)
    except (ArgumentError, ValueError) as error:
        raise DatabaseUnavailable(url, error) from None
    try:
        with _write_connection(engine) as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
            upgrade(connection)
    except (SQLAlchemyError, OSError) as error:
        engine.dispose()
        raise DatabaseUnavailable(url, error) from None
    return engine


@contextmanager
def _write_connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


class Store:
    """An Engine on the judge database: thread-safe (each call takes a pooled connection)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = open_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite): COMMIT on success, else ROLLBACK."""
        with _write_connection(self.engine) as connection:
            yield connection

    def transaction_retried(self, write: Callable[[Connection], None]) -> None:
        """WRITE in a transaction, once more if it broke a unique key because another
        transaction inserted the same row at once (PostgreSQL's READ COMMITTED lets two see
        it missing; SQLite's BEGIN IMMEDIATE serialises them): the second try sees that row."""
        for tries_left in (1, 0):
            try:
                with self.transaction() as connection:
                    write(connection)
                return
            except IntegrityError:
                if not tries_left:
                    raise

    def _read(self, statement: Executable, params: dict[str, Any] | None = None) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(statement, params or {}).all())

    @property
    def schema_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def close(self) -> None:
        self.engine.dispose()
