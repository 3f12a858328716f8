"""Mode (e) and the pool's service figures: the verdict latency of one submission through a
warm pool (each run on a refilled pool), and the throughput of several judged at once.

The pool is `pool_for(problem, device, sandbox, size)` from the judge (a context manager with
`run` like Sandbox.run, `wait_until_warm(timeout_s)` and `close()`); a judge without one
gets `None` from `pool_factory`, and the bench says that these figures were not measured.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from judgekit.bench.cold import judge_seconds
from judgekit.bench.results import Latency, ThroughputLevel
from judgekit.bench.stats import per_minute, percentile
from judgekit.errors import JudgekitError
from judgekit.package.problem import Device, Problem
from judgekit.package.testcase import TestCase
from judgekit.sandbox.container import Sandbox

# Where the judge's pool may live; the first that defines pool_for is used.
POOL_MODULES = ("judgekit.judge.pool", "judgekit.sandbox.pool")
# Starting a container and importing JAX, several at once on a small machine.
WARM_TIMEOUT_S = 180.0


class WarmPool(Protocol):
    def run(self, job: Any, on_frame: Any = None) -> Any: ...
    def wait_until_warm(self, timeout_s: float) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> WarmPool: ...
    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


PoolFactory = Callable[[Problem, Device, Sandbox, int], WarmPool]


def pool_factory() -> PoolFactory | None:
    for name in POOL_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        factory = getattr(module, "pool_for", None)
        if callable(factory):
            return factory  # type: ignore[no-any-return]
    return None


def _wait_warm(pool: WarmPool, size: int) -> None:
    if not pool.wait_until_warm(WARM_TIMEOUT_S):
        raise JudgekitError(f"the pool of {size} did not warm within {WARM_TIMEOUT_S:g} s")


def latency(
    pool: WarmPool,
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
        _wait_warm(pool, 1)
        times.append(judge_seconds(problem, submission, cases, pool).seconds)
        on_judged()
    return Latency(tuple(times), percentile(times, 50), percentile(times, 95))


def throughput(
    factory: PoolFactory,
    sandbox: Sandbox,
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

    with factory(problem, Device.CPU, sandbox, concurrency) as pool:
        _wait_warm(pool, concurrency)
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as executor:
            list(executor.map(judge, range(judgings)))
        elapsed = time.perf_counter() - began
    return ThroughputLevel(concurrency, judgings, elapsed, per_minute(judgings, elapsed))
