"""A sandbox run or restored by runc, driven directly, as a `Box`. runc stays in the
foreground for the container's life (its exit status is the container's) and hands its
stdio, three pipes made here, straight to the container; the CPU clock is the container's
cgroup, its OOM kills are counted in the judge's parent cgroup (`CloneCgroup`)."""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from judgekit.sandbox.box import Chunk
from judgekit.sandbox.cpu_clock import CgroupClock, CpuClock, cgroup_files
from judgekit.sandbox.engine import RuntimeFailure
from judgekit.sandbox.snapshots.clone_cgroup import CloneCgroup

STARTED_WITHIN_S = 60.0
# What runc and CRIU write on the host (checkpoint images, logs, statistics) is root's alone.
PRIVATE_UMASK = 0o077
READ_BYTES = 65536
# runc mounts on the host side too (a restore binds every bind mount's source onto the shared
# exported rootfs, and unmounts it only if it ends cleanly): each runc gets a private copy of
# the mount table, so nothing it mounts outlives it or meets another runc's mounts.
PRIVATE_MOUNTS = ("unshare", "--mount", "--propagation", "private", "--")


@dataclass(frozen=True)
class Runc:
    """The runc binary, the CRIU binary it checkpoints with, and its own state folder (apart
    from the Docker engine's)."""

    binary: str
    criu: str
    state_root: Path

    def command(self, *args: str) -> list[str]:
        runc = [self.binary, "--root", str(self.state_root), "--criu", self.criu]
        return [*PRIVATE_MOUNTS, *runc, *args]

    def call(self, *args: str, timeout_s: float = 120.0) -> str:
        """Run one runc command to its end; its stdout, or RuntimeFailure naming its error."""
        try:
            done = subprocess.run(
                self.command(*args),
                capture_output=True,
                text=True,
                timeout=timeout_s,
                umask=PRIVATE_UMASK,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RuntimeFailure(f"runc {args[0]}: {error}") from None
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip()[-500:]
            raise RuntimeFailure(f"runc {args[0]} failed: {detail}")
        return done.stdout


class RuncBox:
    """Container ID from BUNDLE: run from its config, or restored from the checkpoint in
    RESTORE_FROM. WORK holds runc's and CRIU's logs. Started when this returns."""

    def __init__(
        self,
        runc: Runc,
        container_id: str,
        bundle: Path,
        cgroup: CloneCgroup,
        work: Path,
        *,
        restore_from: Path | None = None,
    ) -> None:
        self.runc = runc
        self.id = container_id
        self.cgroup = cgroup
        self.work = work
        work.mkdir(mode=0o700, parents=True, exist_ok=True)
        stdin_read, self._stdin = os.pipe()
        self._stdout, stdout_write = os.pipe()
        self._stderr, stderr_write = os.pipe()
        log = ["--log", str(work / "runc.log")]
        self._pid_file = work / "pid"
        started = ["--pid-file", str(self._pid_file), "--bundle", str(bundle), container_id]
        if restore_from is None:
            action = ["run", *started]
        else:
            action = ["restore", "--image-path", str(restore_from), "--work-path", str(work)]
            action += started
        command = runc.command(*log, *action)
        try:
            self.process = subprocess.Popen(
                command,
                stdin=stdin_read,
                stdout=stdout_write,
                stderr=stderr_write,
                start_new_session=True,
                umask=PRIVATE_UMASK,
            )
        finally:
            for fd in (stdin_read, stdout_write, stderr_write):
                os.close(fd)
        try:
            pid = self._wait_running()
            self.cpu: CpuClock = self._clock(pid)
        except BaseException:
            self.kill()
            self._close()
            raise

    def _wait_running(self) -> int:
        """The container's init, once runc has written its pid file: runc does that when the
        container runs (restored, for a restore). Polled as a file: asking `runc state`
        this often would cost more CPU than the restore."""
        deadline = time.monotonic() + STARTED_WITHIN_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeFailure(f"runc ended before the sandbox ran: {self.log_tail()}")
            with contextlib.suppress(OSError, ValueError):
                pid = int(self._pid_file.read_text().strip())
                if pid > 0:
                    return pid
            time.sleep(0.005)
        raise RuntimeFailure(f"the sandbox did not start within {STARTED_WITHIN_S:g} s")

    def _clock(self, pid: int) -> CpuClock:
        try:
            cgroups = Path(f"/proc/{pid}/cgroup").read_text()
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError as error:
            raise RuntimeFailure(f"cannot read the sandbox's cgroup: {error}") from None
        files = cgroup_files(cgroups, mountinfo, self.cgroup.runc_path)
        if files is None:
            raise RuntimeFailure("cannot find the sandbox's cgroup on this host")
        return CgroupClock(files)

    def log_tail(self) -> str:
        try:
            return (self.work / "runc.log").read_text(errors="replace").strip()[-500:]
        except OSError:
            return "(no runc log)"

    def output(self) -> Iterator[Chunk]:
        open_fds = {self._stdout, self._stderr}
        while open_fds:
            readable, _, _ = select.select(list(open_fds), [], [])
            for fd in readable:
                try:
                    data = os.read(fd, READ_BYTES)
                except OSError:
                    data = b""
                if not data:
                    open_fds.discard(fd)
                    continue
                yield (data, None) if fd == self._stdout else (None, data)

    def send(self, data: bytes) -> None:
        if self._stdin < 0:
            raise OSError("stdin is closed")
        view = memoryview(data)
        while view:
            view = view[os.write(self._stdin, view) :]

    def close_input(self) -> None:
        if self._stdin >= 0:
            with contextlib.suppress(OSError):
                os.close(self._stdin)
            self._stdin = -1

    def running(self) -> bool:
        return self.process.poll() is None

    def raise_cpu_weight(self, shares: int) -> None:
        self.runc.call("update", "--cpu-share", str(shares), self.id)

    def kill(self) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(RuntimeFailure):
            self.runc.call("kill", self.id, "KILL", timeout_s=10)
        with contextlib.suppress(RuntimeFailure):
            self.runc.call("resume", self.id, timeout_s=10)  # a paused one dies once thawed

    def wait(self, timeout_s: float) -> tuple[int, bool]:
        try:
            code = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise RuntimeFailure(f"the sandbox did not end within {timeout_s:g} s") from None
        return code, self.cgroup.oom_kills() > 0

    def checkpoint(self, images: Path) -> None:
        """Dump the container into IMAGES (root-only) and end it."""
        images.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.runc.call(
            "checkpoint", "--image-path", str(images), "--work-path", str(self.work), self.id,
            timeout_s=300,
        )  # fmt: skip
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)

    def remove(self) -> None:
        self.close_input()
        self.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        with contextlib.suppress(RuntimeFailure):
            self.runc.call("delete", "--force", self.id, timeout_s=30)
        self._close()
        self.cgroup.remove()

    def _close(self) -> None:
        self.close_input()
        for fd in (self._stdout, self._stderr):
            with contextlib.suppress(OSError):
                os.close(fd)
