"""The checker accepts values inside the tolerance and rejects everything else, with reasons."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from judgekit.package.files import checker_module
from judgekit.package.problem import Problem

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def checker(problem: Problem) -> ModuleType:
    return checker_module(problem)


def _check(checker: ModuleType, problem: Problem, got: list[float], expected: list[float]):  # type: ignore[no-untyped-def]
    tol = problem.output.tolerance
    return checker.check(
        checker.Returned((len(got),), tuple(got)),
        expected,
        shape=problem.output.shape,
        rtol=tol.rtol,
        atol=tol.atol,
        names=problem.output.names,
    )


@given(expected=st.lists(finite, min_size=3, max_size=3), fraction=st.floats(-0.99, 0.99))
def test_accepts_any_perturbation_inside_the_tolerance(
    checker: ModuleType, problem: Problem, expected: list[float], fraction: float
) -> None:
    tol = problem.output.tolerance
    got = [e + fraction * tol.allowed(e) for e in expected]
    assert _check(checker, problem, got, expected).accepted


@given(
    expected=st.lists(finite, min_size=3, max_size=3),
    index=st.integers(0, 2),
    factor=st.floats(1.01, 1e6),
    sign=st.sampled_from([-1.0, 1.0]),
)
def test_rejects_a_perturbation_outside_the_tolerance_and_names_the_element(
    checker: ModuleType,
    problem: Problem,
    expected: list[float],
    index: int,
    factor: float,
    sign: float,
) -> None:
    tol = problem.output.tolerance
    got = list(expected)
    got[index] = expected[index] + sign * factor * tol.allowed(expected[index])
    result = _check(checker, problem, got, expected)
    assert not result.accepted
    assert result.mismatch.index == index
    assert f"element {index} ({problem.output.names[index]})" in result.message
    assert "expected" in result.message and "allowed" in result.message


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_wrong_even_when_expected_is_equal(
    checker: ModuleType, problem: Problem, bad: float
) -> None:
    result = _check(checker, problem, [1.0, bad, 4.0], [1.0, 2.0, 4.0])
    assert not result.accepted
    assert "non-finite" in result.message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("[1, 2", "not valid JSON"),
        ('["1", 2, 3]', "not a number"),
        ("[true, 2, 3]", "not a number"),
        ("[[1, 2], [3]]", "ragged"),
        ("1 two 3", "not a number"),
        ('{"shape": [3], "values": [1, 2]}', "do not fill"),
    ],
)
def test_malformed_output_is_explained(checker: ModuleType, text: str, reason: str) -> None:
    with pytest.raises(checker.MalformedOutput, match=reason):
        checker.parse_returned(text)


@pytest.mark.parametrize(
    ("text", "shape"),
    [("[1, 2.19, 4, 0]", "(4,)"), ("[[1, 2.19, 4]]", "(1, 3)"), ("[]", "(0,)"), ("5", "(1,)")],
)
def test_wrong_shapes_are_rejected_with_both_shapes_named(
    checker: ModuleType, problem: Problem, text: str, shape: str
) -> None:
    tol = problem.output.tolerance
    result = checker.check(
        checker.parse_returned(text), [1.0, 2.19, 4.0], shape=(3,), rtol=tol.rtol, atol=tol.atol
    )
    assert not result.accepted
    assert shape in result.message and "(3,)" in result.message


def _run_standalone(repo_root: Path, tmp_path: Path, output: str) -> tuple[int, str]:
    answer = tmp_path / "case.ans"
    answer.write_text("[1.0, 2.19539213180542, 4.0]\n")
    feedback = tmp_path / "feedback"
    completed = subprocess.run(
        [
            sys.executable,
            str(repo_root / "checker" / "vector_checker.py"),
            "/dev/null",
            str(answer),
            str(feedback),
        ],
        input=output,
        text=True,
        capture_output=True,
        check=False,
    )
    return completed.returncode, (feedback / "judgemessage.txt").read_text()


def test_standalone_kattis_validator_exits_42_on_accept_and_43_on_reject(
    repo_root: Path, tmp_path: Path
) -> None:
    assert _run_standalone(repo_root, tmp_path, "1 2.1953921 4\n")[0] == 42
    code, message = _run_standalone(repo_root, tmp_path, "[1, 2.3, 4]")
    assert code == 43
    assert "element 1 (kernel_norm)" in message
    assert _run_standalone(repo_root, tmp_path, "nan 2.1953921 4")[0] == 43
