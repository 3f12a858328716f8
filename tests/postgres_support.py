"""A private PostgreSQL 15 server for the tests: initdb into a temporary folder, listening
only on 127.0.0.1 at a free port (and a private socket folder), trust authentication; each
test gets a fresh database on it. Debian's initdb refuses root, so as root it runs as the
`postgres` user."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from web_support import free_port

PG_BIN = Path(os.environ.get("JUDGEKIT_PG_BIN", "/usr/lib/postgresql/15/bin"))


def postgres_available() -> bool:
    return (PG_BIN / "initdb").is_file() and (PG_BIN / "pg_ctl").is_file()


class PostgresServer:
    """Started by `start()`, removed with its files by `stop()`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="judgekit-pg-"))
        self.port = free_port()
        self._names = itertools.count(1)
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self._as_postgres = ["runuser", "-u", "postgres", "--"]

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self._as_postgres, *args], check=True, capture_output=True, text=True, timeout=120
        )

    def start(self) -> None:
        self._run(
            str(PG_BIN / "initdb"), "-A", "trust", "-U", "postgres", "--no-sync",
            "-E", "UTF8", "-D", str(self.data),
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "server.log"), "-w", "-t", "60", "start",
        )  # fmt: skip

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; its URL."""
        import psycopg

        name = f"judgekit_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [*self._as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(self.data),
                 "-m", "immediate", "-w", "stop"],
                capture_output=True, timeout=60, check=False,
            )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)
