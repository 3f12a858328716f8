"""`judgekit validate`: check problem.yaml, inputs, answers, manifest and statement."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.text import Text

from judgekit.commands.plain_text import plain
from judgekit.exit_codes import ExitCode
from judgekit.package.validation import validate_package


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
    out = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    with err.status("validating the problem package"):
        report = validate_package(options.problem)
    for label, style, findings in (
        ("WARNING", "bold yellow", report.warnings),
        ("ERROR", "bold red", report.errors),
    ):
        for finding in findings:
            # Findings quote package files (paths, YAML values): never markup.
            detail = plain(f" {finding.where}: {finding.message}")
            err.print(Text.assemble((label, style), detail))
    if report.errors:
        out.print(f"validate: {len(report.errors)} error(s), {len(report.warnings)} warning(s)")
        return ExitCode.FAILED
    out.print(
        f"validate: OK, {report.cases_checked} cases checked, {len(report.warnings)} warning(s)"
    )
    return ExitCode.OK
