"""Runs a BenchPlan: every mode for every submission, then the warm pool's latency and
throughput, and checks the targets. The pool is opened only after the other modes are
measured, so that its refills never share the CPU with them."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from judgekit.bench import cold, fresh_process, sustained, under_load, warm_pool
from judgekit.bench.floor import Floor
from judgekit.bench.host_load import busy_for_this_host
from judgekit.bench.plan import BenchPlan
from judgekit.bench.results import (
    BenchReport,
    Latency,
    LoadLatency,
    Machine,
    Mode,
    ModeTime,
    SubmissionBench,
    Sustained,
    ThroughputLevel,
)
from judgekit.bench.stats import extrapolate, ratio
from judgekit.bench.targets import check_targets
from judgekit.errors import JudgekitError
from judgekit.package.problem import Device, Problem
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.image import current_image
from judgekit.sandbox.outcome import ContainerSpec, JobRunner
from judgekit.sandbox.pool import SandboxPool
from judgekit.sandbox.snapshots.availability import choose_executor
from judgekit.sandbox.snapshots.executor import SnapshotSandbox

# The slow modes (b), (c) and (f) run for the first submissions only (the reference and two
# accepted ones by default), to keep a whole run near 10 minutes on 2 cores.
SLOW_MODES_FOR = 3
SLOW_MODES_NOTE = "measured for the first 3 submissions only"
SUSTAINED_AT_ONCE = 2
SUSTAINED_WAYS = ("cold, cache", "warm pool", "restored clone")
# Making the template (boot, warm-up, checkpoint) is not part of any verdict's cost: it is
# paid once per MAX_RESTORES verdicts.
TEMPLATE_S = 600.0


class Steps(Protocol):
    """Told as each step of the run begins and ends (a progress bar)."""

    def begin(self, what: str) -> None: ...
    def done(self) -> None: ...


def count_steps(plan: BenchPlan) -> int:
    """Every step run_bench announces."""
    reps = plan.repetitions
    pool = len(reps.throughput_levels) * reps.judgings_per_level
    slow = min(SLOW_MODES_FOR, len(plan.submissions))
    per_submission = 2 + reps.latency_runs
    load = 2 * reps.load_runs
    return (
        per_submission * len(plan.submissions)
        + (2 + len(plan.per_case_sample)) * slow
        + pool
        + load
        + len(SUSTAINED_WAYS) * reps.sustained_judgings
    )


def _name(problem: Problem, path: Path) -> str:
    return str(path.relative_to(problem.root)) if path.is_relative_to(problem.root) else str(path)


class _Bench:
    def __init__(self, problem: Problem, plan: BenchPlan, steps: Steps) -> None:
        self.problem = problem
        self.plan = plan
        self.steps = steps
        self.floor = Floor(problem)
        self.uncached = cold.sandbox(problem, compilation_cache=False)
        self.cached = cold.sandbox(problem, compilation_cache=True)

    def step(self, what: str, path: Path) -> None:
        self.steps.begin(f"{_name(self.problem, path)}: {what}")

    def modes(self, path: Path) -> list[ModeTime]:
        plan, problem, cases = self.plan, self.problem, self.plan.cases
        self.step("in-process floor", path)
        floor_s = self.floor.seconds(path, cases, plan.repetitions.floor_passes)
        self.steps.done()
        times = [ModeTime(Mode.FLOOR, floor_s, 1.0, "every shape compiled first")]
        if path not in plan.submissions[:SLOW_MODES_FOR]:
            for mode in (Mode.FRESH_PROCESS, Mode.COLD_NO_CACHE, Mode.PER_CASE_PROCESS):
                times.append(ModeTime(mode, None, None, SLOW_MODES_NOTE))
            self._judged(path, Mode.COLD_CACHE, self.cached, floor_s, times)
            return times
        self.step("fresh host process", path)
        fresh_s = fresh_process.one_process_seconds(problem, path, cases)
        self.steps.done()
        times.append(ModeTime(Mode.FRESH_PROCESS, fresh_s, ratio(fresh_s, floor_s)))
        for mode, sandbox in ((Mode.COLD_NO_CACHE, self.uncached), (Mode.COLD_CACHE, self.cached)):
            self._judged(path, mode, sandbox, floor_s, times)
        sample_s: list[float] = []
        for index, case in enumerate(plan.per_case_sample):
            self.step(f"one process per case ({index + 1}/{len(plan.per_case_sample)})", path)
            sample_s += fresh_process.per_case_seconds(problem, path, [case])
            self.steps.done()
        per_case_s = extrapolate(sample_s, len(cases))
        note = f"{len(sample_s)} of {len(cases)} cases run, extrapolated (mean x {len(cases)})"
        times.append(ModeTime(Mode.PER_CASE_PROCESS, per_case_s, ratio(per_case_s, floor_s), note))
        return times

    def _judged(
        self, path: Path, mode: Mode, sandbox: Sandbox, floor_s: float, times: list[ModeTime]
    ) -> None:
        self.step(mode.title, path)
        judged = cold.judge_seconds(self.problem, path, self.plan.cases, sandbox)
        seconds, verdict = judged.seconds, judged.verdict.value
        times.append(ModeTime(mode, seconds, ratio(seconds, floor_s), "", verdict))
        self.steps.done()

    def pool(self, size: int) -> SandboxPool:
        """SIZE containers warmed as the plan says."""
        return warm_pool.pool_for(self.problem, self.cached, size, self.plan.warmup)

    def latency(self, pool: SandboxPool, path: Path) -> Latency:
        runs = self.plan.repetitions.latency_runs
        self.step(f"warm pool, {runs} judgings", path)
        return warm_pool.latency(
            pool, self.problem, path, self.plan.cases, runs=runs, on_judged=self.steps.done
        )

    def throughput(self) -> list[ThroughputLevel]:
        reps, path = self.plan.repetitions, self.plan.submissions[0]
        levels = []
        for level in reps.throughput_levels:
            self.step(f"throughput, {level} at once", path)
            levels.append(
                warm_pool.throughput(
                    self.pool, self.problem, path, self.plan.cases,
                    concurrency=level, judgings=reps.judgings_per_level, on_judged=self.steps.done,
                )
            )  # fmt: skip
        return levels

    def sustained(self, image: str) -> tuple[tuple[Sustained, ...], str]:
        """Each way's cost per verdict, one after another on the otherwise idle host."""
        reps, path, problem = self.plan.repetitions, self.plan.submissions[0], self.problem
        judgings, cases = reps.sustained_judgings, self.plan.cases

        def measure(way: str, runner: JobRunner, settle: Callable[[], None]) -> Sustained:
            self.step(f"{way}: {judgings} judgings, {SUSTAINED_AT_ONCE} at once", path)
            return sustained.sustained(
                way, runner, problem, path, cases, judgings=judgings,
                concurrency=SUSTAINED_AT_ONCE, settle=settle, on_judged=self.steps.done,
            )  # fmt: skip

        ways = [measure(SUSTAINED_WAYS[0], self.cached, lambda: None)]
        with self.pool(SUSTAINED_AT_ONCE) as pool:
            warm_pool.wait_warm(pool, SUSTAINED_AT_ONCE)
            ways.append(
                measure(
                    SUSTAINED_WAYS[1], pool, lambda: warm_pool.wait_warm(pool, SUSTAINED_AT_ONCE)
                )
            )
        executor = choose_executor(Device.CPU)
        if not executor.snapshots:
            for _ in range(judgings):
                self.steps.done()
            return tuple(ways), f"restored clone: not measured ({executor.why})"
        spec = ContainerSpec(image, Device.CPU, problem.limits)
        seccomp = problem.root / "sandbox" / "seccomp.json"
        with contextlib.closing(
            SnapshotSandbox(self.cached, executor, seccomp, self.plan.warmup, ahead=spec)
        ) as snapshots:
            if not snapshots.wait_until_warm(spec, TEMPLATE_S):
                raise JudgekitError("the snapshot template could not be made; see the log")
            ways.append(measure(SUSTAINED_WAYS[2], snapshots, lambda: None))
        return tuple(ways), ""

    def under_load(self, image: str) -> LoadLatency:
        reps, path = self.plan.repetitions, self.plan.submissions[0]
        busy = busy_for_this_host(reps.busy_per_cpu)
        self.step(f"cold, quiet and beside {busy} busy containers", path)
        return under_load.load_latency(
            self.problem, self.cached, path, self.plan.cases, image=image,
            runs=reps.load_runs, busy=busy, on_judged=self.steps.done,
        )  # fmt: skip


