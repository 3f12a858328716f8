"""Prewarmed sandboxes for the judges that live long (`judgekit serve`, `judgekit verify`):
one pool per device, warmed up for this problem's test set."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from types import TracebackType

from judgekit.errors import JudgekitError
from judgekit.package.problem import Device, Problem
from judgekit.package.shapes import warmup_shapes
from judgekit.package.strategies import Shape
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.image import current_image
from judgekit.sandbox.outcome import ContainerSpec, JobRunner
from judgekit.sandbox.pool import SandboxPool

log = logging.getLogger(__name__)


class PrewarmedSandboxes:
    """SIZE prewarmed sandboxes for each of DEVICES whose image is built; jobs for another
    device, or other limits, run cold."""

    def __init__(
        self,
        problem: Problem,
        devices: Iterable[Device],
        size: int,
        shapes: Sequence[Shape] | None = None,
    ) -> None:
        self._pools: dict[Device, SandboxPool] = {}
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
            self._pools[device] = SandboxPool(self.sandbox, spec, size, shapes)

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
        """Wait until every pool is full; False if that took longer than TIMEOUT_S."""
        deadline = time.monotonic() + timeout_s
        return all(
            pool.wait_until_warm(max(0.0, deadline - time.monotonic()))
            for pool in self._pools.values()
        )

    def for_device(self, device: Device) -> JobRunner | None:
        """The pool for DEVICE; else a cold sandbox; None when the engine was unreachable."""
        return self._pools.get(device, self.sandbox)

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
