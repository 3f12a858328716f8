"""`judgekit generate`: regenerate every test case from testcases/recipe.yaml."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from judgekit.commands.arguments import reason, writable_folder
from judgekit.errors import JudgekitError
from judgekit.exit_codes import ExitCode
from judgekit.package.generation import generate
from judgekit.package.manifest import Manifest
from judgekit.package.numerics import why_not_reproducible
from judgekit.package.problem import Problem, load_problem
from judgekit.package.recipe import Recipe, load_recipe
from judgekit.package.statement import current_statement, statement_path
from judgekit.package.testcase import load_cases


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="regenerate all test data from testcases/recipe.yaml",
        description=(
            "Regenerate every test case (inputs, answers from the reference, manifest) from "
            "testcases/recipe.yaml. Deterministic: the same recipe and library versions give "
            "byte-identical files on any x86-64 host with AVX2 and FMA (XLA is capped at "
            "AVX2). Writing into the package also refreshes the statement's worked examples."
        ),
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="write here instead of the package's testcases/ (the statement is left alone)",
    )
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    console = Console(stderr=True, highlight=False)
    problem = load_problem(options.problem)
    recipe = load_recipe(problem.root)
    out_dir: Path = options.out if options.out is not None else problem.testcases_dir
    writable_folder(out_dir, "--out" if options.out is not None else "testcases folder")
    unreproducible = why_not_reproducible()
    if unreproducible is not None:
        console.print(Text.assemble(("warning:", "bold yellow"), f" {unreproducible}"))
    try:
        manifest = _generate(console, problem, recipe, out_dir)
    except OSError as error:
        raise JudgekitError(
            f"cannot write the test data to {out_dir}: {reason(error)}; "
            "check the folder's permissions and free space, or pass another --out"
        ) from None
    console.print(Text(f"wrote {len(manifest.cases)} cases and manifest.json to {out_dir}"))
    if out_dir.resolve() == problem.testcases_dir.resolve():
        samples = load_cases(out_dir, problem.public_groups)
        text, updated = current_statement(problem, samples)
        if updated != text:
            statement_path(problem).write_text(updated, encoding="utf-8")
            console.print("updated the generated blocks of statement.md")
    return ExitCode.OK


def _generate(console: Console, problem: Problem, recipe: Recipe, out_dir: Path) -> Manifest:
    with Progress(
        TextColumn("answering with the reference"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("generate", total=None)
        manifest = generate(
            problem,
            recipe,
            out_dir,
            on_planned=lambda total: progress.update(task, total=total),
            on_answered=lambda: progress.advance(task),
        )
    return manifest