def _with_pool(times: Sequence[ModeTime], latency: Latency) -> tuple[ModeTime, ...]:
    """TIMES and the warm pool's, in the order of Mode."""
    floor_s = times[0].seconds or 0.0
    note = f"median of {len(latency.runs_s)} judgings"
    pool = ModeTime(Mode.WARM_POOL, latency.p50_s, ratio(latency.p50_s, floor_s), note)
    order = list(Mode)
    return tuple(sorted([*times, pool], key=lambda time: order.index(time.mode)))


def run_bench(problem: Problem, plan: BenchPlan, steps: Steps) -> BenchReport:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    bench = _Bench(problem, plan, steps)  # first: a clear error when Docker is unreachable
    image = current_image(problem.root, Device.CPU)
    modes = {path: bench.modes(path) for path in plan.submissions}
    with bench.pool(1) as pool:
        latencies = {path: bench.latency(pool, path) for path in plan.submissions}
    levels = bench.throughput()
    loaded = bench.under_load(image)
    ways, ways_note = bench.sustained(image)
    benches = tuple(
        SubmissionBench(
            _name(problem, path),
            path == plan.reference,
            _with_pool(modes[path], latencies[path]),
            latencies[path],
        )
        for path in plan.submissions
    )
    note = (
        f"{_name(problem, plan.submissions[0])}, {plan.repetitions.judgings_per_level} judgings "
        "per level, through a warm pool as large as the concurrency"
    )
    machine = Machine(
        cpus=os.cpu_count() or 0,
        platform=platform.platform(),
        python=platform.python_version(),
        jax=importlib.metadata.version("jax"),
        image=image,
        load_at_start=load_at_start,
        load_at_end=os.getloadavg()[0],
    )
    return BenchReport(
        quick=plan.quick,
        started=started,
        total_s=time.perf_counter() - clock,
        machine=machine,
        cases=len(plan.cases),
        submissions=benches,
        throughput=tuple(levels),
        throughput_note=note,
        under_load=loaded,
        sustained=ways,
        sustained_note=ways_note,
        targets=check_targets(benches, levels, loaded, ways),
    )
