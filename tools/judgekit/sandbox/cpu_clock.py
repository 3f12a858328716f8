"""A container's CPU clock, read on the host, never from anything inside the container.

`CgroupClock` reads the container's cgroup: the user CPU time of every process and thread in
it (cgroup v2 `cpu.stat` user_usec, else v1 `cpuacct.usage_user`), how long its tasks were
runnable but not running (v2 `cpu.pressure`, the PSI `some` total), how long its own CPU
quota throttled it (`throttled_usec`, v1 `throttled_time`) and whether the engine has frozen
it (`docker pause`: v2 `cgroup.events`, v1 `freezer.state`). The cgroup is found from the
container's init process (/proc/PID/cgroup against the host's cgroup mounts), so the
cgroupfs and systemd drivers, v1, v2 and hybrid hosts all work; a path that does not name the
container is refused (a recycled PID, or a judge that sees another PID namespace).

The clock is user time: the submission's own computation. System time, the kernel's work for
it, costs what the host makes it cost: on a virtual machine whose memory the hypervisor backs
on first touch, faulting in 2 GiB took 9 s of system time against 0.2 s for the same pages
touched again, so a memory hog's verdict would depend on the host. The kernel's work is
bounded by the wall-clock backstop instead (`judgekit.sandbox.run_clock`).

When the judge cannot see the container's cgroup (it runs in a container itself, beside the
host's engine), `EngineClock` asks the engine's stats API for the same user time; it cannot
see pressure, so there a starved run is not told from a waiting one.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import docker

from judgekit.sandbox.engine import EngineError


@dataclass(frozen=True)
class CpuSample:
    cpu_us: int
    """User CPU time the container's processes used since it started."""
    stalled_us: int | None
    """How long some task of the container was runnable but not running; None: not known."""
    throttled_us: int
    """How long the container's own CPU quota held it back (part of STALLED_US)."""
    frozen: bool
    """The engine has paused the container (its tasks are not runnable then)."""


class CpuClock(Protocol):
    def sample(self) -> CpuSample:
        """The container's counters now (the last ones once its cgroup is gone)."""
        ...


@dataclass(frozen=True)
class Counter:
    """One number in a cgroup file: the whole file (KEY None) or the value after KEY (a
    `key value` file such as cpu.stat), in units of US_PER_UNIT microseconds."""

    path: Path
    key: str | None
    us_per_unit: float

    def read(self) -> int | None:
        """The counter in microseconds; None when the file is gone or does not hold it."""
        try:
            text = self.path.read_text()
        except OSError:
            return None
        try:
            if self.key is None:
                return int(int(text.strip()) * self.us_per_unit)
            for line in text.splitlines():
                name, _, value = line.partition(" ")
                if name == self.key:
                    return int(int(value) * self.us_per_unit)
        except ValueError:
            return None
        return None


@dataclass(frozen=True)
class CgroupFiles:
    """The files of one container's cgroup on this host."""

    user: Counter
    pressure: Path | None
    throttling: Counter | None
    freezer: Path | None  # v1 freezer.state
    events: Path | None  # v2 cgroup.events


@dataclass(frozen=True)
class _Mount:
    root: str
    point: Path
    fstype: str
    options: frozenset[str]


def _mounts(mountinfo: str) -> list[_Mount]:
    """The cgroup mounts in a /proc/PID/mountinfo text."""
    mounts = []
    for line in mountinfo.splitlines():
        head, separator, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if not separator or len(fields) < 5 or len(rest) < 3:
            continue
        if rest[0] in ("cgroup", "cgroup2"):
            point = Path(fields[4].replace("\\040", " "))
            mounts.append(_Mount(fields[3], point, rest[0], frozenset(rest[2].split(","))))
    return mounts


def _directory(mounts: list[_Mount], fstype: str, controller: str | None, path: str) -> Path | None:
    for mount in mounts:
        if mount.fstype != fstype or (controller is not None and controller not in mount.options):
            continue
        root = mount.root.rstrip("/")
        if root and not (path == root or path.startswith(root + "/")):
            continue
        return mount.point / path[len(root) :].lstrip("/")
    return None


