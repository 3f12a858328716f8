"""A started sandbox container as its session drives it, whatever started it: the Docker
engine (`judgekit.sandbox.docker_box`) or runc restoring a snapshot
(`judgekit.sandbox.snapshots`). Its failures are `judgekit.sandbox.engine.EngineError`s."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from judgekit.sandbox.cpu_clock import CpuClock

Chunk = tuple[bytes | None, bytes | None]
"""Bytes read from the container's stdout (the result channel) or its stderr."""


class Box(Protocol):
    id: str
    cpu: CpuClock
    """Its CPU clock, read on the host."""

    def output(self) -> Iterator[Chunk]:
        """Its stdout and stderr as they come, until both end (read by one thread)."""
        ...

    def send(self, data: bytes) -> None:
        """Write DATA to its stdin; OSError when it is gone."""
        ...

    def close_input(self) -> None: ...

    def running(self) -> bool:
        """Its processes are still running (False once it ended or cannot be asked)."""
        ...

    def raise_cpu_weight(self, shares: int) -> None:
        """Give it SHARES of CPU weight (it booted ahead of demand at a lower one)."""
        ...

    def kill(self) -> None:
        """Kill every process in it now, paused or not."""
        ...

    def wait(self, timeout_s: float) -> tuple[int, bool]:
        """Wait for its end: its exit code, and whether the kernel killed it for memory."""
        ...

    def remove(self) -> None:
        """Remove it and what it holds on the host; retried in the background if need be."""
        ...
