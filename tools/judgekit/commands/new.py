"""`judgekit new DIR --function NAME`: write a working example package to edit into one's own."""

from __future__ import annotations

import argparse
from pathlib import Path

from judgekit.exit_codes import ExitCode
from judgekit.package.scaffold import new_package


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "new",
        help="write a new problem package (a small working example) into DIR",
        description=(
            "Write a complete problem package for a small example problem into DIR (new or "
            "empty): problem.yaml with every field commented, a statement with its generated "
            "blocks, a reference, a recipe and one known submission per verdict folder. The "
            "checker and sandbox files are copied from the package given with --problem (or "
            "this checkout). It passes generate, validate, image build, verify and export "
            "kattis as it is; then edit it into your problem."
        ),
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="the new package's folder")
    parser.add_argument(
        "--function",
        required=True,
        metavar="NAME",
        help="the entry point: the Python function submissions define",
    )
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    package = new_package(options.dir, options.function, options.problem)
    print(f"new: wrote {len(package.written)} files into {package.root}")
    print(package.next_steps(options.function))
    return ExitCode.OK
