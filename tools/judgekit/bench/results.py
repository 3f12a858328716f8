"""What a bench run found, typed: each mode's time per submission, the warm pool's latency and
throughput, and the targets checked against them. `BenchReport.to_json` is the JSON report."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Mode(Enum):
    """How a submission is run, from the cheapest to the most isolated."""

    FLOOR = "floor"
    FRESH_PROCESS = "fresh_process"
    COLD_NO_CACHE = "cold_no_cache"
    COLD_CACHE = "cold_cache"
    WARM_POOL = "warm_pool"
    PER_CASE_PROCESS = "per_case_process"

    @property
    def title(self) -> str:
        return MODE_TITLES[self]


MODE_TITLES = {
    Mode.FLOOR: "(a) in-process floor",
    Mode.FRESH_PROCESS: "(b) fresh host process",
    Mode.COLD_NO_CACHE: "(c) cold container, no compilation cache",
    Mode.COLD_CACHE: "(d) cold container, compilation cache",
    Mode.WARM_POOL: "(e) warm pool (p50)",
    Mode.PER_CASE_PROCESS: "(f) one process per case",
}


@dataclass(frozen=True)
class ModeTime:
    """One mode's time for one submission over the whole set; `seconds` is None when the mode
    could not be measured here, and `note` says why (or how it was measured)."""

    mode: Mode
    seconds: float | None
    ratio_to_floor: float | None
    note: str = ""
    verdict: str | None = None
    """The judge's verdict, for the modes that go through the judge."""


@dataclass(frozen=True)
class Latency:
    """Time to the verdict through the warm pool, each run starting on a refilled pool."""

    runs_s: tuple[float, ...]
    p50_s: float
    p95_s: float


@dataclass(frozen=True)
class SubmissionBench:
    name: str
    is_reference: bool
    modes: tuple[ModeTime, ...]
    latency: Latency | None = None

    @property
    def short_name(self) -> str:
        """The file's name without its folder and .py: a column heading or a bar's label."""
        return self.name.rsplit("/", 1)[-1].removesuffix(".py")

    def mode(self, mode: Mode) -> ModeTime:
        return next(m for m in self.modes if m.mode is mode)


@dataclass(frozen=True)
class ThroughputLevel:
    """JUDGINGS judgings of one submission, CONCURRENCY at a time, through a pool that size."""

    concurrency: int
    judgings: int
    seconds: float
    per_minute: float


@dataclass(frozen=True)
class LoadLatency:
    """One submission judged cold on the quiet host and again beside BUSY_CONTAINERS busy
    containers: the verdict latency of each, the verdicts seen and the re-runs it took."""

    busy_containers: int
    quiet_runs_s: tuple[float, ...]
    loaded_runs_s: tuple[float, ...]
    quiet_p50_s: float
    loaded_p50_s: float
    reruns: int
    verdicts: tuple[str, ...]
    """Every verdict of those judgings: one, the same with and without the load."""


@dataclass(frozen=True)
class Sustained:
    """The reference judged JUDGINGS times, CONCURRENCY at once, one WAY: the throughput,
    each verdict's p50 latency and the whole host's CPU per verdict (until it was idle)."""

    way: str
    judgings: int
    concurrency: int
    seconds: float
    per_minute: float
    p50_s: float
    cpu_per_verdict_s: float
    verdicts: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class TargetCheck:
    """One speed target; `passed` is None when what it needs was not measured."""

    target: str
    passed: bool | None
    detail: str


@dataclass(frozen=True)
class Machine:
    cpus: int
    platform: str
    python: str
    jax: str
    image: str
    load_at_start: float
    load_at_end: float
    """The 1-minute load average: above the CPU count, other work shared the machine."""


@dataclass(frozen=True)
class BenchReport:
    quick: bool
    started: str
    total_s: float
    machine: Machine
    cases: int
    submissions: tuple[SubmissionBench, ...]
    throughput: tuple[ThroughputLevel, ...]
    throughput_note: str
    under_load: LoadLatency
    sustained: tuple[Sustained, ...]
    sustained_note: str
    """Why a way was not measured (no snapshots on this host), or ""."""
    targets: tuple[TargetCheck, ...]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self, dict_factory=_json_fields)


def _json_fields(items: list[tuple[str, Any]]) -> dict[str, Any]:
    return {key: value.value if isinstance(value, Enum) else value for key, value in items}
