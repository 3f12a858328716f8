"""Sandboxes ready ahead of demand for the judges that live long (`judgekit serve`, `judgekit
verify`, judge hosts): per device, the snapshot executor where this host supports it (every
CPU job in a clone of a checkpointed warm sandbox, `judgekit.sandbox.snapshots`), else a pool
of prewarmed containers, warmed up for this problem's test set. Which one, and why, is
logged once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType

from judgekit.errors import JudgekitError
from judgekit.package.problem import Device, Problem
from judgekit.package.shape_space import Shape
from judgekit.package.shapes import warmup_shapes
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.image import current_image
from judgekit.sandbox.outcome import ContainerSpec, JobRunner
from judgekit.sandbox.pool import SandboxPool
from judgekit.sandbox.snapshots.availability import Executor, choose_executor
from judgekit.sandbox.snapshots.executor import SnapshotSandbox

log = logging.getLogger(__name__)
ChooseExecutor = Callable[[Device], Executor]


class PrewarmedSandboxes:
    """For each of DEVICES whose image is built: snapshots, or SIZE prewarmed containers;
    jobs for another device, or other limits, run cold. CHOOSE says which per device (by
    default what the host supports; tests pass their own)."""

    def __init__(
        self,
        problem: Problem,
        devices: Iterable[Device],
        size: int,
        shapes: Sequence[Shape] | None = None,
        choose: ChooseExecutor = choose_executor,
    ) -> None:
        self._runners: dict[Device, SandboxPool | SnapshotSandbox] = {}
        self._specs: dict[Device, ContainerSpec] = {}
        self.executors: dict[Device, Executor] = {}
        """How each device's jobs are run, and why."""
        try:
            self.sandbox: Sandbox | None = Sandbox(problem.root)
        except JudgekitError as error:  # each judging then says so (a JE), as without a pool
            log.warning("no prewarmed sandboxes: %s", error)
            self.sandbox = None
        if size < 1 or self.sandbox is None:
            return
        shapes = warmup_shapes(problem) if shapes is None else shapes
        for device in dict.fromkeys(devices):
            try:
                image = current_image(problem.root, device)
            except JudgekitError as error:
                log.warning("no prewarmed %s sandboxes: %s", device.value, error)
                continue
            spec = ContainerSpec(image, device, problem.limits)
            self._specs[device] = spec
            executor = self.executors[device] = choose(device)
            log.info("%s jobs: %s", device.value, executor.describe())
            if executor.snapshots:
                seccomp = problem.root / "sandbox" / "seccomp.json"
                self._runners[device] = SnapshotSandbox(
                    self.sandbox, executor, seccomp, shapes, ahead=spec
                )
            else:
                self._runners[device] = SandboxPool(self.sandbox, spec, size, shapes)

    def __enter__(self) -> PrewarmedSandboxes:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def wait_until_warm(self, timeout_s: float) -> bool:
        """Wait until every pool is full and every template made; False if that took longer
        than TIMEOUT_S (or a template could not be made)."""
        deadline = time.monotonic() + timeout_s
        ready = True
        for device, runner in self._runners.items():
            left = max(0.0, deadline - time.monotonic())
            if isinstance(runner, SnapshotSandbox):
                ready = runner.wait_until_warm(self._specs[device], left) and ready
            else:
                ready = runner.wait_until_warm(left) and ready
        return ready

    def for_device(self, device: Device) -> JobRunner | None:
        """DEVICE's runner; else a cold sandbox; None when the engine was unreachable."""
        return self._runners.get(device, self.sandbox)

    def close(self) -> None:
        for runner in self._runners.values():
            runner.close()
