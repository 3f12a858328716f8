"""Password checks off the shared thread pool, a bounded number at once.

An argon2 check holds its memory cost (auth.PASSWORD_MEMORY_MIB) and a core while it runs;
unauthenticated clients can ask for as many as they like. Here at most `checks_at_once` run
in each of two lanes (browsers with a known-device cookie, and the others), on threads of
their own (so pages never wait for a free thread behind them), and at most `checks_waiting`
more wait in each; past that a login is refused at once with `ChecksBusy`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from judgekit.web.guards.limits import LoginLimits

T = TypeVar("T")


class ChecksBusy(Exception):
    """Too many password checks running and waiting: try again shortly."""


class _Lane:
    def __init__(self, limits: LoginLimits, name: str) -> None:
        self.executor = ThreadPoolExecutor(
            max_workers=limits.checks_at_once, thread_name_prefix=f"password-check-{name}"
        )
        self.room = threading.BoundedSemaphore(limits.checks_at_once + limits.checks_waiting)


class PasswordChecks:
    """Two lanes of checks: browsers with a known-device cookie, and everyone else."""

    def __init__(self, limits: LoginLimits) -> None:
        self._known = _Lane(limits, "known")
        self._others = _Lane(limits, "others")

    async def run(self, check: Callable[[], T], *, known_device: bool = False) -> T:
        """CHECK's result, run on a check thread of its lane; ChecksBusy when none is free or
        queued there."""
        lane = self._known if known_device else self._others
        if not lane.room.acquire(blocking=False):
            raise ChecksBusy
        try:
            return await asyncio.wrap_future(lane.executor.submit(check))
        finally:
            lane.room.release()

    def close(self) -> None:
        for lane in (self._known, self._others):
            lane.executor.shutdown(wait=False, cancel_futures=True)
