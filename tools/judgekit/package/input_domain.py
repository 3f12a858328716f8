"""Checks one test input against the input domain declared in problem.yaml."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from judgekit.package.parameters import Parameter, ParameterKind
from judgekit.package.problem import EntryPoint


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


def _check_element(parameter: Parameter, item: object, where: str) -> str | None:
    if not _is_number(item):
        return f"{where}: expected a number, got {item!r}"
    number = float(item)  # type: ignore[arg-type]
    if not math.isfinite(number):
        return f"{where}: must be finite, got {number}"
    if parameter.integral and not number.is_integer():
        return f"{where}: must be an integer, got {item!r}"
    if not parameter.min <= number <= parameter.max:
        return f"{where}: {number!r} is outside [{parameter.min:g}, {parameter.max:g}]"
    if not parameter.integral and float(np.float32(number)) != number:
        return f"{where}: {number!r} is not exactly representable as float32"
    return None


def _check_array(parameter: Parameter, value: object) -> str | None:
    """VALUE as nested lists, one level per dimension, each length in that dimension's domain
    and the same across a level (a rectangular array), every element in the domain."""
    level: list[tuple[str, object]] = [(parameter.name, value)]
    for axis, dimension in enumerate(parameter.dims):
        below: list[tuple[str, object]] = []
        lengths = set()
        for where, item in level:
            if not isinstance(item, list):
                what = "a list of numbers" if axis == len(parameter.dims) - 1 else "a list of lists"
                return f"{where}: expected {what}, got {type(item).__name__}"
            lengths.add(len(item))
            below.extend((f"{where}[{index}]", element) for index, element in enumerate(item))
        if len(lengths) > 1:
            return (
                f"{parameter.name}: rows of different lengths {sorted(lengths)} along "
                f"{parameter.dimension_label(axis)}"
            )
        length = lengths.pop() if lengths else 0
        if level and not dimension.min <= length <= dimension.max:
            has = (
                f"has length {length}"
                if len(parameter.dims) == 1
                else f"{parameter.dimension_label(axis)} is {length}"
            )
            return f"{parameter.name}: {has}, outside [{dimension.min}, {dimension.max}]"
        level = below
    for where, item in level:
        problem = _check_element(parameter, item, where)
        if problem:
            return problem
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
        check = _check_array if parameter.is_array else _check_scalar
        problem = check(parameter, values[parameter.name])
        if problem:
            problems.append(problem)
    return problems
