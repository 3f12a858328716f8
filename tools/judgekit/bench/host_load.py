"""An overloaded host, for as long as a measurement needs it: busy containers of the sandbox
image, each a `--cpus 1` busy loop in a cgroup of its own at the default CPU weight, as the
containers of many judgings at a deadline would be. Busy processes on the host would not do:
they share the host's cgroup, and the kernel gives each container its share regardless.

The containers carry the sandbox labels, so a judge's sweep removes any left behind."""

from __future__ import annotations

import os
from types import TracebackType

import docker
from docker.models.containers import Container

from judgekit.sandbox.leftover_containers import LABEL, OWNER_LABEL, owner, remove_container

BUSY_LOOP = ["/opt/venv/bin/python", "-c", "while True: pass"]
# 16 on a 2-core host: a load at which a judge on the wall clock turns a memory bomb's MLE and
# a correct file's AC into TLE.
BUSY_PER_CPU = 8


def busy_for_this_host(per_cpu: int = BUSY_PER_CPU) -> int:
    return per_cpu * (os.cpu_count() or 1)


class BusyContainers:
    """COUNT busy containers of IMAGE while the `with` block runs; removed however it ends."""

    def __init__(self, image: str, count: int) -> None:
        self.image = image
        self.count = count
        self._client = docker.from_env()
        self._busy: list[Container] = []

    def __enter__(self) -> BusyContainers:
        try:
            for _ in range(self.count):
                self._busy.append(
                    self._client.containers.run(
                        self.image,
                        BUSY_LOOP,
                        detach=True,
                        nano_cpus=10**9,
                        network_disabled=True,
                        labels={LABEL: "1", OWNER_LABEL: owner()},
                    )
                )
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        for container in self._busy:
            remove_container(container.id)
        self._busy.clear()
        self._client.close()
