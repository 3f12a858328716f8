"""The parent cgroup of one runc sandbox, owned by the judge: it holds the memory limit, so it
is where the kernel runs out of memory for the sandbox, and it outlives the container (runc
removes the container's own cgroup, `box`, when the container ends), so its OOM kills can be
read after its end. cgroup v2 counts them hierarchically in `memory.events`; v1 counts them
only in the victim's own cgroup (gone with `box`), so there the judge listens for the
parent's OOM notification on an eventfd, as container engines do."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from judgekit.sandbox.engine import RuntimeFailure

CGROUP_ROOT = Path("/sys/fs/cgroup")
PARENT = "judgekit"
LEAF = "box"


class CloneCgroup:
    """/judgekit/NAME with MEMORY_BYTES of memory and no swap; the container goes in
    `runc_path`."""

    def __init__(self, name: str, memory_bytes: int, root: Path = CGROUP_ROOT) -> None:
        self.name = name
        self.root = root
        self._notified: int | None = None
        self._ooms = 0
        v1 = root / "memory"
        try:
            if (v1 / "memory.limit_in_bytes").is_file():
                self.directory = v1 / PARENT / name
                self.directory.mkdir(parents=True, exist_ok=True)
                _write(self.directory / "memory.limit_in_bytes", memory_bytes)
                memsw = self.directory / "memory.memsw.limit_in_bytes"
                if memsw.is_file():
                    _write(memsw, memory_bytes)
                self._events, self._key = self.directory / "memory.oom_control", "oom_kill"
                self._notified = _oom_eventfd(self.directory)
            else:
                for parent in (root, root / PARENT):
                    parent.mkdir(exist_ok=True)
                    _write(parent / "cgroup.subtree_control", "+memory +cpu +pids")
                self.directory = root / PARENT / name
                self.directory.mkdir(exist_ok=True)
                _write(self.directory / "memory.max", memory_bytes)
                _write(self.directory / "memory.swap.max", 0)
                self._events, self._key = self.directory / "memory.events", "oom_kill"
        except OSError as error:
            raise RuntimeFailure(f"cannot make the sandbox's cgroup: {error}") from None

    @property
    def runc_path(self) -> str:
        return f"/{PARENT}/{self.name}/{LEAF}"

    def oom_kills(self) -> int:
        """How often the sandbox ran out of memory (v1: OOM notifications so far)."""
        if self._notified is not None:
            with contextlib.suppress(BlockingIOError):
                self._ooms += os.eventfd_read(self._notified)
            return self._ooms
        with contextlib.suppress(OSError, ValueError):
            for line in self._events.read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == self._key:
                    return int(value)
        return 0

    def remove(self) -> None:
        if self._notified is not None:
            os.close(self._notified)
            self._notified = None
        remove_cgroup(self.name, self.root)


def remove_cgroup(name: str, root: Path = CGROUP_ROOT) -> None:
    """Remove the cgroup NAME in every hierarchy it was made in (empty once the container
    ended; the kernel may take a moment to let go of it)."""
    directories = [d for d in root.glob(f"*/{PARENT}/{name}") if d.is_dir()]
    directories += [d for d in (root / PARENT / name,) if d.is_dir()]
    for directory in directories:
        for attempt in range(20):
            with contextlib.suppress(FileNotFoundError):
                for leaf in directory.glob(LEAF):
                    leaf.rmdir()
            try:
                directory.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.05 * (attempt + 1))


def _oom_eventfd(directory: Path) -> int:
    """An eventfd the kernel signals each time the v1 memory cgroup DIRECTORY (or one below
    it) runs out of memory."""
    notified = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
    control = os.open(directory / "memory.oom_control", os.O_RDONLY | os.O_CLOEXEC)
    try:
        _write(directory / "cgroup.event_control", f"{notified} {control}")
    except OSError:
        os.close(notified)
        raise
    finally:
        os.close(control)
    return notified


def _write(path: Path, value: object) -> None:
    path.write_text(f"{value}\n", encoding="ascii")
