"""Checks one test input against the input domain declared in problem.yaml."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from judgekit.package.problem import EntryPoint, Parameter, ParameterKind


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_scalar(parameter: Parameter, value: object) -> str | None:
    name = parameter.name
    if not _is_number(value):
        return f"{name}: expected a number, got {value!r}"
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        return f"{name}: must be finite, got {number}"
    if parameter.kind is ParameterKind.INTEGER and not number.is_integer():
        return f"{name}: must be an integer, got {value!r}"
    if not parameter.min <= number <= parameter.max:
        return f"{name}: {value!r} is outside [{parameter.min:g}, {parameter.max:g}]"
    return None


def _check_vector(parameter: Parameter, value: object) -> str | None:
    name = parameter.name
    if not isinstance(value, list):
        return f"{name}: expected a list of numbers, got {type(value).__name__}"
    assert parameter.min_length is not None and parameter.max_length is not None
    if not parameter.min_length <= len(value) <= parameter.max_length:
        return (
            f"{name}: has length {len(value)}, outside "
            f"[{parameter.min_length}, {parameter.max_length}]"
        )
    for index, item in enumerate(value):
        if not _is_number(item):
            return f"{name}[{index}]: expected a number, got {item!r}"
        number = float(item)
        if not math.isfinite(number):
            return f"{name}[{index}]: must be finite, got {number}"
        if not parameter.min <= number <= parameter.max:
            return f"{name}[{index}]: {number!r} is outside [{parameter.min:g}, {parameter.max:g}]"
        if float(np.float32(number)) != number:
            return f"{name}[{index}]: {number!r} is not exactly representable as float32"
    return None


def validate_input(entry_point: EntryPoint, values: object) -> list[str]:
    """Every problem with one case's input, each naming the field; empty when valid."""
    if not isinstance(values, Mapping):
        return [f"the input must be a mapping of parameter names, got {type(values).__name__}"]
    problems: list[str] = []
    expected = [p.name for p in entry_point.parameters]
    unknown = sorted(set(values) - set(expected))
    if unknown:
        problems.append(f"unknown field(s): {', '.join(map(str, unknown))}")
    for parameter in entry_point.parameters:
        if parameter.name not in values:
            problems.append(f"{parameter.name}: missing")
            continue
        check = _check_vector if parameter.kind is ParameterKind.VECTOR else _check_scalar
        problem = check(parameter, values[parameter.name])
        if problem:
            problems.append(problem)
    return problems
