"""The `judgekit` command: one entry point, one module per subcommand under judgekit.commands.

`main(argv)` can be called in-process by tests; nothing is kept in module globals.
Exit codes: see judgekit.exit_codes. An error the user can act on is one line on stderr,
`judgekit: error: ...`, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from judgekit import __version__
from judgekit.commands import COMMANDS
from judgekit.commands.arguments import existing_folder, reason
from judgekit.commands.plain_text import visible
from judgekit.errors import JudgekitError
from judgekit.exit_codes import ExitCode, describe
from judgekit.package.problem import PROBLEM_FILE


def _default_problem_dir() -> Path:
    """The problem package: the current folder when it holds problem.yaml, else this checkout
    (said on stderr, so that nobody judges against a package they did not mean)."""
    here = Path.cwd()
    if (here / PROBLEM_FILE).is_file():
        return here
    checkout = Path(__file__).resolve().parents[2]
    print(
        f"judgekit: no {PROBLEM_FILE} in {here}; using the package at {checkout} "
        f"(pass --problem DIR to choose another)",
        file=sys.stderr,
    )
    return checkout


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="judgekit",
        description="Problem package tools and judge: the problem is the package's problem.yaml.",
        epilog=describe(),
    )
    parser.add_argument("--version", action="version", version=f"judgekit {__version__}")
    parser.add_argument(
        "--problem",
        type=Path,
        default=None,
        metavar="DIR",
        help="the problem package folder (default: the current folder or this checkout)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def _error(message: object) -> int:
    print(f"judgekit: error: {visible(message)}", file=sys.stderr)
    return int(ExitCode.USAGE)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        options = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and int(ExitCode.USAGE)
    try:
        if options.problem is None:
            options.problem = _default_problem_dir()
        else:
            existing_folder(options.problem, "--problem")
        return int(options.handler(options))
    except JudgekitError as error:
        return _error(error)
    except OSError as error:
        # A file or folder we could not use that no command checked for: still one line.
        return _error(f"{reason(error)}; check the path and its permissions")
    except KeyboardInterrupt:
        print("judgekit: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
