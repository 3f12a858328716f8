"""One hash for what judging depends on in a problem package, so two machines can tell whether
they judge the same problem: problem.yaml, the checker, and every file of the test data."""

from __future__ import annotations

import hashlib
from pathlib import Path

from judgekit.package.problem import Problem

PROBLEM_FILE = "problem.yaml"


def judged_files(problem: Problem) -> list[Path]:
    data = sorted(
        path
        for path in problem.testcases_dir.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    return [problem.root / PROBLEM_FILE, problem.root / problem.checker, *data]


def package_fingerprint(problem: Problem) -> str:
    """sha256 over the relative path and bytes of every file that judging reads."""
    digest = hashlib.sha256()
    for path in judged_files(problem):
        digest.update(path.relative_to(problem.root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
