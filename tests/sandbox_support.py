"""Shared by the tests that need the real Docker engine and the sandbox image."""

from __future__ import annotations

import subprocess
from pathlib import Path

from judgekit.errors import JudgekitError
from judgekit.package.problem import Device
from judgekit.sandbox.image import current_image
from judgekit.sandbox.snapshots.availability import choose_executor
from repo_support import missing


def require_sandbox(problem_root: Path) -> str:
    """The CPU image's tag; skip locally, fail in CI, when the engine or image is missing."""
    if subprocess.run(["docker", "info"], capture_output=True, check=False).returncode != 0:
        missing("the real sandbox: no Docker engine answers (run tools/setup.sh)")
    try:
        return current_image(problem_root, Device.CPU)
    except JudgekitError as error:
        missing(f"the real sandbox: {error}")


def require_snapshots(problem_root: Path) -> str:
    """As `require_sandbox`, and the snapshot executor must work on this host (CRIU built by
    tools/setup.sh, root): skip locally, fail in CI, when it does not."""
    image = require_sandbox(problem_root)
    executor = choose_executor()
    if not executor.snapshots:
        missing(f"the snapshot executor: {executor.why}")
    return image
