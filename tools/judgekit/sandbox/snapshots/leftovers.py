"""What judges that died left of their snapshots: runc containers, cgroups, templates and
clone folders, each named after its judge process (`judge-PID`, `judgekit-PID-...`), removed
when the next judge on the host starts. A live judge's are never touched."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
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
    for folder in state_dir.glob("judge-*"):
        if _dead_owner(folder.name, JUDGE_DIR):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
