"""The problem's checker as a typed plug-in.

The package brings its checker file (problem.yaml's `checker`), as a Kattis package brings its
output validator; the judge sees it only through `Checker`. The file's library API is
`check(Returned(shape, values), answer, *, shape, rtol, atol, names) -> result` with
`result.accepted` and `result.message`; `PackageChecker` adapts that to `Checker`, with the
problem's output shape, names and tolerance.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol

from judgekit.package.files import checker_module
from judgekit.package.problem import Output, Problem


@dataclass(frozen=True)
class Returned:
    """What a submission returned: its shape and its values in row-major order."""

    shape: tuple[int, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class CheckVerdict:
    accepted: bool
    message: str


class Checker(Protocol):
    def check(self, returned: Returned, answer: Sequence[float]) -> CheckVerdict: ...


@dataclass(frozen=True)
class PackageChecker:
    """The package's checker file, called with the problem's output spec."""

    module: ModuleType
    output: Output

    def check(self, returned: Returned, answer: Sequence[float]) -> CheckVerdict:
        result = self.module.check(
            self.module.Returned(returned.shape, returned.values),
            answer,
            shape=self.output.shape,
            rtol=self.output.tolerance.rtol,
            atol=self.output.tolerance.atol,
            names=self.output.names,
        )
        return CheckVerdict(accepted=bool(result.accepted), message=str(result.message))


@functools.cache
def _load(problem: Problem) -> PackageChecker:
    return PackageChecker(checker_module(problem), problem.output)


_LOADING = threading.Lock()


def problem_checker(problem: Problem) -> Checker:
    """PROBLEM's checker, loaded once per Problem; judges in several threads share it."""
    # functools.cache alone could load the file twice when two threads ask at once.
    with _LOADING:
        return _load(problem)


def element_verdicts(
    checker: Checker, returned: Returned, answer: Sequence[float]
) -> tuple[bool, ...]:
    """For each element of ANSWER, whether CHECKER accepts what RETURNED has there: asked of
    the checker itself, with the answer's other elements, so that a per-element mark can never
    disagree with the checker that gave the verdict. Every element when the whole is accepted;
    none when RETURNED has another number of values."""
    if len(returned.values) != len(answer):
        return (False,) * len(answer)
    if checker.check(returned, answer).accepted:
        return (True,) * len(answer)
    marks = []
    for index, value in enumerate(returned.values):
        alone = (*answer[:index], value, *answer[index + 1 :])
        marks.append(checker.check(Returned(returned.shape, alone), answer).accepted)
    return tuple(marks)
