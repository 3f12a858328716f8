"""`judgekit run SUBMISSION.py`: judge one file in the sandbox, as the web judge would."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.live import Live

from judgekit.commands.arguments import add_cases_option, non_negative, readable_file, test_groups
from judgekit.commands.console import case_table, print_report
from judgekit.judge import strict_json
from judgekit.judge.fuzzing import Fuzzing, judge_with_fuzz
from judgekit.judge.learner_view import learner_report
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import exit_code_for
from judgekit.package.problem import Device, load_problem
from judgekit.package.testcase import load_cases


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="judge a submission in the sandbox",
        description=(
            "Judge SUBMISSION.py in a fresh hardened container and print a table of cases. "
            "Exit 0 for AC, 1 for any other learner verdict, 2 for JE or a usage error. "
            "--json prints one object: verdict, message, device, image, platform, time_ms "
            "(wall clock), cpu_ms (the container's user CPU time, the clock the limits are on), "
            "reruns (runs done again because the host starved them), passed, total, cases "
            "(id, group, verdict, time_ms, cpu_ms, message; input, expected and got for sample "
            "cases only; time_ms and cpu_ms are null for hidden cases), and fuzz_seed when "
            "--fuzz was given. The JSON is strict: a NaN or infinite value is the string "
            '"NaN", "Infinity" or "-Infinity". Learner text is printed with control characters '
            "shown as escapes (\\x1b)."
        ),
    )
    parser.add_argument("submission", type=Path, metavar="SUBMISSION.py")
    parser.add_argument("--device", type=Device, choices=list(Device), default=Device.CPU)
    add_cases_option(parser)
    parser.add_argument(
        "--fuzz",
        type=non_negative,
        default=0,
        metavar="N",
        help="add N fresh hypothesis-drawn cases, answered by the reference",
    )
    parser.add_argument(
        "--fuzz-seed",
        type=int,
        default=None,
        metavar="S",
        help="reproduce the fuzz cases of an earlier run",
    )
    parser.add_argument(
        "--save-failures",
        action="store_true",
        help="file the smallest failing fuzz input into testcases/recipe.yaml",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    problem = load_problem(options.problem)
    readable_file(options.submission, "SUBMISSION.py")
    groups = test_groups(problem, options.cases)
    console = Console(stderr=True, highlight=False)
    results: list[CaseResult] = []
    lock = threading.Lock()
    total = len(load_cases(problem.testcases_dir, groups or problem.group_names)) + options.fuzz

    fuzzing = Fuzzing(options.fuzz, options.fuzz_seed, options.save_failures)

    def judge(on_case: Callable[[CaseResult], None]) -> JudgeReport:
        return judge_with_fuzz(
            problem,
            options.submission,
            fuzzing,
            device=options.device,
            groups=groups,
            on_case=on_case,
        )

    def on_case(result: CaseResult) -> None:
        with lock:
            results[:] = [r for r in results if r.id != result.id] + [result]

    if options.json or not console.is_terminal:
        # JSON, a log or a pipe: a live table would be written over and over.
        report = judge(on_case)
    else:
        # Transient: the final table is printed below, and not at all when no case ran.
        with Live(
            case_table(results, total), console=console, refresh_per_second=4, transient=True
        ) as live:

            def show(result: CaseResult) -> None:
                on_case(result)
                live.update(case_table(results, total))

            report = judge(show)
    if options.json:
        print(strict_json.dumps(learner_report(report, problem.hidden_groups).to_json(), indent=2))
    else:
        print_report(console, report, options.submission, options.fuzz, table=True)
    return exit_code_for(report.verdict)
