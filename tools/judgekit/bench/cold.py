"""Modes (c) and (d): a cold container through the real judge (`judge_cases`), timed from the
call to the JudgeReport, with and without the JAX compilation cache the image ships."""

from __future__ import annotations

import inspect
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judgekit.errors import JudgekitError
from judgekit.judge.judging import judge_cases
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem
from judgekit.package.testcase import TestCase
from judgekit.sandbox.container import Sandbox

CACHE_OPTION = "compilation_cache"


@dataclass(frozen=True)
class Judged:
    seconds: float
    verdict: Verdict


def supports_cache_option() -> bool:
    """Whether this judge's Sandbox can run a container without the image's compilation cache."""
    return CACHE_OPTION in inspect.signature(Sandbox).parameters


def sandbox(problem: Problem, *, compilation_cache: bool) -> Sandbox:
    """A Sandbox with or without the image's compilation cache (when this judge has the
    option; without it, the image ships no cache and every container compiles afresh)."""
    options: dict[str, Any] = {CACHE_OPTION: compilation_cache} if supports_cache_option() else {}
    return Sandbox(problem.root, **options)


def judge_seconds(
    problem: Problem, submission: Path, cases: Sequence[TestCase], judge_with: Any
) -> Judged:
    """Time to the JudgeReport for one judging through JUDGE_WITH (a Sandbox, or a pool with
    the same `run`). A judge error stops the bench: its time would mean nothing."""
    began = time.perf_counter()
    report = judge_cases(problem, submission, cases, device=Device.CPU, sandbox=judge_with)
    elapsed = time.perf_counter() - began
    if report.verdict is Verdict.JE:
        raise JudgekitError(f"{submission}: the judge failed: {report.message}")
    return Judged(elapsed, report.verdict)
