"""How `judgekit bench` shows its report: the modes against the floor, the warm pool's
latency and throughput, and one line per target."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from judgekit.bench.results import BenchReport, Mode, ModeTime, TargetCheck
from judgekit.commands.plain_text import plain

MODE_HEADINGS = {
    Mode.FLOOR: "(a) floor",
    Mode.FRESH_PROCESS: "(b) fresh\nprocess",
    Mode.COLD_NO_CACHE: "(c) cold",
    Mode.COLD_CACHE: "(d) cold,\ncache",
    Mode.WARM_POOL: "(e) warm\npool p50",
    Mode.PER_CASE_PROCESS: "(f) process\nper case",
}
TARGET_MARK = {True: ("PASS", "bold green"), False: ("MISS", "bold red"), None: ("----", "dim")}


def seconds(value: float) -> str:
    """Three significant digits, at least to the millisecond: 0.0123 s, 1.23 s, 123 s."""
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s" if value < 100 else f"{value:.0f} s"


def _cell(time: ModeTime) -> Text:
    """The time, and below it the ratio to the floor (and a verdict other than AC)."""
    if time.seconds is None:
        return Text("-", style="dim")
    text = Text(seconds(time.seconds))
    if time.ratio_to_floor is not None:
        text.append(f"\n{time.ratio_to_floor:,.0f}x", style="cyan")
    if time.verdict not in (None, "AC"):
        text.append(f" {time.verdict}", style="bold red")
    return text


def modes_table(report: BenchReport) -> Table:
    """A row per submission, a column per mode; each mode's notes below the table."""
    table = Table(
        title=f"time over the whole set ({report.cases} cases), and its ratio to the floor (a)",
        title_justify="left",
        caption=plain(_notes(report)),
        caption_justify="left",
    )
    table.add_column("submission", overflow="fold")
    for mode in Mode:
        table.add_column(MODE_HEADINGS[mode], justify="right")
    for bench in report.submissions:
        table.add_row(plain(bench.short_name), *(_cell(bench.mode(mode)) for mode in Mode))
    return table


def _notes(report: BenchReport) -> str:
    lines = []
    for mode in Mode:
        notes = sorted({bench.mode(mode).note for bench in report.submissions} - {""})
        lines.append(f"{mode.title}: {'; '.join(notes)}" if notes else mode.title)
    return "\n".join(lines)


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


def load_table(report: BenchReport) -> Table:
    loaded = report.under_load
    table = Table(
        title=(
            f"verdict latency, cold, on the quiet host and beside {loaded.busy_containers} busy "
            f"containers ({report.submissions[0].short_name})"
        ),
        title_justify="left",
    )
    for column in ("host", "p50", "runs", "re-runs"):
        table.add_column(column)
    quiet = ", ".join(f"{s:.1f}" for s in loaded.quiet_runs_s)
    busy = ", ".join(f"{s:.1f}" for s in loaded.loaded_runs_s)
    table.add_row("quiet", seconds(loaded.quiet_p50_s), quiet, "-")
    table.add_row("overloaded", seconds(loaded.loaded_p50_s), busy, str(loaded.reruns))
    return table


def sustained_table(report: BenchReport) -> Table:
    first = report.sustained[0] if report.sustained else None
    title = "cost per verdict under sustained load"
    if first is not None:
        title += (
            f": the reference {first.judgings} times, {first.concurrency} at once; CPU of the "
            "whole host until it was idle again"
        )
    table = Table(title=title, title_justify="left", caption=plain(report.sustained_note) or None)
    for column in ("way", "time", "per minute", "verdict p50", "CPU per verdict", "verdicts"):
        table.add_column(column)
    for way in report.sustained:
        table.add_row(
            way.way,
            f"{way.seconds:.1f} s",
            f"{way.per_minute:.1f}",
            seconds(way.p50_s),
            seconds(way.cpu_per_verdict_s),
            "/".join(way.verdicts),
        )
    return table


def target_line(check: TargetCheck) -> Text:
    mark, style = TARGET_MARK[check.passed]
    return Text.assemble((mark, style), f" {check.target}: ", plain(check.detail))


def print_bench(console: Console, report: BenchReport) -> None:
    console.print(modes_table(report))
    console.print(latency_table(report))
    console.print(throughput_table(report))
    console.print(load_table(report))
    console.print(sustained_table(report))
    for check in report.targets:
        console.print(target_line(check))
    machine = report.machine
    console.print(
        plain(
            f"{machine.cpus} CPUs, {machine.platform}, Python {machine.python}, jax {machine.jax}, "
            f"image {machine.image}; load average {machine.load_at_start:.1f} at the start, "
            f"{machine.load_at_end:.1f} at the end; bench took {report.total_s:.0f} s"
            + (" (--quick)" if report.quick else "")
        ),
        soft_wrap=True,
    )
