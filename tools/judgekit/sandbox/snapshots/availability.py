"""Whether this host can judge through snapshots, and if not, why: said once by the judge, and
by `judgekit image show`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from judgekit.package.problem import Device

CRIU_VARIABLE = "JUDGEKIT_CRIU"
EXECUTOR_VARIABLE = "JUDGEKIT_EXECUTOR"
RUNTIME_VARIABLE = "JUDGEKIT_DOCKER_RUNTIME"
DEFAULT_CRIU = Path("/opt/judgekit/criu-4.2/sbin/criu")
MINIMUM_CRIU = (4, 1)


@dataclass(frozen=True)
class Executor:
    snapshots: bool
    """True: each job in a clone restored from a checkpointed warm sandbox."""
    why: str
    criu: str = ""
    runc: str = ""

    def describe(self) -> str:
        if self.snapshots:
            return f"snapshots (runc {self.runc}, CRIU {self.criu}): {self.why}"
        return f"prewarmed pool: {self.why}"


def criu_version(binary: str) -> tuple[int, ...] | None:
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"Version:\s*(\d+)\.(\d+)", done.stdout)
    return (int(found[1]), int(found[2])) if found else None


def choose_executor(device: Device = Device.CPU) -> Executor:
    """The snapshot executor where it works for DEVICE on this host, else the pool and why."""
    if os.environ.get(EXECUTOR_VARIABLE, "") == "pool":
        return Executor(False, f"{EXECUTOR_VARIABLE}=pool")
    if device is not Device.CPU:
        return Executor(False, "CUDA contexts cannot be checkpointed (GPU jobs)")
    if os.environ.get(RUNTIME_VARIABLE):
        return Executor(False, f"the sandbox runs under {os.environ[RUNTIME_VARIABLE]}")
    if os.geteuid() != 0:
        return Executor(False, "checkpointing with runc and CRIU needs root")
    runc = shutil.which("runc")
    if runc is None:
        return Executor(False, "runc is not installed (it comes with docker.io)")
    criu = os.environ.get(CRIU_VARIABLE) or str(DEFAULT_CRIU)
    version = criu_version(criu)
    if version is None:
        return Executor(False, f"no CRIU at {criu} (tools/criu/build.sh builds it)")
    shown = ".".join(map(str, version))
    if version < MINIMUM_CRIU:
        return Executor(False, f"CRIU {shown} at {criu} is older than 4.1")
    try:
        check = subprocess.run([criu, "check"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Executor(False, f"`criu check` failed: {error}")
    if check.returncode != 0:
        last = (check.stderr or check.stdout).strip().splitlines()[-1:] or ["no output"]
        return Executor(False, f"`criu check` fails on this kernel: {last[0][:200]}")
    return Executor(True, "`criu check` passes", criu=criu, runc=runc)
