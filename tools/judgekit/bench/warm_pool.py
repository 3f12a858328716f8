"""Mode (e) and the pool's service figures: the verdict latency of one submission through a
warm pool (each run on a refilled pool), and the throughput of several judged at once.

The pool is the judge's own `SandboxPool`, warmed for the test set's shapes as `judgekit
serve` warms it (judgekit.package.shapes.warmup_shapes; a quick bench: the judged cases'
shapes, `BenchPlan.warmup`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from judgekit.bench.cold import judge_seconds
from judgekit.bench.results import Latency, ThroughputLevel
from judgekit.bench.stats import per_minute, percentile
from judgekit.errors import JudgekitError
from judgekit.package.problem import Device, Problem
from judgekit.package.shape_space import Shape
from judgekit.package.testcase import TestCase
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.image import current_image
from judgekit.sandbox.outcome import ContainerSpec
from judgekit.sandbox.pool import SandboxPool

# Booting a container, importing JAX and warming up, several at once on a small machine.
WARM_TIMEOUT_S = 300.0

PoolFactory = Callable[[int], SandboxPool]
"""A warm pool of the given size."""


def pool_for(problem: Problem, sandbox: Sandbox, size: int, shapes: Sequence[Shape]) -> SandboxPool:
    """SIZE prewarmed CPU containers for PROBLEM's jobs, warmed at SHAPES, as the web judge
    keeps them."""
    spec = ContainerSpec(current_image(problem.root, Device.CPU), Device.CPU, problem.limits)
    return SandboxPool(sandbox, spec, size, tuple(shapes))


def wait_warm(pool: SandboxPool, size: int) -> None:
    if not pool.wait_until_warm(WARM_TIMEOUT_S):
        raise JudgekitError(f"the pool of {size} did not warm within {WARM_TIMEOUT_S:g} s")


def latency(
    pool: SandboxPool,
    problem: Problem,
    submission: Path,
    cases: Sequence[TestCase],
    *,
    runs: int,
    on_judged: Callable[[], None],
) -> Latency:
    """RUNS judgings of SUBMISSION, each started once the pool is full again."""
    times = []
    for _ in range(runs):
        wait_warm(pool, 1)
        times.append(judge_seconds(problem, submission, cases, pool).seconds)
        on_judged()
    return Latency(tuple(times), percentile(times, 50), percentile(times, 95))


def throughput(
    factory: PoolFactory,
    problem: Problem,
    submission: Path,
    cases: Sequence[TestCase],
    *,
    concurrency: int,
    judgings: int,
    on_judged: Callable[[], None],
) -> ThroughputLevel:
    """JUDGINGS judgings of SUBMISSION, CONCURRENCY at a time, through a warm pool that size."""

    def judge(_: int) -> None:
        judge_seconds(problem, submission, cases, pool)
        on_judged()

    with factory(concurrency) as pool:
        wait_warm(pool, concurrency)
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as executor:
            list(executor.map(judge, range(judgings)))
        elapsed = time.perf_counter() - began
    return ThroughputLevel(concurrency, judgings, elapsed, per_minute(judgings, elapsed))
