"""Modes (c) and (d): a cold container through the real judge (`judge_cases`), timed from the
call to the JudgeReport, with and without the JAX compilation cache the image ships."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from judgekit.errors import JudgekitError
from judgekit.judge.judging import judge_cases
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem
from judgekit.package.testcase import TestCase
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.outcome import JobRunner


@dataclass(frozen=True)
class Judged:
    seconds: float
    verdict: Verdict
    reruns: int = 0
    """Runs the judge did again because the host starved them."""


def sandbox(problem: Problem, *, compilation_cache: bool) -> Sandbox:
    """A Sandbox whose containers use the image's JAX compilation cache, or run without it."""
    return Sandbox(problem.root, compilation_cache=compilation_cache)


def judge_seconds(
    problem: Problem,
    submission: Path,
    cases: Sequence[TestCase],
    judge_with: JobRunner,
    *,
    judge_error_stops: bool = True,
) -> Judged:
    """Time to the JudgeReport for one judging through JUDGE_WITH (a Sandbox, or a pool with
    the same `run`). A judge error stops the bench, its time would mean nothing, unless
    JUDGE_ERROR_STOPS is False (an overloaded host's JE is a finding)."""
    began = time.perf_counter()
    report = judge_cases(problem, submission, cases, device=Device.CPU, sandbox=judge_with)
    elapsed = time.perf_counter() - began
    if report.verdict is Verdict.JE and judge_error_stops:
        raise JudgekitError(f"{submission}: the judge failed: {report.message}")
    return Judged(elapsed, report.verdict, report.reruns)
