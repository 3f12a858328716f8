"""Mode (a), the floor: the submission's function over every case in this process, with every
shape already compiled. Arguments are built and results read back exactly as the sandbox's
runner does (its own `build_arguments` and `describe_result`, from sandbox/runner.py)."""

from __future__ import annotations

import contextlib
import io
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from judgekit.errors import JudgekitError
from judgekit.package.files import runner_module
from judgekit.package.problem import Problem
from judgekit.package.testcase import TestCase


class Floor:
    """Times submissions in this process, on JAX's CPU device as in the CPU sandbox."""

    def __init__(self, problem: Problem) -> None:
        self._problem = problem
        self._runner: ModuleType = runner_module(problem)

    def seconds(self, submission: Path, cases: Sequence[TestCase], repeats: int) -> float:
        """The median of REPEATS timed passes over CASES, after one untimed pass."""
        import jax

        runner = self._runner
        try:
            entry = runner.load_submission(submission, self._problem.entry_point.function)
        except Exception as error:
            raise JudgekitError(f"{submission}: cannot be loaded: {error}") from None
        parameters = self._problem.entry_point.runner_parameters()
        shape = self._problem.output.shape

        def one_pass() -> float:
            began = time.perf_counter()
            for case in cases:
                arguments = runner.build_arguments(parameters, case.input)
                runner.describe_result(entry(*arguments), shape)
            return time.perf_counter() - began

        # What the learner prints is no part of the bench's output (the sandbox keeps it apart).
        swallowed = io.StringIO()
        try:
            with (
                contextlib.redirect_stdout(swallowed),
                contextlib.redirect_stderr(swallowed),
                jax.default_device(jax.devices("cpu")[0]),
            ):
                one_pass()  # compiles every shape
                return statistics.median(one_pass() for _ in range(repeats))
        except Exception as error:
            raise JudgekitError(
                f"{submission}: fails in this process ({type(error).__name__}: {error}); "
                "bench only accepted submissions"
            ) from None
