"""What a sandbox is asked to run and what it saw: the types every sandbox shares."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from judgekit.package.problem import Device, Limits
from judgekit.sandbox.frames import Frame


class KillReason(Enum):
    STARTUP_TIME = "startup_time"
    CASE_TIME = "case_time"
    TOTAL_TIME = "total_time"
    OUTPUT = "output"
    PROTOCOL = "protocol"
    INTERRUPTED = "interrupted"


class LimitClock(Enum):
    """Which clock ended a phase that ran out of time (`judgekit.sandbox.run_clock`)."""

    CPU = "cpu"
    """Its CPU-time limit."""
    WALL = "wall"
    """A wall-clock limit: the backstop over a CPU limit (it waited, slept or blocked, while
    the host let it run), or with `clock: wall` the limit itself."""
    STARVED = "starved"
    """The host kept it from running for so long that the judge stopped waiting: not the
    submission's doing."""


@dataclass(frozen=True)
class TimedFrame:
    frame: Frame
    elapsed_ms: int
    """Wall-clock milliseconds since the previous frame (or the hand-over), measured here."""
    cpu_ms: int | None = None
    """The container's user CPU time over the same span, from its cgroup."""


@dataclass(frozen=True)
class ContainerSpec:
    """What a container is made for, before any submission: a prewarmed one fits only jobs
    with the same image, device and limits (the memory limit is set when it is created)."""

    image: str
    device: Device
    limits: Limits


@dataclass(frozen=True)
class Job:
    """What to run: one submission file over some cases' inputs, in one container."""

    submission: Path
    inputs: Sequence[Mapping[str, Any]]
    """Each case's parameter values (JSON data), in the order they run."""
    function: str
    parameters: Sequence[dict[str, str]]
    limits: Limits
    device: Device
    image: str
    # The problem's output shape: only words the runner's messages ("an array of 3 numbers").
    output_shape: tuple[int, ...] = ()

    @property
    def spec(self) -> ContainerSpec:
        return ContainerSpec(self.image, self.device, self.limits)


@dataclass
class RunOutcome:
    frames: list[TimedFrame] = field(default_factory=list)
    killed_for: KillReason | None = None
    exit_code: int | None = None
    """None when the run completed (the judge then removes the container without waiting)."""
    oom_killed: bool = False
    output_bytes: int = 0
    stderr: str = ""
    wall_ms: int = 0
    cpu_ms: int | None = None
    """The container's user CPU time from the hand-over (a cold run: from its start)."""
    starved_ms: int = 0
    """Wall-clock time the host kept the container from running (CPU pressure, frozen)."""
    limit_clock: LimitClock | None = None
    """Which clock ended the run, when it ran out of time."""
    protocol_error: str | None = None
    judge_error: str | None = None
    prewarmed: bool = False
    """The run used a container started ahead of demand (its start-up was not on the clock)."""


OnFrame = Callable[[TimedFrame], None]


class JobRunner(Protocol):
    """Runs one job in a sandbox: a cold `Sandbox` or a `SandboxPool` of prewarmed ones."""

    def run(self, job: Job, on_frame: OnFrame | None = None) -> RunOutcome: ...

    def image(self, device: Device) -> str:
        """The image jobs for DEVICE should name; JudgekitError when it is not built."""
        ...
