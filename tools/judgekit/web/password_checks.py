"""Password checks off the shared thread pool, a bounded number at once.

An argon2 check holds its memory cost (auth.PASSWORD_MEMORY_MIB) and a core while it runs;
unauthenticated clients can ask for as many as they like. Here at most `checks_at_once` run,
on threads of their own (so pages never wait for a free thread behind them), and at most
`checks_waiting` more wait; past that a login is refused at once with `ChecksBusy`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from judgekit.web.limits import LoginLimits

T = TypeVar("T")


class ChecksBusy(Exception):
    """Too many password checks running and waiting: try again shortly."""


class PasswordChecks:
    def __init__(self, limits: LoginLimits) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=limits.checks_at_once, thread_name_prefix="password-check"
        )
        self._room = threading.BoundedSemaphore(limits.checks_at_once + limits.checks_waiting)

    async def run(self, check: Callable[[], T]) -> T:
        """CHECK's result, run on a check thread; ChecksBusy when none is free or queued."""
        if not self._room.acquire(blocking=False):
            raise ChecksBusy
        try:
            return await asyncio.wrap_future(self._executor.submit(check))
        finally:
            self._room.release()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
