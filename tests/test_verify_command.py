"""`judgekit verify` checks the time limit with a margin and leaves nothing behind. A module of
its own: the known-submission tests' prewarmed sandboxes (this process's too) are gone by then."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from judgekit.cli import main
from judgekit.package.problem import Problem
from judgekit.sandbox.leftover_containers import LABEL, OWNER_LABEL, owner
from judgekit.sandbox.session import SCRATCH_PREFIX
from judgekit.sandbox.snapshots.executor import STATE_DIR
from sandbox_support import require_sandbox


def _left_by_this_judge() -> set[Path]:
    """What a judge in this process writes outside the engine: each run's scratch folder, and
    its snapshot templates (checkpoint images, hundreds of MB) and clone folders. The disk as
    a whole is no measure: other judges and builds on the host write to it meanwhile."""
    state = STATE_DIR / f"judge-{os.getpid()}"
    scratch = Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}{os.getpid()}-*")
    return {*scratch, *state.glob("templates/*"), *state.glob("clones/*")}


@pytest.mark.docker
def test_judgekit_verify_checks_the_time_limit_and_leaves_nothing_behind(
    problem: Problem,
) -> None:
    """On the reference alone: the verdicts of the whole corpus are the test above."""
    require_sandbox(problem.root)
    before = _left_by_this_judge()
    mine = f"{OWNER_LABEL}={owner()}"
    assert main(["--problem", str(problem.root), "verify", "--only", "reference/"]) == 0
    # This process's containers only: other judges on the same engine may be running.
    leftover = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={LABEL}", "--filter", f"label={mine}"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert leftover == []
    assert _left_by_this_judge() - before == set()
