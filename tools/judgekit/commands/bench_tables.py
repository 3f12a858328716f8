"""How `judgekit bench` shows its report: the modes against the floor, the warm pool's
latency and throughput, and one line per target."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from judgekit.bench.results import BenchReport, Mode, ModeTime, TargetCheck
from judgekit.commands.plain_text import plain

TARGET_MARK = {True: ("PASS", "bold green"), False: ("MISS", "bold red"), None: ("----", "dim")}


def seconds(value: float) -> str:
    """Three significant digits, at least to the millisecond: 0.0123 s, 1.23 s, 123 s."""
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s" if value < 100 else f"{value:.0f} s"


def _cell(time: ModeTime) -> Text:
    if time.seconds is None:
        return Text("-", style="dim")
    text = Text(seconds(time.seconds))
    if time.ratio_to_floor is not None:
        text.append(f"  {time.ratio_to_floor:,.0f}x" if time.mode is not Mode.FLOOR else "  1x")
    if time.verdict not in (None, "AC"):
        text.append(f" {time.verdict}", style="bold red")
    return text


def modes_table(report: BenchReport) -> Table:
    table = Table(
        title=f"time over the whole set ({report.cases} cases), and its ratio to the floor (a)",
        title_justify="left",
    )
    table.add_column("mode")
    for bench in report.submissions:
        table.add_column(plain(bench.short_name), overflow="fold", justify="right")
    table.add_column("note", overflow="fold", style="dim")
    for mode in Mode:
        times = [bench.mode(mode) for bench in report.submissions]
        notes = sorted({t.note for t in times if t.note})
        table.add_row(mode.title, *map(_cell, times), plain("; ".join(notes)))
    return table


def latency_table(report: BenchReport) -> Table | Text:
    if all(bench.latency is None for bench in report.submissions):
        return Text("verdict latency through the warm pool: not measured (no warm pool)")
    table = Table(title="verdict latency through the warm pool", title_justify="left")
    for column in ("submission", "p50", "p95", "runs"):
        table.add_column(column)
    for bench in report.submissions:
        latency = bench.latency
        if latency is None:
            table.add_row(plain(bench.short_name), "-", "-", "not measured")
            continue
        runs = ", ".join(f"{s:.2f}" for s in latency.runs_s)
        p50, p95 = seconds(latency.p50_s), seconds(latency.p95_s)
        table.add_row(plain(bench.short_name), p50, p95, runs)
    return table


def throughput_table(report: BenchReport) -> Table | Text:
    if not report.throughput:
        return plain(f"throughput: {report.throughput_note}")
    table = Table(title=f"throughput: {report.throughput_note}", title_justify="left")
    for column in ("at once", "judgings", "time", "per minute", "vs 1 at once"):
        table.add_column(column)
    base = next((level.per_minute for level in report.throughput if level.concurrency == 1), None)
    for level in report.throughput:
        gain = f"{level.per_minute / base:.2f}x" if base else "-"
        table.add_row(
            str(level.concurrency),
            str(level.judgings),
            f"{level.seconds:.1f} s",
            f"{level.per_minute:.1f}",
            gain,
        )
    return table


def target_line(check: TargetCheck) -> Text:
    mark, style = TARGET_MARK[check.passed]
    return Text.assemble((mark, style), f" {check.target}: ", plain(check.detail))


def print_bench(console: Console, report: BenchReport) -> None:
    console.print(modes_table(report))
    console.print(latency_table(report))
    console.print(throughput_table(report))
    for check in report.targets:
        console.print(target_line(check))
    machine = report.machine
    console.print(
        plain(
            f"{machine.cpus} CPUs, {machine.platform}, Python {machine.python}, jax {machine.jax}, "
            f"image {machine.image}; bench took {report.total_s:.0f} s"
            + (" (--quick)" if report.quick else "")
        ),
        soft_wrap=True,
    )
