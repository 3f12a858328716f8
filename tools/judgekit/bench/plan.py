"""What one bench run measures: which submissions, over which cases, how many times."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from judgekit.errors import JudgekitError
from judgekit.judge.known_submissions import SUBMISSIONS_DIR
from judgekit.package.files import reference_path
from judgekit.package.problem import Problem
from judgekit.package.shape_space import Shape
from judgekit.package.shapes import warmup_shapes
from judgekit.package.testcase import TestCase

ACCEPTED_DIR = Path(SUBMISSIONS_DIR) / "accepted"
ShapeOf = Callable[[TestCase], Shape]


@dataclass(frozen=True)
class Repetitions:
    floor_passes: int
    """Timed in-process passes (after the untimed one that compiles every shape)."""
    per_case_sample: int
    """Cases run one fresh process each; the rest of the set is extrapolated from them."""
    latency_runs: int
    """Judgings per submission through the warm pool, for p50 and p95."""
    throughput_levels: tuple[int, ...]
    judgings_per_level: int
    load_runs: int
    """Cold judgings of the reference on the quiet host, and as many beside the busy ones."""
    busy_per_cpu: int
    """Busy containers per CPU of this host for the overload."""
    sustained_judgings: int
    """Judgings of the reference, 2 at a time, for each way's cost per verdict."""


# Sized to keep a whole run under 10 minutes on 2 cores: each warm-pool judging waits for a
# container's boot and warm-up (about 13 s here).
FULL = Repetitions(
    floor_passes=3,
    per_case_sample=3,
    latency_runs=3,
    throughput_levels=(1, 2, 4),
    judgings_per_level=6,
    load_runs=3,
    busy_per_cpu=8,
    sustained_judgings=20,
)
# Each measured once, for the tests: what the report holds, not figures to compare.
QUICK = Repetitions(
    floor_passes=1,
    per_case_sample=2,
    latency_runs=1,
    throughput_levels=(1, 2),
    judgings_per_level=2,
    load_runs=1,
    busy_per_cpu=2,
    sustained_judgings=2,
)


@dataclass(frozen=True)
class BenchPlan:
    reference: Path
    submissions: tuple[Path, ...]
    """The reference first, then the others, each once."""
    cases: tuple[TestCase, ...]
    per_case_sample: tuple[TestCase, ...]
    repetitions: Repetitions
    quick: bool
    warmup: tuple[Shape, ...]
    """The shapes a prewarmed sandbox is warmed at: the test set's and the fuzz shapes, as
    `judgekit serve` warms (a quick bench: its cases' own, all that its judgings meet)."""


def default_submissions(problem: Problem) -> list[Path]:
    """The reference and every accepted known submission."""
    accepted = sorted((problem.root / ACCEPTED_DIR).glob("*.py"))
    return [reference_path(problem), *accepted]


def spread_sample(cases: Sequence[TestCase], shape_of: ShapeOf, count: int) -> tuple[TestCase, ...]:
    """COUNT cases spread over the set's shapes: shapes picked evenly from the sorted list of
    distinct ones, one case each (the first of its shape); more cases than shapes takes
    further cases in set order. Deterministic, so every run measures the same cases."""
    if count >= len(cases):
        return tuple(cases)
    first_of: dict[tuple[int, ...], TestCase] = {}
    for case in cases:
        first_of.setdefault(shape_of(case), case)
    shapes = sorted(first_of)
    if count <= len(shapes):
        step = len(shapes) / count
        return tuple(first_of[shapes[int(i * step)]] for i in range(count))
    chosen = list(first_of.values())
    chosen += [c for c in cases if c not in chosen][: count - len(chosen)]
    return tuple(sorted(chosen, key=cases.index))


def make_plan(
    problem: Problem,
    submissions: Sequence[Path],
    cases: Sequence[TestCase],
    shape_of: ShapeOf,
    *,
    quick: bool,
) -> BenchPlan:
    if not cases:
        raise JudgekitError("no test cases to bench; run judgekit generate")
    reference = reference_path(problem).resolve()
    ordered = list(dict.fromkeys(path.resolve() for path in submissions))
    ordered.sort(key=lambda path: path != reference)  # stable: the reference first
    repetitions = QUICK if quick else FULL
    sample = spread_sample(cases, shape_of, repetitions.per_case_sample)
    warmup = tuple(sorted({shape_of(c) for c in cases})) if quick else warmup_shapes(problem)
    return BenchPlan(reference, tuple(ordered), tuple(cases), sample, repetitions, quick, warmup)
