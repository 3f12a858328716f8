"""What a judge server's settings derive from its problem package: each judged group's number
of cases, counted once, not on every page view and progress poll."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from judgekit.package.problem import Problem
from judgekit.web.settings import Settings


def _package_with_cases(problem: Problem, root: Path, counts: dict[str, int]) -> Problem:
    package = replace(problem, root=root)
    for group, count in counts.items():
        folder = package.testcases_dir / group
        folder.mkdir(parents=True)
        for index in range(count):
            (folder / f"{index}.in").write_text("{}")
            (folder / f"{index}.ans").write_text("[]")
    return package


def test_each_judged_groups_cases_are_counted_in_problem_order(
    problem: Problem, tmp_path: Path
) -> None:
    counts = {group: index + 2 for index, group in enumerate(problem.group_names)}
    settings = Settings(problem=_package_with_cases(problem, tmp_path, counts))
    assert list(settings.case_counts.items()) == list(counts.items())
    assert settings.case_total == sum(counts.values())


def test_the_cases_are_counted_once_for_the_life_of_the_settings(
    problem: Problem, tmp_path: Path
) -> None:
    group = problem.group_names[0]
    settings = Settings(problem=_package_with_cases(problem, tmp_path, {group: 3}))
    assert settings.case_counts[group] == 3
    (settings.problem.testcases_dir / group / "late.in").write_text("{}")
    assert settings.case_counts[group] == 3 and settings.case_total == 3
