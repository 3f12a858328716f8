"""The mark beside each value a public case returned (OK or not) is the package's checker's
word, never a second tolerance rule: a plug-in checker and the page cannot disagree."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from judgekit.judge.report import CaseResult
from judgekit.judge.verdict import Verdict
from judgekit.package.checker import Returned, problem_checker
from judgekit.package.problem import Problem, load_problem
from judgekit.web.views.markup import value_rows

ANSWER = (1.0, 2.19539213180542, 4.0)
PLUG_IN = """
from dataclasses import dataclass

@dataclass(frozen=True)
class Returned:
    shape: tuple
    values: tuple

@dataclass(frozen=True)
class Result:
    accepted: bool
    message: str

def check(returned, answer, *, shape, rtol, atol, names=()):
    accepted = all({rule} for got, want in zip(returned.values, answer))
    return Result(accepted, "checked")
"""


def _marks(problem: Problem, got: tuple[float, ...] | None) -> list[bool]:
    case = CaseResult("sample/01", "sample", Verdict.WA, 1, "", True, {}, ANSWER, got)
    return [row.ok for row in value_rows(case, problem)]


def _with_checker(repo_root: Path, tmp_path: Path, rule: str) -> Problem:
    """The problem with a plug-in checker that accepts when RULE holds of each GOT and WANT."""
    package = tmp_path / "package"
    (package / "judging").mkdir(parents=True)
    shutil.copy(repo_root / "problem.yaml", package)
    (package / "judging" / "plug_in.py").write_text(PLUG_IN.format(rule=rule))
    text = (package / "problem.yaml").read_text()
    (package / "problem.yaml").write_text(
        text.replace("checker: checker/vector_checker.py", "checker: judging/plug_in.py")
    )
    return load_problem(package)


def test_the_vector_checker_marks_the_value_it_rejects(problem: Problem) -> None:
    assert _marks(problem, (1.0, 2.5, 4.0)) == [True, False, True]
    assert _marks(problem, ANSWER) == [True, True, True]


def test_a_value_within_the_tolerance_is_not_ok_when_the_checker_rejects_it(
    repo_root: Path, tmp_path: Path
) -> None:
    exact = _with_checker(repo_root, tmp_path, "got == want")
    close = (1.0, ANSWER[1] * (1 + 1e-7), 4.0)  # well within problem.yaml's tolerance
    assert abs(close[1] - ANSWER[1]) <= exact.output.tolerance.allowed(ANSWER[1])
    assert _marks(exact, close) == [True, False, True]


def test_a_value_outside_the_tolerance_is_ok_when_the_checker_accepts_it(
    repo_root: Path, tmp_path: Path
) -> None:
    lenient = _with_checker(repo_root, tmp_path, "abs(got - want) < 1")
    assert _marks(lenient, (1.0, 2.5, 4.0)) == [True, True, True]


@pytest.mark.parametrize(
    ("got", "marks"),
    [
        ((math.nan, ANSWER[1], math.inf), [False, True, False]),
        (None, [False, False, False]),
        ((1.0, ANSWER[1]), [False, False, False]),
        ((1.0, ANSWER[1], 4.0, 5.0), [False, False, False, False]),
    ],
)
def test_a_non_finite_missing_or_extra_value_is_not_ok(
    problem: Problem, got: tuple[float, ...] | None, marks: list[bool]
) -> None:
    assert _marks(problem, got) == marks


offsets = st.floats(-1e-3, 1e-3, allow_nan=False)


@given(st.tuples(offsets, offsets, offsets))
def test_every_value_is_ok_exactly_when_the_checker_accepts_the_whole(
    problem: Problem, offset: tuple[float, float, float]
) -> None:
    got = tuple(want + delta for want, delta in zip(ANSWER, offset, strict=True))
    verdict = problem_checker(problem).check(Returned((3,), got), ANSWER)
    assert all(_marks(problem, got)) == verdict.accepted