def cgroup_files(cgroups: str, mountinfo: str, container_id: str) -> CgroupFiles | None:
    """The cgroup files of the container CONTAINER_ID whose init's /proc/PID/cgroup text is
    CGROUPS, on a host whose cgroup mounts MOUNTINFO lists; None when they cannot be found."""
    mounts = _mounts(mountinfo)
    unified: Path | None = None
    v1: dict[str, Path] = {}
    for line in cgroups.splitlines():
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if container_id not in path:
            continue
        if number == "0" and not controllers:
            unified = _directory(mounts, "cgroup2", None, path)
            continue
        for controller in controllers.split(","):
            directory = _directory(mounts, "cgroup", controller, path)
            if directory is not None:
                v1[controller] = directory
    v2_stat = unified / "cpu.stat" if unified is not None else None
    user = _first_readable(
        Counter(v2_stat, "user_usec", 1) if v2_stat else None,
        Counter(v1["cpuacct"] / "cpuacct.usage_user", None, 1e-3) if "cpuacct" in v1 else None,
    )
    if user is None:
        return None
    throttling = _first_readable(
        Counter(v2_stat, "throttled_usec", 1) if v2_stat else None,
        Counter(v1["cpu"] / "cpu.stat", "throttled_time", 1e-3) if "cpu" in v1 else None,
    )
    pressure = unified / "cpu.pressure" if unified is not None else None
    return CgroupFiles(
        user=user,
        pressure=pressure if pressure is not None and pressure.is_file() else None,
        throttling=throttling,
        freezer=v1["freezer"] / "freezer.state" if "freezer" in v1 else None,
        events=unified / "cgroup.events" if unified is not None else None,
    )


def _first_readable(*counters: Counter | None) -> Counter | None:
    """The first of COUNTERS that can be read now."""
    return next((c for c in counters if c is not None and c.read() is not None), None)


def _some_total(path: Path) -> int | None:
    """PSI's `some ... total=N` (microseconds) in a cpu.pressure file."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith("some "):
                return int(line.rsplit("total=", 1)[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


class CgroupClock:
    """The CPU clock of one container, from its cgroup files."""

    def __init__(self, files: CgroupFiles) -> None:
        self.files = files
        self._last = CpuSample(0, None, 0, False)

    def sample(self) -> CpuSample:
        files = self.files
        user_us = files.user.read()
        if user_us is None:
            return self._last  # the container is gone: its counters stop where they were
        throttled = files.throttling.read() if files.throttling else None
        self._last = CpuSample(
            cpu_us=user_us,
            stalled_us=_some_total(files.pressure) if files.pressure else None,
            throttled_us=throttled if throttled is not None else self._last.throttled_us,
            frozen=self._frozen(),
        )
        return self._last

    def _frozen(self) -> bool:
        files = self.files
        with contextlib.suppress(OSError):
            if files.freezer is not None and files.freezer.read_text().strip() != "THAWED":
                return True
        with contextlib.suppress(OSError):
            if files.events is not None and "frozen 1" in files.events.read_text().splitlines():
                return True
        return False


class EngineClock:
    """The CPU clock of one container from the engine's stats API (no pressure, no freezer)."""

    def __init__(self, client: docker.DockerClient, container_id: str) -> None:
        self.client = client
        self.container_id = container_id
        self._last = CpuSample(0, None, 0, False)

    def sample(self) -> CpuSample:
        try:
            stats: dict[str, Any] = self.client.api.stats(
                self.container_id, stream=False, one_shot=True
            )
            cpu = stats.get("cpu_stats") or {}
            usage = int((cpu.get("cpu_usage") or {}).get("usage_in_usermode") or 0)
            throttled = int((cpu.get("throttling_data") or {}).get("throttled_time") or 0)
        except (*EngineError, ValueError, TypeError):
            return self._last
        if usage:
            self._last = CpuSample(usage // 1000, None, throttled // 1000, False)
        return self._last


def container_clock(
    client: docker.DockerClient, container_id: str, pid: int, proc: Path = Path("/proc")
) -> CpuClock:
    """The best CPU clock for the running container CONTAINER_ID whose init is host PID PID."""
    with contextlib.suppress(OSError):
        if pid > 0:
            cgroups = (proc / str(pid) / "cgroup").read_text()
            files = cgroup_files(cgroups, (proc / "self" / "mountinfo").read_text(), container_id)
            if files is not None:
                return CgroupClock(files)
    return EngineClock(client, container_id)
