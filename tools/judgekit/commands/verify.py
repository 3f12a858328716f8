"""`judgekit verify`: judge every known submission; check verdicts and the time limit."""

from __future__ import annotations

import argparse
import dataclasses
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from judgekit.commands.arguments import positive, reason
from judgekit.commands.plain_text import plain
from judgekit.errors import JudgekitError
from judgekit.exit_codes import ExitCode
from judgekit.judge.judging import judge_submission
from judgekit.judge.known_submissions import SUBMISSIONS_DIR, KnownSubmission, known_submissions
from judgekit.judge.prewarmed import PrewarmedSandboxes
from judgekit.judge.report import JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem, TimeClock, load_problem
from judgekit.sandbox.leftover_containers import sweep
from judgekit.sandbox.outcome import JobRunner

# problemtools' rule: the limit must leave at least this factor over the slowest accepted case,
TIME_SAFETY_FACTOR = 2.0
# and a TLE submission that would pass within this factor of the limit is worth a warning.
TLE_MARGIN_FACTOR = 1.5


@dataclass(frozen=True)
class VerifyResult:
    submission: KnownSubmission
    report: JudgeReport
    passes_with_margin: bool | None = None

    @property
    def ok(self) -> bool:
        return self.report.verdict in self.submission.expected


def _slowest_case_ms(report: JudgeReport, clock: TimeClock) -> int:
    """The slowest case's time on CLOCK, the clock the limits are on."""
    times = (case.cpu_ms if clock is TimeClock.CPU else case.time_ms for case in report.cases)
    return max((t or 0 for t in times), default=0)


def _judge(
    problem: Problem, sandbox: JobRunner | None, known: KnownSubmission, device: Device
) -> VerifyResult:
    if known.expected != {Verdict.TLE}:
        report = judge_submission(problem, known.path, device=device, sandbox=sandbox)
        return VerifyResult(known, report)
    limits = problem.limits
    generous = dataclasses.replace(
        problem,
        limits=dataclasses.replace(
            limits,
            time_per_case_s=limits.time_per_case_s * TLE_MARGIN_FACTOR,
            total_time_s=limits.total_time_s * TLE_MARGIN_FACTOR,
        ),
    )
    report = judge_submission(generous, known.path, device=device, sandbox=sandbox)
    if report.verdict is Verdict.TLE:
        return VerifyResult(known, report, passes_with_margin=False)
    real = judge_submission(problem, known.path, device=device, sandbox=sandbox)
    return VerifyResult(known, real, passes_with_margin=True)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="judge every known submission and check its verdict and the time limit",
        description=(
            "Judge the reference and every file under submissions/ in the sandbox. Fails when "
            "any verdict differs from its folder (security probes: from security/expected."
            "yaml), or when the time limit leaves less than 2x the slowest accepted case; "
            "warns when a TLE submission would pass within 1.5x of the limit."
        ),
    )
    parser.add_argument("--device", type=Device, choices=list(Device), default=Device.CPU)
    parser.add_argument("--jobs", type=positive, default=2, help="submissions judged at once")
    parser.add_argument(
        "--only", default=None, metavar="TEXT", help="only submissions whose name contains TEXT"
    )
    parser.set_defaults(handler=run)


def _corpus(problem: Problem, only: str | None) -> list[KnownSubmission]:
    folder = problem.root / SUBMISSIONS_DIR
    if not folder.is_dir():
        raise JudgekitError(
            f"{folder}: no such folder; known submissions live in submissions/<verdict>/"
        )
    try:
        known = known_submissions(problem)
    except OSError as error:
        raise JudgekitError(f"cannot read the known submissions: {reason(error)}") from None
    corpus = [k for k in known if not only or only in k.name]
    if not corpus:
        raise JudgekitError(f"--only {only}: no known submission's name contains it")
    return corpus


def run(options: argparse.Namespace) -> int:
    console = Console(highlight=False)
    problem = load_problem(options.problem)
    corpus = _corpus(problem, options.only)
    sandboxes = PrewarmedSandboxes(problem, [options.device], options.jobs)
    sandbox = sandboxes.for_device(options.device)
    started = time.monotonic()
    results: list[VerifyResult] = []
    with (
        sandboxes,
        console.status(f"judging {len(corpus)} known submissions") as status,
        ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool,
    ):
        futures = [pool.submit(_judge, problem, sandbox, k, options.device) for k in corpus]
        for future in futures:
            results.append(future.result())
            status.update(f"judged {len(results)}/{len(corpus)}")
    leftovers = sweep()
    table = Table(
        title=f"judgekit verify: {len(corpus)} submissions in {time.monotonic() - started:.0f} s"
    )
    for column in ("submission", "expected", "got", "slowest case", "message"):
        table.add_column(column, overflow="fold")
    for result in results:
        style = "green" if result.ok else "bold red"
        table.add_row(
            plain(result.submission.name),
            "/".join(sorted(v.value for v in result.submission.expected)),
            Text(result.report.verdict.value, style=style),
            f"{_slowest_case_ms(result.report, problem.limits.clock)} ms",
            plain(result.report.message[:160]),
        )
    console.print(table)
    for device, executor in sandboxes.executors.items():
        console.print(plain(f"{device.value} jobs: {executor.describe()}"))
    failures = [r for r in results if not r.ok]
    for result in failures:
        detail = plain(
            f" {result.submission.name}: expected "
            f"{'/'.join(sorted(v.value for v in result.submission.expected))}, "
            f"got {result.report.verdict.value}: {result.report.message}"
        )
        console.print(Text.assemble(("MISMATCH", "bold red"), detail))
    ok = not failures and _check_time_limit(console, problem, results)
    if leftovers:
        console.print(f"[bold red]{leftovers} sandbox container(s) were left behind[/]")
        ok = False
    console.print(f"verify: {'OK' if ok else 'FAILED'}")
    return ExitCode.OK if ok else ExitCode.FAILED


def _check_time_limit(console: Console, problem: Problem, results: list[VerifyResult]) -> bool:
    accepted = [r for r in results if r.submission.must_be_accepted and r.ok]
    if not accepted:
        console.print("no accepted submission was judged: the time limit is not checked")
        return True
    clock = problem.limits.clock
    slowest = max(accepted, key=lambda r: _slowest_case_ms(r.report, clock))
    slowest_s = _slowest_case_ms(slowest.report, clock) / 1000
    implied = math.ceil(slowest_s * TIME_SAFETY_FACTOR)
    limit = problem.limits.time_per_case_s
    console.print(
        plain(
            f"slowest accepted case: {slowest_s:.2f} s of {clock.value} time "
            f"({slowest.submission.name}); it implies "
            f"a time limit of at least {implied} s (x{TIME_SAFETY_FACTOR:g}, rounded up); "
            f"problem.yaml has {limit:g} s"
        )
    )
    for result in results:
        if result.passes_with_margin:
            detail = plain(
                f" {result.submission.name} is TLE but would pass within "
                f"{TLE_MARGIN_FACTOR:g}x of the time limit: the limit may be too tight to tell"
            )
            console.print(Text.assemble(("WARNING", "bold yellow"), detail))
    if limit < implied:
        console.print(f"[bold red]time_per_case_s {limit:g} s is below the implied {implied} s[/]")
        return False
    return True
