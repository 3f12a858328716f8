"""Modes (b) and (f): sandbox/runner.py in a fresh host process, as `python -I runner.py
INPUT_FD REPORT_FD`, speaking the supervisor's protocol over two files, so that the time is
Python's start, the imports and the calls, with no container around them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from judgekit.errors import JudgekitError
from judgekit.package.files import RUNNER
from judgekit.package.problem import Problem
from judgekit.package.testcase import TestCase

# Far above any accepted run of the whole set; a hang is an error, not a measurement.
TIMEOUT_S = 300
KEEP_STDERR_CHARS = 2000


def _environment() -> dict[str, str]:
    """A scrubbed environment, as in the CPU sandbox: no XLA or JAX settings of this shell."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "JAX_PLATFORMS": "cpu",
    }


def _job_lines(problem: Problem, submission: Path, cases: Sequence[TestCase]) -> str:
    header: dict[str, object] = {
        "function": problem.entry_point.function,
        "parameters": problem.entry_point.runner_parameters(),
        "submission": str(submission.resolve()),
        "output_shape": list(problem.output.shape),
    }
    # No shapes to warm up for: a fresh process compiles each shape when a case needs it.
    lines: list[dict[str, object]] = [{"shapes": []}, header]
    lines += [{"id": str(index), "values": dict(c.input)} for index, c in enumerate(cases)]
    lines.append({"end": True})
    return "".join(json.dumps(line) + "\n" for line in lines)


def one_process_seconds(problem: Problem, submission: Path, cases: Sequence[TestCase]) -> float:
    """Wall time of one fresh process running SUBMISSION over CASES, checked to answer all."""
    with tempfile.TemporaryDirectory(prefix="judgekit-bench-") as scratch:
        job, report = Path(scratch) / "job.jsonl", Path(scratch) / "report.jsonl"
        job.write_text(_job_lines(problem, submission, cases), encoding="utf-8")
        with job.open("rb") as inputs, report.open("wb") as reports:
            fds = (inputs.fileno(), reports.fileno())
            command = [sys.executable, "-I", str(problem.root / RUNNER), *map(str, fds)]
            began = time.perf_counter()
            try:
                done = subprocess.run(
                    command,
                    pass_fds=fds,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env=_environment(),
                    timeout=TIMEOUT_S,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                message = f"{submission}: a fresh process ran over {TIMEOUT_S} s"
                raise JudgekitError(message) from None
            elapsed = time.perf_counter() - began
        events = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    answered = sum(1 for event in events if event.get("event") == "result")
    if done.returncode != 0 or answered != len(cases):
        stderr = done.stderr.decode("utf-8", errors="replace")[-KEEP_STDERR_CHARS:]
        raise JudgekitError(
            f"{submission}: a fresh process answered {answered} of {len(cases)} cases "
            f"(exit {done.returncode}): {stderr.strip() or 'no stderr'}"
        )
    return elapsed


def per_case_seconds(
    problem: Problem, submission: Path, cases: Sequence[TestCase]
) -> tuple[float, ...]:
    """One fresh process per case, as Kattis-format judges run a program: each case's time."""
    return tuple(one_process_seconds(problem, submission, [case]) for case in cases)
