"""Checks of command-line arguments that several subcommands share.

The argparse types reject a bad number while parsing (usage error, exit 2). The path checks
run before any slow work and raise JudgekitError with one line that names the path, says what
is wrong with it and what to pass instead.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

from judgekit.errors import JudgekitError
from judgekit.package.problem import Problem

MAX_PORT = 65535


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def port(text: str) -> int:
    """argparse type: a TCP port, 1..65535."""
    value = _integer(text)
    if not 1 <= value <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"{value} is not a port; use 1 to {MAX_PORT}")
    return value


def positive(text: str) -> int:
    """argparse type: an integer of at least 1."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: must be at least 1")
    return value


def positive_seconds(text: str) -> float:
    """argparse type: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text}: give a number of seconds above 0")
    return value


def non_negative(text: str) -> int:
    """argparse type: an integer of at least 0."""
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value}: must be 0 or more")
    return value


def reason(error: OSError) -> str:
    """`PATH: why` for an OSError, without the `[Errno N]` noise."""
    why = error.strerror or str(error)
    return f"{error.filename}: {why}" if error.filename is not None else why


def readable_file(path: Path, option: str) -> Path:
    """PATH if it is a file we can read; else a JudgekitError naming OPTION."""
    if path.is_dir():
        raise JudgekitError(f"{option} {path}: is a folder; give the path of a file")
    if not path.exists():
        raise JudgekitError(f"{option} {path}: no such file")
    if not path.is_file():
        raise JudgekitError(f"{option} {path}: not a regular file; give the path of a file")
    if not os.access(path, os.R_OK):
        raise JudgekitError(f"{option} {path}: permission denied; give a file you can read")
    return path


def existing_folder(path: Path, option: str) -> Path:
    """PATH if it is a folder; else a JudgekitError naming OPTION."""
    if path.is_dir():
        return path
    if path.exists():
        raise JudgekitError(f"{option} {path}: not a folder; give the path of a folder")
    raise JudgekitError(f"{option} {path}: no such folder")


def writable_folder(path: Path, option: str) -> Path:
    """PATH, created with its parents if missing, if we can write in it; else JudgekitError."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise JudgekitError(
            f"{option} {path}: exists and is not a folder; give a folder to write in"
        ) from None
    except OSError as error:
        raise JudgekitError(
            f"{option} {path}: cannot create it ({reason(error)}); give a folder you can write in"
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise JudgekitError(f"{option} {path}: permission denied; give a folder you can write in")
    return path


def judge_data_folder(path: Path, database_url: str | None = None, option: str = "--data") -> str:
    """The web judge's database URL, once PATH is a writable data folder (for uploads, and the
    SQLite file by default) and the database opens (created, or migrated, now).

    DATABASE_URL is --database-url; None means JUDGEKIT_DATABASE_URL, else the SQLite file."""
    from judgekit.web.db.connection import DATABASE_URL_ENV
    from judgekit.web.db.database import DB_FILE, Database, DatabaseUnavailable
    from judgekit.web.settings import default_database_url, resolve_database_url

    writable_folder(path, option)
    url = resolve_database_url(path, database_url)
    try:
        Database(url).close()
    except DatabaseUnavailable as error:
        if database_url is not None:
            raise JudgekitError(f"{error}; check --database-url") from None
        if url == default_database_url(path):
            raise JudgekitError(
                f"{option} {path}: cannot open {DB_FILE} there ({error.reason}); "
                "give the judge's data folder, or an empty one"
            ) from None
        raise JudgekitError(f"{error}; check {DATABASE_URL_ENV}") from None
    return url


def add_database_url_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="the judge database: sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB "
        "(default: $JUDGEKIT_DATABASE_URL, else judge.sqlite3 in the data folder)",
    )


ALL_GROUPS = "all"


def add_cases_option(parser: argparse.ArgumentParser) -> None:
    """--cases GROUP, read back with `test_groups`."""
    parser.add_argument(
        "--cases",
        default=ALL_GROUPS,
        metavar="GROUP",
        help="one test group named in problem.yaml's test_groups, or all (the default)",
    )


def test_groups(problem: Problem, cases: str) -> list[str] | None:
    """The test groups --cases names: one of problem.yaml's test_groups, or None for all."""
    if cases == ALL_GROUPS:
        return None
    if cases not in problem.group_names:
        choices = ", ".join(sorted([*problem.group_names, ALL_GROUPS]))
        raise JudgekitError(
            f"--cases {cases}: not a test group of this problem; use one of: {choices}"
        )
    return [cases]
