"""Shared fixtures: the problem package in this checkout, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from judgekit.package.numerics import pin_answer_numerics
from judgekit.package.problem import Problem, load_problem
from judgekit.package.reference import ReferenceRunner

# Before any test computes with JAX: tests compare the reference's answers bit for bit.
pin_answer_numerics()

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def problem() -> Problem:
    return load_problem(REPO_ROOT)


@pytest.fixture(scope="session")
def reference(problem: Problem) -> ReferenceRunner:
    return ReferenceRunner(problem)
