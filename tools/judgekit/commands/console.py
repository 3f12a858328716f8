"""How `judgekit run` shows a JudgeReport on a console: the table of cases and the summary.

Everything a report holds may have been written by the learner, so it is printed as Rich
`Text` (never parsed as markup) and made visible first (judgekit.commands.plain_text). Fields the
judge did not learn (no cases, time or platform after a CE or JE) are left out, not printed as
"None".
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from judgekit.commands.plain_text import plain
from judgekit.judge import strict_json
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict

VERDICT_STYLE = {
    Verdict.AC: "bold green",
    Verdict.WA: "bold red",
    Verdict.TLE: "bold yellow",
    Verdict.MLE: "bold yellow",
    Verdict.OLE: "bold yellow",
    Verdict.RTE: "bold magenta",
    Verdict.CE: "bold blue",
    Verdict.JE: "bold white on red",
}
MAX_ROWS = 25


def case_table(results: Sequence[CaseResult], total: int) -> Table:
    """The last MAX_ROWS cases judged so far, out of TOTAL."""
    table = Table(title=f"{len(results)}/{total} cases judged", title_justify="left")
    for column in ("case", "verdict", "time", "message"):
        table.add_column(column, overflow="fold")
    for result in results[-MAX_ROWS:]:
        table.add_row(
            plain(result.id),
            Text(result.verdict.value, style=VERDICT_STYLE[result.verdict]),
            Text(_times(result.cpu_ms, result.time_ms)),
            plain(result.message),
        )
    return table


def _times(cpu_ms: int | None, wall_ms: int | None) -> str:
    """CPU time (the clock the limits are on) and wall-clock time, as far as known."""
    if wall_ms is None:
        return "-"
    return f"{wall_ms} ms" if cpu_ms is None else f"{cpu_ms} ms CPU, {wall_ms} ms wall"


def _facts(report: JudgeReport) -> str:
    facts = []
    if report.cases:
        facts.append(f"{report.passed}/{len(report.cases)} cases passed")
    if report.time_ms is not None:
        facts.append(_times(report.cpu_ms, report.time_ms))
    if report.reruns:
        facts.append(f"judged {report.reruns + 1} times (the host was overloaded)")
    device = f"device {report.device}"
    if report.platform is not None:
        device += f" (JAX platform {report.platform})"
    facts.append(device)
    if report.image:
        facts.append(f"image {report.image}")
    return ", ".join(facts)


def summary(report: JudgeReport) -> Text:
    """`VERDICT Title: message` on the first line, then what is known about the run."""
    text = Text.assemble((report.verdict.value, VERDICT_STYLE[report.verdict]))
    text.append(f" {report.verdict.title}")
    if report.message:
        text.append(": ")
        text.append(plain(report.message))
    text.append("\n")
    text.append(plain(_facts(report)))
    return text


def print_report(
    console: Console, report: JudgeReport, submission: Path, fuzz: int, *, table: bool
) -> None:
    """The final table (when asked and there are cases), the summary, and any fuzz findings."""
    if table and report.cases:
        console.print(case_table(report.cases, len(report.cases)))
    console.print(summary(report), soft_wrap=True)
    if report.fuzz_seed is not None:
        console.print(plain(f"fuzz seed {report.fuzz_seed}"))
    failure = report.fuzz_failure
    if failure is None:
        return
    console.print(plain(f"smallest failing fuzz input: {strict_json.dumps(failure.input)}"))
    command = ["judgekit", "run", str(submission), "--fuzz", str(fuzz)]
    command += ["--fuzz-seed", str(report.fuzz_seed)]
    console.print(plain("reproduce with: " + shlex.join(command)), soft_wrap=True)
    if failure.saved_as is not None:
        console.print(
            plain(
                f"filed as regression case {failure.saved_as!r} in testcases/recipe.yaml "
                "and regenerated testcases/ (commit both)"
            )
        )
