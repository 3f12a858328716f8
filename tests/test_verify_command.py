"""`judgekit verify` checks the time limit with a margin and leaves nothing behind. A module of
its own: the known-submission tests' prewarmed sandboxes (this process's too) are gone by then."""

from __future__ import annotations

import subprocess

import pytest
from judgekit.cli import main
from judgekit.package.problem import Problem
from judgekit.sandbox.leftover_containers import LABEL, OWNER_LABEL, owner
from sandbox_support import require_sandbox


def _disk_used_kib() -> int:
    df = subprocess.run(["df", "--output=used", "/"], capture_output=True, text=True, check=True)
    return int(df.stdout.split()[-1])


@pytest.mark.docker
def test_judgekit_verify_checks_the_time_limit_and_leaves_nothing_behind(
    problem: Problem,
) -> None:
    """On the reference alone: the verdicts of the whole corpus are the test above."""
    require_sandbox(problem.root)
    disk_before = _disk_used_kib()
    mine = f"{OWNER_LABEL}={owner()}"
    assert main(["--problem", str(problem.root), "verify", "--only", "reference/"]) == 0
    # This process's containers only: other judges on the same engine may be running.
    leftover = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={LABEL}", "--filter", f"label={mine}"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert leftover == []
    assert _disk_used_kib() - disk_before < 100 * 1024  # KiB: nothing big left behind
