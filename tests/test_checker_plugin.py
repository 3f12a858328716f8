"""The checker is a typed plug-in: problem.yaml names its file, the judge loads it once per
problem and calls it with what was returned and the case's answer."""

from __future__ import annotations

import copy
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from judgekit.errors import ProblemFormatError
from judgekit.package.checker import CheckVerdict, Returned, problem_checker
from judgekit.package.problem import DEFAULT_CHECKER, Problem, load_problem, parse_problem

ANSWER = (1.0, 2.19539213180542, 4.0)


def _document(repo_root: Path) -> dict[str, Any]:
    data = yaml.safe_load((repo_root / "problem.yaml").read_text())
    assert isinstance(data, dict)
    return data


def test_problem_yaml_names_the_checker_file(problem: Problem) -> None:
    assert problem.checker == Path("checker/vector_checker.py")


def test_a_package_without_a_checker_field_uses_the_vector_checker(repo_root: Path) -> None:
    data = _document(repo_root)
    del data["checker"]
    assert parse_problem(data, repo_root).checker == DEFAULT_CHECKER


@pytest.mark.parametrize("value", ["/etc/checker.py", "../checker.py", "checker/notes.txt", 3, ""])
def test_a_checker_outside_the_package_or_not_python_is_rejected(
    repo_root: Path, value: object
) -> None:
    data = copy.deepcopy(_document(repo_root))
    data["checker"] = value
    with pytest.raises(ProblemFormatError, match="checker"):
        parse_problem(data, repo_root)


def test_the_checker_accepts_an_answer_within_the_tolerance(problem: Problem) -> None:
    verdict = problem_checker(problem).check(Returned((3,), ANSWER), ANSWER)
    assert verdict == CheckVerdict(True, "all 3 values within tolerance")


def test_the_checker_rejects_with_the_output_name_of_the_first_mismatch(problem: Problem) -> None:
    verdict = problem_checker(problem).check(Returned((3,), (1.0, 2.5, 4.0)), ANSWER)
    assert not verdict.accepted and "kernel_norm" in verdict.message


def test_the_checker_rejects_a_wrong_shape_with_the_problems_shape(problem: Problem) -> None:
    verdict = problem_checker(problem).check(Returned((1, 3), ANSWER), ANSWER)
    assert not verdict.accepted and "(3,)" in verdict.message


def test_the_checker_is_loaded_once_per_problem_even_from_several_threads(
    problem: Problem,
) -> None:
    seen: list[object] = []
    threads = [
        threading.Thread(target=lambda: seen.append(problem_checker(problem))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(checker) for checker in seen}) == 1
    assert problem_checker(problem) is seen[0]


def test_the_judge_loads_the_checker_that_problem_yaml_names(
    repo_root: Path, tmp_path: Path
) -> None:
    package = tmp_path / "package"
    package.mkdir()
    shutil.copy(repo_root / "problem.yaml", package)
    (package / "judging").mkdir()
    (package / "judging" / "lenient.py").write_text(
        "from dataclasses import dataclass\n"
        "@dataclass(frozen=True)\n"
        "class Returned:\n"
        "    shape: tuple\n"
        "    values: tuple\n"
        "@dataclass(frozen=True)\n"
        "class Result:\n"
        "    accepted: bool\n"
        "    message: str\n"
        "def check(returned, answer, *, shape, rtol, atol, names=()):\n"
        "    return Result(True, f'anything goes for {shape}')\n"
    )
    text = (package / "problem.yaml").read_text()
    (package / "problem.yaml").write_text(
        text.replace("checker: checker/vector_checker.py", "checker: judging/lenient.py")
    )
    lenient = load_problem(package)
    verdict = problem_checker(lenient).check(Returned((7,), (0.0,)), ANSWER)
    assert verdict == CheckVerdict(True, "anything goes for (3,)")
