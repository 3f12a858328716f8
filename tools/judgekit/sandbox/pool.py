"""Prewarmed sandboxes: containers booted ahead of demand, each used for exactly one job.

A warm container has its runner up, JAX and Flax imported and the generic warm-up done
(sandbox/warmup.py, over the test set's shapes), and waits, holding no submission, for one
job. `SandboxPool.run` hands it the job and the limits start then; afterwards the container
is removed and a new one boots in the background. When none is warm (or the job needs other
limits, another image or device) the job runs cold, exactly as `Sandbox.run` would. Pool
containers carry the same labels as any sandbox's, so a restarted judge sweeps them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from types import TracebackType

from judgekit.package.problem import Device
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.engine import EngineError, engine_failure
from judgekit.sandbox.outcome import ContainerSpec, Job, OnFrame, RunOutcome
from judgekit.sandbox.session import SandboxSession

log = logging.getLogger(__name__)
# Generous: a busy host boots several containers at once.
WARM_UP_S = 300.0
# After a container failed to warm up, wait before trying again, twice as long after each
# failure in a row (a broken image, or a GPU the engine cannot give, must not busy-loop).
RETRY_AFTER_S = 10.0
MAX_RETRY_AFTER_S = 300.0


class SandboxPool:
    """SIZE prewarmed containers for jobs of SPEC, refilled in the background.

    The same `run(job, on_frame)` as `Sandbox`; thread-safe. `close()` (or leaving the
    `with` block) removes the containers still waiting.
    """

    def __init__(
        self,
        sandbox: Sandbox,
        spec: ContainerSpec,
        size: int,
        shapes: Sequence[Sequence[int]] = (),
    ) -> None:
        self.sandbox = sandbox
        self.spec = spec
        self.size = max(0, size)
        self.shapes = tuple(tuple(shape) for shape in shapes)
        self._warm: deque[SandboxSession] = deque()
        self._booting = 0
        self._failing = False
        self._retry_after_s = RETRY_AFTER_S
        self._changed = threading.Condition()
        self._closed = False
        self._removals: list[threading.Thread] = []
        self._refill = threading.Thread(target=self._keep_full, name="sandbox-pool", daemon=True)
        self._refill.start()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def run(self, job: Job, on_frame: OnFrame | None = None) -> RunOutcome:
        session = self._take() if job.spec == self.spec else None
        if session is None:
            return self.sandbox.run(job, on_frame)
        try:
            with self.sandbox.turn(job.device):
                started = time.monotonic()
                outcome = session.execute(job, on_frame, started)
        except EngineError as error:
            session.outcome.judge_error = engine_failure(error, job.device)
            outcome = session.outcome
        finally:
            self._remove_later(session)
        outcome.prewarmed = True
        return outcome

    def image(self, device: Device) -> str:
        """The pool's image, fixed when it started: a rebuilt image takes a restart."""
        return self.spec.image if device is self.spec.device else self.sandbox.image(device)

    def wait_until_warm(self, timeout_s: float) -> bool:
        """Wait until SIZE containers are warm; False if that took longer than TIMEOUT_S."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while len(self._warm) < self.size:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    return False
                self._changed.wait(left)
            return True

    def close(self) -> None:
        with self._changed:
            self._closed = True
            waiting = list(self._warm)
            self._warm.clear()
            self._changed.notify_all()
        self._refill.join(timeout=WARM_UP_S)
        with self._changed:
            self._changed.wait_for(lambda: self._booting == 0, timeout=WARM_UP_S)
        for session in waiting:
            session.dispose()
        for removal in list(self._removals):
            removal.join()

    def _take(self) -> SandboxSession | None:
        """A warm container still waiting for a job, or None: the caller runs cold, which
        is sooner than waiting for one still booting (at a low CPU weight, on a busy host)."""
        while True:
            with self._changed:
                if not self._warm:
                    return None
                session = self._warm.popleft()
                self._changed.notify_all()  # the refill boots a replacement
            if session.alive():
                return session
            log.warning("a prewarmed sandbox had ended while waiting; removing it")
            self._remove_later(session)

    def _keep_full(self) -> None:
        """Refill thread: boot containers (in parallel) while fewer than SIZE are warm or
        booting; after a failed boot, wait before the next."""
        with self._changed:
            while not self._closed:
                if self._failing:
                    self._failing = False
                    retry_at = time.monotonic() + self._retry_after_s
                    self._retry_after_s = min(2 * self._retry_after_s, MAX_RETRY_AFTER_S)
                    while not self._closed and time.monotonic() < retry_at:
                        self._changed.wait(retry_at - time.monotonic())
                elif len(self._warm) + self._booting < self.size:
                    self._booting += 1
                    threading.Thread(target=self._boot, name="sandbox-boot", daemon=True).start()
                else:
                    self._changed.wait()

    def _boot(self) -> None:
        session = self.sandbox.session(self.spec)
        warm = False
        try:
            session.boot(self.shapes, ahead=True)
            warm = session.await_warm(time.monotonic() + WARM_UP_S)
            if not warm:
                log.warning("a prewarmed sandbox did not warm up: %s", session.outcome)
        except EngineError as error:
            log.warning("cannot boot a prewarmed sandbox: %s", error)
        with self._changed:
            kept = warm and not self._closed
            if kept:
                self._warm.append(session)
                self._retry_after_s = RETRY_AFTER_S
        if not kept:
            session.dispose()  # still counted as booting: close() waits for this removal
        with self._changed:
            self._booting -= 1
            self._failing = self._failing or not warm
            self._changed.notify_all()

    def _remove_later(self, session: SandboxSession) -> None:
        """Remove the used container off the verdict's path."""
        removal = threading.Thread(target=session.dispose, name="sandbox-removal", daemon=True)
        with self._changed:
            self._removals = [r for r in self._removals if r.is_alive()] + [removal]
        removal.start()
