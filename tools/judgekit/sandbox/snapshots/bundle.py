"""The OCI bundle (config.json) of a sandbox that runc runs or restores: the same hardening as
`judgekit.sandbox.container` asks of the Docker engine (uid 10001, no capabilities,
no-new-privileges, the problem's seccomp profile, a read-only root, no network, a private
/tmp tmpfs, pids, CPU and file limits), the submission's folder bound read-only."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from judgekit.sandbox.container import (
    CPUS,
    FILE_SIZE_LIMIT,
    OPEN_FILES_LIMIT,
    PIDS_LIMIT,
    SANDBOX_UID,
    SCRATCH_TMPFS,
    SUPERVISOR_IN_IMAGE,
)
from judgekit.sandbox.session import CPU_SHARES, SUBMISSION_MOUNT

CPU_PERIOD_US = 100_000
HOSTNAME = "sandbox"
MASKED_PATHS = (
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
)
READONLY_PATHS = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")


def oci_seccomp(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The problem's seccomp profile (Docker's format) as OCI's: the same fields, less the
    comments."""
    syscalls = [
        {key: value for key, value in rule.items() if key != "comment"}
        for rule in profile["syscalls"]
    ]
    fields = ("defaultAction", "defaultErrnoRet", "architectures")
    return {**{key: profile[key] for key in fields if key in profile}, "syscalls": syscalls}


def oci_config(
    *,
    rootfs: Path,
    submission_dir: Path,
    environment: Mapping[str, str],
    seccomp: Mapping[str, Any],
    cgroup: str,
    cpu_shares: int = CPU_SHARES,
) -> dict[str, Any]:
    """The config of one sandbox; its memory limit is on the parent cgroup (`clone_cgroup`),
    which outlives the container so that its OOM kills can be read after its end."""
    uid, gid = (int(n) for n in SANDBOX_UID.split(":"))
    tmpfs = SCRATCH_TMPFS.split(",")
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": uid, "gid": gid, "additionalGids": []},
            "args": ["/opt/venv/bin/python", "-I", SUPERVISOR_IN_IMAGE],
            "env": [f"{key}={value}" for key, value in environment.items()],
            "cwd": "/tmp",
            "capabilities": {"bounding": [], "effective": [], "permitted": [], "ambient": []},
            "rlimits": [
                {"type": "RLIMIT_NOFILE", "soft": OPEN_FILES_LIMIT, "hard": OPEN_FILES_LIMIT},
                {"type": "RLIMIT_FSIZE", "soft": FILE_SIZE_LIMIT, "hard": FILE_SIZE_LIMIT},
                {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
            ],
            "noNewPrivileges": True,
        },
        "root": {"path": str(rootfs), "readonly": True},
        "hostname": HOSTNAME,
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {
                "destination": "/dev",
                "type": "tmpfs",
                "source": "tmpfs",
                "options": ["nosuid", "strictatime", "mode=755", "size=65536k"],
            },
            {
                "destination": "/dev/shm",
                "type": "tmpfs",
                "source": "shm",
                "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
            },
            {
                "destination": "/sys",
                "type": "sysfs",
                "source": "sysfs",
                "options": ["nosuid", "noexec", "nodev", "ro"],
            },
            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": tmpfs},
            {
                "destination": SUBMISSION_MOUNT,
                "type": "bind",
                "source": str(submission_dir),
                "options": ["rbind", "ro", "nosuid", "nodev", "noexec"],
            },
        ],
        "linux": {
            "cgroupsPath": cgroup,
            "resources": {
                "devices": [{"allow": False, "access": "rwm"}],
                "pids": {"limit": PIDS_LIMIT},
                "cpu": {
                    "shares": cpu_shares,
                    "quota": int(CPUS * CPU_PERIOD_US),
                    "period": CPU_PERIOD_US,
                },
            },
            "namespaces": [{"type": kind} for kind in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": list(MASKED_PATHS),
            "readonlyPaths": list(READONLY_PATHS),
            "seccomp": oci_seccomp(seccomp),
        },
    }


def write_bundle(directory: Path, config: Mapping[str, Any]) -> Path:
    """DIRECTORY (root-only) holding CONFIG as config.json."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / "config.json"
    path.touch(mode=0o600)
    path.write_text(json.dumps(config, indent=1), encoding="utf-8")
    return directory
