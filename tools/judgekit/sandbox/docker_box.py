"""A sandbox container started by the Docker engine, as a `Box`: its stdio over the engine's
attach API, its CPU clock from its cgroup (or the engine's stats), its end from the engine."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import docker
from docker.models.containers import Container

from judgekit.sandbox.box import Chunk
from judgekit.sandbox.cpu_clock import CpuClock, container_clock
from judgekit.sandbox.engine import EngineError
from judgekit.sandbox.leftover_containers import remove_container


class DockerBox:
    """CONTAINER (created, not started) started now, with its output stream attached first so
    that nothing it prints is missed."""

    def __init__(self, client: docker.DockerClient, container: Container) -> None:
        self.client = client
        self.container = container
        self.id: str = container.id or ""
        self._stream: Any = container.attach(stdout=True, stderr=True, stream=True, demux=True)
        container.start()
        container.reload()
        pid = int(container.attrs["State"].get("Pid") or 0)
        self.cpu: CpuClock = container_clock(client, self.id, pid)
        self._stdin: Any = client.api.attach_socket(self.id, params={"stdin": 1, "stream": 1})

    def output(self) -> Iterator[Chunk]:
        yield from self._stream

    def send(self, data: bytes) -> None:
        if self._stdin is None:
            raise OSError("stdin is closed")
        getattr(self._stdin, "_sock", self._stdin).sendall(data)

    def close_input(self) -> None:
        if self._stdin is None:
            return
        with contextlib.suppress(OSError):
            getattr(self._stdin, "_sock", self._stdin).shutdown(socket.SHUT_WR)
        with contextlib.suppress(OSError):
            self._stdin.close()
        self._stdin = None

    def running(self) -> bool:
        try:
            self.container.reload()
        except EngineError:
            return False
        return bool(self.container.attrs["State"].get("Running"))

    def raise_cpu_weight(self, shares: int) -> None:
        self.container.update(cpu_shares=shares)

    def kill(self) -> None:
        try:
            self.container.kill()
        except EngineError:  # exited already, or paused (the engine kills no paused container)
            with contextlib.suppress(*EngineError):
                self.container.unpause()
                self.container.kill()

    def wait(self, timeout_s: float) -> tuple[int, bool]:
        result = self.container.wait(timeout=timeout_s)
        self.container.reload()
        oom = bool(self.container.attrs["State"].get("OOMKilled"))
        return int(result.get("StatusCode", -1)), oom

    def remove(self) -> None:
        self.close_input()
        remove_container(self.id)
        self.client.close()
