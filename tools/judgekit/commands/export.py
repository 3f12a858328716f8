"""`judgekit export kattis OUT`: write the problem as a Kattis-format package."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from judgekit.commands.arguments import non_negative
from judgekit.exit_codes import ExitCode
from judgekit.export.kattis import export_kattis
from judgekit.package.problem import load_problem


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the problem in another judge's package format (kattis)",
        description=(
            "Write the problem as a Kattis-format package (problem format 2023-07-draft, as "
            "problemtools' verifyproblem reads it) into OUT, a new or empty folder: "
            "problem.yaml, the statement, data/sample and data/secret, the input and output "
            "validators, the known submissions wrapped as stdin/stdout programs, "
            "requirements.txt, and a README of what the format cannot express."
        ),
    )
    parser.add_argument("format", choices=["kattis"], help="the package format")
    parser.add_argument("out", type=Path, metavar="OUT", help="a new or empty folder")
    parser.add_argument(
        "--secret-cases",
        type=non_negative,
        default=None,
        metavar="N",
        help=(
            "write only the first N hidden cases (in our order), for a quick verifyproblem "
            "check; the README inside says the export is partial (default: every case)"
        ),
    )
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    problem = load_problem(options.problem)
    result = export_kattis(problem, options.out, options.secret_cases)
    if not re.fullmatch(r"[a-z0-9]+", options.out.resolve().name):
        short = re.sub(r"[^a-z0-9]", "", problem.id.lower())
        print(
            f"judgekit: note: Kattis-format judges take the folder's name as the problem's "
            f"short name, which must be [a-z0-9]+: rename {options.out} to e.g. {short}",
            file=sys.stderr,
        )
    print(
        f"export: {result.out}: {result.cases} cases, {len(result.placed)} submissions; "
        f"{len(result.left_out)} left out (listed in README.md)"
    )
    return ExitCode.OK
