"""The speed targets (the README's "Speed"), checked against a bench's figures: pure, one each."""

from __future__ import annotations

from collections.abc import Sequence

from judgekit.bench.results import (
    LoadLatency,
    Mode,
    SubmissionBench,
    Sustained,
    TargetCheck,
    ThroughputLevel,
)

RESTORED_CPU_S = 2.0
RESTORED_THROUGHPUT_X = 3.0
RESTORED_P50_S = 1.5
REFERENCE_P50_S = 1.0
ACCEPTED_P50_S = 2.0
CACHE_RATIO = 0.5
SCALING_AT_2 = 1.6


def _p50(bench: SubmissionBench) -> float | None:
    return bench.latency.p50_s if bench.latency else None


def reference_latency(submissions: Sequence[SubmissionBench]) -> TargetCheck:
    target = f"warm-pool p50 <= {REFERENCE_P50_S:g} s for the reference"
    reference = next((s for s in submissions if s.is_reference), None)
    p50 = _p50(reference) if reference else None
    if p50 is None:
        return TargetCheck(target, None, "not measured (no warm pool, or no reference benched)")
    return TargetCheck(target, p50 <= REFERENCE_P50_S, f"p50 {p50:.2f} s")


def accepted_latency(submissions: Sequence[SubmissionBench]) -> TargetCheck:
    target = f"warm-pool p50 <= {ACCEPTED_P50_S:g} s for every accepted submission"
    measured = [(s.name, p50) for s in submissions if (p50 := _p50(s)) is not None]
    if not measured or len(measured) < len(submissions):
        return TargetCheck(target, None, "not measured (no warm pool)")
    name, worst = max(measured, key=lambda pair: pair[1])
    return TargetCheck(target, worst <= ACCEPTED_P50_S, f"slowest p50 {worst:.2f} s ({name})")


def cache_gain(submissions: Sequence[SubmissionBench]) -> TargetCheck:
    target = f"cold with cache <= {CACHE_RATIO:g}x cold without, for every submission with both"
    ratios = []
    for bench in submissions:
        cached = bench.mode(Mode.COLD_CACHE).seconds
        uncached = bench.mode(Mode.COLD_NO_CACHE).seconds
        if cached is not None and uncached:
            ratios.append((bench.name, cached / uncached))
    if not ratios:
        return TargetCheck(target, None, "not measured")
    name, worst = max(ratios, key=lambda pair: pair[1])
    return TargetCheck(target, worst <= CACHE_RATIO, f"worst {worst:.2f}x ({name})")


def scaling(levels: Sequence[ThroughputLevel]) -> TargetCheck:
    target = f"throughput at 2 >= {SCALING_AT_2:g}x throughput at 1"
    by_level = {level.concurrency: level.per_minute for level in levels}
    if 1 not in by_level or 2 not in by_level:
        return TargetCheck(target, None, "not measured (no warm pool)")
    gain = by_level[2] / by_level[1]
    detail = f"{gain:.2f}x ({by_level[1]:.1f} -> {by_level[2]:.1f} per minute)"
    return TargetCheck(target, gain >= SCALING_AT_2, detail)


def same_verdict_under_load(loaded: LoadLatency) -> TargetCheck:
    target = "the same verdict with and without the host overloaded, no JE"
    verdicts = "/".join(loaded.verdicts)
    detail = (
        f"{verdicts}; p50 {loaded.quiet_p50_s:.1f} s quiet, {loaded.loaded_p50_s:.1f} s beside "
        f"{loaded.busy_containers} busy containers; {loaded.reruns} re-run(s)"
    )
    return TargetCheck(target, len(loaded.verdicts) == 1 and "JE" not in loaded.verdicts, detail)


def _way(ways: Sequence[Sustained], way: str) -> Sustained | None:
    return next((w for w in ways if w.way == way), None)


def restored_cost(ways: Sequence[Sustained]) -> tuple[TargetCheck, ...]:
    """The snapshot executor's three targets, against the cold figure of the same run."""
    restored, cold = _way(ways, "restored clone"), _way(ways, "cold, cache")
    cpu = f"restored clone: CPU per verdict <= {RESTORED_CPU_S:g} s for the reference"
    rate = f"restored clone: sustained throughput >= {RESTORED_THROUGHPUT_X:g}x cold with cache"
    p50 = f"restored clone: verdict p50 under sustained load <= {RESTORED_P50_S:g} s"
    if restored is None or cold is None:
        return tuple(
            TargetCheck(t, None, "not measured (no snapshots here)") for t in (cpu, rate, p50)
        )
    gain = restored.per_minute / cold.per_minute
    rates = f"{gain:.2f}x ({cold.per_minute:.1f} -> {restored.per_minute:.1f} per minute)"
    spent = restored.cpu_per_verdict_s
    return (
        TargetCheck(
            cpu, spent <= RESTORED_CPU_S, f"{spent:.2f} s (cold {cold.cpu_per_verdict_s:.2f} s)"
        ),
        TargetCheck(rate, gain >= RESTORED_THROUGHPUT_X, rates),
        TargetCheck(p50, restored.p50_s <= RESTORED_P50_S, f"p50 {restored.p50_s:.2f} s"),
    )


def check_targets(
    submissions: Sequence[SubmissionBench],
    levels: Sequence[ThroughputLevel],
    loaded: LoadLatency,
    ways: Sequence[Sustained] = (),
) -> tuple[TargetCheck, ...]:
    return (
        reference_latency(submissions),
        accepted_latency(submissions),
        cache_gain(submissions),
        scaling(levels),
        same_verdict_under_load(loaded),
        *restored_cost(ways),
    )
