"""`judgekit bench`: what judging costs in each mode, from the in-process floor to a cold
container and the warm pool, measured once on this machine; a table, a JSON report, a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from judgekit.bench.bench_run import count_steps, run_bench
from judgekit.bench.chart import write_chart
from judgekit.bench.plan import default_submissions, make_plan
from judgekit.commands.arguments import (
    add_cases_option,
    readable_file,
    test_groups,
    writable_folder,
)
from judgekit.commands.bench_tables import print_bench
from judgekit.exit_codes import ExitCode
from judgekit.judge import strict_json
from judgekit.package.problem import load_problem
from judgekit.package.recipe import load_recipe
from judgekit.package.testcase import TestCase, load_cases

DEFAULT_JSON = Path("bench-report.json")
CHART_SUFFIX = ".png"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="measure what judging costs, mode by mode",
        description=(
            "Run the reference and the accepted submissions over the test set in each mode: "
            "(a) in this process, every shape compiled (the floor), (b) a fresh host process, "
            "(c) a cold container without and (d) with the compilation cache, (e) the warm "
            "pool, (f) one fresh process per case (a sample, extrapolated). Prints each "
            "mode's time and its ratio to the floor, the warm pool's latency and throughput, "
            "and the speed targets; writes a JSON report and a PNG chart. Takes minutes."
        ),
    )
    parser.add_argument(
        "--submission",
        type=Path,
        action="append",
        default=None,
        metavar="FILE",
        help="a submission to bench (repeatable; default: the reference and submissions/accepted)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions and a smaller sample (for tests)"
    )
    add_cases_option(parser)
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        metavar="PATH",
        help=f"where to write the JSON report (default: {DEFAULT_JSON}); the chart goes beside it",
    )
    parser.set_defaults(handler=run)


class _Bar:
    """The progress bar, told of each step by run_bench."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.task = progress.add_task("starting", total=total)

    def begin(self, what: str) -> None:
        self.progress.update(self.task, description=what)

    def done(self) -> None:
        self.progress.advance(self.task)


def run(options: argparse.Namespace) -> int:
    problem = load_problem(options.problem)
    submissions = options.submission or default_submissions(problem)
    for path in submissions:
        readable_file(path, "--submission")
    json_path: Path = options.json
    writable_folder(json_path.parent if str(json_path.parent) else Path("."), "--json")
    chart_path = json_path.with_suffix(CHART_SUFFIX)
    groups = test_groups(problem, options.cases) or problem.group_names
    cases = load_cases(problem.testcases_dir, groups)
    recipe = load_recipe(problem.root)

    def shape_of(case: TestCase) -> tuple[int, ...]:
        return recipe.shape_of(case.input)

    plan = make_plan(problem, submissions, cases, shape_of, quick=options.quick)
    console = Console(stderr=True, highlight=False)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        report = run_bench(problem, plan, _Bar(progress, count_steps(plan)))
    json_path.write_text(strict_json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    write_chart(report, chart_path)
    # Wide enough for the table in a log or a pipe too (Rich assumes 80 columns there).
    out = Console(highlight=False, width=None if console.is_terminal else 120)
    print_bench(out, report)
    out.print(f"wrote {json_path} and {chart_path}", soft_wrap=True, markup=False)
    return ExitCode.OK
