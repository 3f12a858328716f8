"""Loads the Python files that belong to the problem package (runner, checker, reference).

The judge is generic; the package brings its own checker and reference, as a Kattis package
brings its output validator. These are trusted files, so loading them in-process is fine.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from judgekit.errors import JudgekitError
from judgekit.package.problem import Problem

RUNNER = Path("sandbox") / "runner.py"


def load_module(path: Path, name: str) -> ModuleType:
    """Import PATH as a module called NAME (registered, so dataclasses inside it work)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise JudgekitError(f"{path}: missing from the problem package")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def runner_module(problem: Problem) -> ModuleType:
    return load_module(problem.root / RUNNER, f"judgekit_package_runner_{problem.id}")


def checker_module(problem: Problem) -> ModuleType:
    """The checker file named in problem.yaml, loaded afresh (package.checker caches it)."""
    return load_module(problem.root / problem.checker, f"judgekit_package_checker_{problem.id}")


def reference_path(problem: Problem) -> Path:
    """The reference solution's file, which must exist: every expected answer comes from it."""
    path = problem.root / problem.reference
    if not path.is_file():
        raise JudgekitError(
            f"{path}: the reference solution is missing; add it, or name another file "
            f"with `reference:` in problem.yaml"
        )
    return path
