"""What judges that died left of their snapshots: runc containers, cgroups, templates and
clone folders, each named after its judge process (`judge-PID`, `judgekit-PID-...`), removed
when the next judge on the host starts. A live judge's are never touched. Mounts under the
state folder in the judge's own mount table are leftovers too: runc runs with a private one
(`runc_box.PRIVATE_MOUNTS`), so only a runc from before that rule could have left them."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
from pathlib import Path

from judgekit.sandbox.engine import RuntimeFailure
from judgekit.sandbox.leftover_containers import process_alive
from judgekit.sandbox.snapshots.clone_cgroup import CGROUP_ROOT, PARENT, remove_cgroup
from judgekit.sandbox.snapshots.runc_box import Runc

OWNED = re.compile(r"^judgekit-(\d+)-")
JUDGE_DIR = re.compile(r"^judge-(\d+)$")


def _dead_owner(name: str, pattern: re.Pattern[str]) -> bool:
    found = pattern.match(name)
    return found is not None and not process_alive(int(found[1]))


def sweep_leftovers(state_dir: Path, runc: Runc, cgroups: Path = CGROUP_ROOT) -> int:
    """Remove what dead judges left under STATE_DIR, in runc and in the cgroups; how many."""
    removed = 0
    with contextlib.suppress(RuntimeFailure, ValueError):
        for container in json.loads(runc.call("list", "--format", "json") or "null") or []:
            name = str(container.get("id", ""))
            if _dead_owner(name, OWNED):
                with contextlib.suppress(RuntimeFailure):
                    runc.call("delete", "--force", name)
                    removed += 1
    names = {d.name for d in cgroups.glob(f"*/{PARENT}/judgekit-*") if d.is_dir()}
    names |= {d.name for d in (cgroups / PARENT).glob("judgekit-*") if d.is_dir()}
    for name in names:
        if _dead_owner(name, OWNED):
            remove_cgroup(name, cgroups)
            removed += 1
    for mount_point in mounts_under(state_dir, Path("/proc/self/mountinfo").read_text()):
        subprocess.run(["umount", "--lazy", mount_point], capture_output=True, check=False)
        removed += 1
    for folder in state_dir.glob("judge-*"):
        if _dead_owner(folder.name, JUDGE_DIR):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def mounts_under(folder: Path, mountinfo: str) -> list[str]:
    """The mount points below FOLDER in a /proc/PID/mountinfo text, deepest first."""
    prefix = str(folder).rstrip("/") + "/"
    points = []
    for line in mountinfo.splitlines():
        fields = line.split(" ")
        if len(fields) > 4:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), fields[4])
            if point.startswith(prefix):
                points.append(point)
    return sorted(points, key=lambda point: point.count("/"), reverse=True)
