"""Verdict latency with and without an overloaded host: the same submission judged cold
(with the compilation cache) on a quiet host, then beside busy containers
(`judgekit.bench.host_load`), with the verdicts and the re-runs the judge needed.

On the CPU clock the verdicts stay the same and only the wall-clock time grows; a run the
host starved outright is judged again, and the re-runs say how often that happened."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from judgekit.bench.cold import Judged, judge_seconds
from judgekit.bench.host_load import BusyContainers
from judgekit.bench.results import LoadLatency
from judgekit.bench.stats import percentile
from judgekit.package.problem import Problem
from judgekit.package.testcase import TestCase
from judgekit.sandbox.container import Sandbox


def load_latency(
    problem: Problem,
    sandbox: Sandbox,
    submission: Path,
    cases: Sequence[TestCase],
    *,
    image: str,
    runs: int,
    busy: int,
    on_judged: Callable[[], None],
) -> LoadLatency:
    """RUNS judgings of SUBMISSION on the quiet host, then RUNS beside BUSY busy containers."""

    def judged() -> list[Judged]:
        results = []
        for _ in range(runs):
            results.append(
                judge_seconds(problem, submission, cases, sandbox, judge_error_stops=False)
            )
            on_judged()
        return results

    quiet = judged()
    with BusyContainers(image, busy):
        loaded = judged()
    return LoadLatency(
        busy_containers=busy,
        quiet_runs_s=tuple(j.seconds for j in quiet),
        loaded_runs_s=tuple(j.seconds for j in loaded),
        quiet_p50_s=percentile([j.seconds for j in quiet], 50),
        loaded_p50_s=percentile([j.seconds for j in loaded], 50),
        reruns=sum(j.reruns for j in loaded),
        verdicts=tuple(sorted({j.verdict.value for j in (*quiet, *loaded)})),
    )
