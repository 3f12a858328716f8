"""Cost per verdict under sustained load: the reference judged JUDGINGS times, CONCURRENCY at
once, by one way of running it (cold containers, the prewarmed pool, clones restored from a
snapshot), with the CPU the whole host spent from the first judging until it was idle again
(the pool's refills included), the wall time, and each verdict's latency.

The host's CPU comes from /proc/stat (every process: the engine, runc, CRIU, the judge and
the containers), so the figure holds only on a host doing nothing else; the bench runs its
measurements one after another for that reason."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from judgekit.bench.cold import judge_seconds
from judgekit.bench.results import Sustained
from judgekit.bench.stats import per_minute, percentile
from judgekit.package.problem import Problem
from judgekit.package.testcase import TestCase
from judgekit.sandbox.outcome import JobRunner

# /proc/stat's first line: user nice system idle iowait irq softirq steal (guest time is
# already in user).
BUSY_FIELDS = (0, 1, 2, 5, 6, 7)


def host_cpu_s(stat: Path = Path("/proc/stat")) -> float:
    """CPU seconds the whole host has spent busy since it booted."""
    fields = stat.read_text().splitlines()[0].split()[1:]
    ticks = sum(int(fields[i]) for i in BUSY_FIELDS if i < len(fields))
    return ticks / os.sysconf("SC_CLK_TCK")


def sustained(
    way: str,
    runner: JobRunner,
    problem: Problem,
    submission: Path,
    cases: Sequence[TestCase],
    *,
    judgings: int,
    concurrency: int,
    settle: Callable[[], None] = lambda: None,
    on_judged: Callable[[], None] = lambda: None,
    note: str = "",
) -> Sustained:
    """JUDGINGS judgings through RUNNER, CONCURRENCY at a time; SETTLE returns once what the
    judgings left to do is done (a pool refilled)."""

    def judge(_: int) -> tuple[float, str]:
        judged = judge_seconds(problem, submission, cases, runner, judge_error_stops=False)
        on_judged()
        return judged.seconds, judged.verdict.value

    cpu_before = host_cpu_s()
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as executor:
        results = list(executor.map(judge, range(judgings)))
    elapsed = time.perf_counter() - began
    settle()
    cpu = host_cpu_s() - cpu_before
    latencies = [seconds for seconds, _ in results]
    return Sustained(
        way=way,
        judgings=judgings,
        concurrency=concurrency,
        seconds=elapsed,
        per_minute=per_minute(judgings, elapsed),
        p50_s=percentile(latencies, 50),
        cpu_per_verdict_s=cpu / judgings,
        verdicts=tuple(sorted({verdict for _, verdict in results})),
        note=note,
    )
