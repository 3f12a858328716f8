"""Runs the trusted reference solution in this process to produce expected answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from judgekit.package.files import reference_path, runner_module
from judgekit.package.numerics import pin_answer_numerics
from judgekit.package.problem import Problem
from judgekit.package.testcase import CaseInput


class ReferenceRunner:
    """Calls the reference exactly as the sandbox runner calls a submission.

    Its answers are the expected ones, so it runs on the pinned numerics
    (judgekit.package.numerics).
    """

    def __init__(self, problem: Problem) -> None:
        pin_answer_numerics()
        self._problem = problem
        self._runner = runner_module(problem)
        self._entry: Callable[..., object] = self._runner.load_submission(
            reference_path(problem), problem.entry_point.function
        )
        self._parameters = problem.entry_point.runner_parameters()

    def answer(self, values: CaseInput) -> tuple[float, ...]:
        arguments = self._runner.build_arguments(self._parameters, values)
        result = self._runner.describe_result(self._entry(*arguments), self._problem.output.shape)
        if tuple(result["shape"]) != self._problem.output.shape:
            raise RuntimeError(
                f"the reference returned shape {result['shape']}, "
                f"problem.yaml says {list(self._problem.output.shape)}"
            )
        return tuple(result["values"])

    def answers(
        self, inputs: Sequence[CaseInput], on_each: Callable[[], None] | None = None
    ) -> list[tuple[float, ...]]:
        out = []
        for values in inputs:
            out.append(self.answer(values))
            if on_each is not None:
                on_each()
        return out
