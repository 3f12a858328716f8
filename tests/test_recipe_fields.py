"""testcases/recipe.yaml is read by the same field reader as problem.yaml: every error names
the field's full path and what was expected."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from judgekit.errors import ProblemFormatError
from judgekit.package.problem import Problem
from judgekit.package.recipe import RECIPE_FILE, parse_recipe


def _recipe_data(problem: Problem) -> dict[str, Any]:
    data = yaml.safe_load((problem.root / RECIPE_FILE).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("shape_fields", "vector"), None, r"^shape_fields\.vector: required field is missing"),
        (("shape_budget",), "many", r"^shape_budget: expected an integer, got 'many'"),
        (("fuzz", "group"), "", r"^fuzz\.group: expected a non-empty string"),
        (("fuzz", "count"), -1, r"^fuzz\.count: must be at least 0, got -1"),
        (("groups", "sample"), {"a": 1}, r"^groups\.sample: expected a list"),
        (("regressions",), [{"input": {}}], r"^regressions\[0\]\.name: required field"),
        (("groups",), [], r"^groups: expected a mapping, got list"),
    ],
)
def test_a_malformed_recipe_field_is_named_in_the_error(
    problem: Problem, path: tuple[str, ...], value: object, message: str
) -> None:
    data = _recipe_data(problem)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if value is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    with pytest.raises(ProblemFormatError, match=message):
        parse_recipe(data, problem.root / RECIPE_FILE, problem.entry_point)


def test_a_hand_picked_case_without_input_is_named(problem: Problem) -> None:
    data = _recipe_data(problem)
    del data["groups"]["sample"][1]["input"]
    with pytest.raises(ProblemFormatError, match=r"^groups\.sample\[1\]\.input: required field"):
        parse_recipe(data, problem.root / RECIPE_FILE, problem.entry_point)


def test_a_recipe_that_is_not_a_mapping_says_so(problem: Problem) -> None:
    with pytest.raises(ProblemFormatError, match=r"^recipe\.yaml: expected a mapping, got list"):
        parse_recipe([], problem.root / RECIPE_FILE, problem.entry_point)
