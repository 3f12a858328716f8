"""What every test may need of this checkout: where it is, the reference solution, the
`judgekit` command line as a child process runs it, and the CI rule (what is missing skips a
test locally and fails it in CI)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE = REPO_ROOT / "reference" / "frozen_kernel_unchanged.py"

# CI=true (or 1, yes) says "in CI"; unset, empty, 0, false or anything else says local.
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(reason: str) -> NoReturn:
    """What a test needs is missing: skip locally with REASON; in CI fail instead."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def need(condition: bool, reason: str) -> None:
    """`missing(REASON)` unless CONDITION holds."""
    if not condition:
        missing(reason)


def judgekit_command(*args: str, problem: Path = REPO_ROOT) -> list[str]:
    """The argv of `judgekit --problem PROBLEM ARGS` as run by this interpreter (this
    checkout's judgekit, whatever else is on PATH)."""
    return [sys.executable, "-m", "judgekit.cli", "--problem", str(problem), *args]
