"""`judgekit users add NAME [--admin]`: create an account of the web judge."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from judgekit.commands.arguments import add_database_url_option, judge_data_folder
from judgekit.errors import JudgekitError
from judgekit.exit_codes import ExitCode
from judgekit.web.settings import DEFAULT_DATA_DIR


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "users", help="manage accounts of the web judge", description="Manage web judge accounts."
    )
    actions = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="create a user and print its API token",
        description=(
            "Create a user of `judgekit serve`. The password is read from a prompt, or from "
            "standard input with --password-stdin. The API token (for `Authorization: Bearer`) "
            "is printed as the last line; it is stored only hashed and cannot be shown again."
        ),
    )
    add.add_argument("name", help="login name: letters, digits, '-', '_' or '.'")
    add.add_argument("--admin", action="store_true", help="may see every submission and rejudge")
    add.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help="the judge's data folder (default: ./%(default)s)",
    )
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add_database_url_option(add)
    add.set_defaults(handler=run_add)


def _password(options: argparse.Namespace) -> str:
    if options.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password for {options.name}: ")
    second = getpass.getpass("Repeat it: ")
    if first != second:
        raise JudgekitError("the passwords differ")
    return first


def run_add(options: argparse.Namespace) -> int:
    from judgekit.web.accounts.auth import AccountError, create_user
    from judgekit.web.db.database import Database

    url = judge_data_folder(options.data, options.database_url)
    password = _password(options)
    db = Database(url)
    try:
        user, token = create_user(db, options.name, password, admin=options.admin)
    except AccountError as error:
        raise JudgekitError(str(error)) from None
    finally:
        db.close()
    role = "admin" if user.is_admin else "user"
    print(f"created {role} {user.name!r} in {options.data}; API token (shown once):")
    print(token)
    return int(ExitCode.OK)
