"""The input validator rejects every out-of-domain input, naming the field."""

from __future__ import annotations

import math

import pytest
from judgekit.package.input_domain import validate_input
from judgekit.package.problem import Problem

VALID = {"seed": 0, "x": [1.0, 2.0, 3.0], "features": 4, "frozen_bias_value": 2.0}


def test_the_statement_example_is_valid(problem: Problem) -> None:
    assert validate_input(problem.entry_point, VALID) == []


def test_the_domain_boundaries_are_valid(problem: Problem) -> None:
    for values in (
        {"seed": 2**31 - 1, "x": [1000.0] * 256, "features": 256, "frozen_bias_value": -1000.0},
        {"seed": 0, "x": [-1000.0], "features": 1, "frozen_bias_value": 1000.0},
    ):
        assert validate_input(problem.entry_point, values) == []


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": 2**31}, "seed"),
        ({"seed": 1.5}, "seed: must be an integer"),
        ({"seed": "7"}, "seed: expected a number"),
        ({"seed": True}, "seed: expected a number"),
        ({"x": []}, "x: has length 0"),
        ({"x": [0.0] * 257}, "x: has length 257"),
        ({"x": [1.0, 1000.5]}, "x[1]"),
        ({"x": [math.nan]}, "x[0]: must be finite"),
        ({"x": [math.inf]}, "x[0]: must be finite"),
        ({"x": [0.1]}, "x[0]: 0.1 is not exactly representable as float32"),
        ({"x": "1,2,3"}, "x: expected a list"),
        ({"x": [1.0, None]}, "x[1]: expected a number"),
        ({"features": 0}, "features"),
        ({"features": 257}, "features"),
        ({"features": 2.5}, "features: must be an integer"),
        ({"frozen_bias_value": 1000.001}, "frozen_bias_value"),
        ({"frozen_bias_value": math.nan}, "frozen_bias_value: must be finite"),
        ({"frozen_bias_value": -math.inf}, "frozen_bias_value: must be finite"),
        ({"extra": 1}, "unknown field(s): extra"),
    ],
)
def test_each_kind_of_bad_input_is_rejected_naming_the_field(
    problem: Problem, change: dict[str, object], named: str
) -> None:
    problems = validate_input(problem.entry_point, {**VALID, **change})
    assert any(named in p for p in problems), problems


@pytest.mark.parametrize("field", ["seed", "x", "features", "frozen_bias_value"])
def test_a_missing_field_is_named(problem: Problem, field: str) -> None:
    values = {k: v for k, v in VALID.items() if k != field}
    assert f"{field}: missing" in validate_input(problem.entry_point, values)


def test_a_non_mapping_is_rejected(problem: Problem) -> None:
    assert validate_input(problem.entry_point, [1, 2, 3])
