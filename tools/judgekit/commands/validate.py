"""`judgekit validate`: check problem.yaml, inputs, answers, manifest and statement."""

from __future__ import annotations

import argparse

from rich.console import Console

from judgekit.exit_codes import ExitCode
from judgekit.validation import validate_package


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check the problem package: metadata, inputs, answers, manifest, statement",
        description=(
            "Check problem.yaml, every input against the input domain, every answer against "
            "the reference within the tolerance, the manifest's sha256s, and the statement's "
            "examples. Warns loudly when the installed jax/jaxlib/flax/numpy/hypothesis differ "
            "from the versions that made the answers. Exit 0 when no error was found."
        ),
    )
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    out = Console()
    err = Console(stderr=True)
    with err.status("validating the problem package"):
        report = validate_package(options.problem)
    for finding in report.warnings:
        err.print(f"[bold yellow]WARNING[/] {finding.where}: {finding.message}")
    for finding in report.errors:
        err.print(f"[bold red]ERROR[/] {finding.where}: {finding.message}")
    if report.errors:
        out.print(f"validate: {len(report.errors)} error(s), {len(report.warnings)} warning(s)")
        return ExitCode.FAILED
    out.print(
        f"validate: OK, {report.cases_checked} cases checked, {len(report.warnings)} warning(s)"
    )
    return ExitCode.OK
