"""A case's shape: the lengths of every dimension of its arrays, and its sizes, as one tuple.

JAX compiles anew for every distinct tuple of argument shapes, and a problem's sizes (an
integer such as `features` that sets the shape of what the function builds) do the same, so
the recipe's `shape_fields` name the parameters whose dimensions make a case's shape: each
array parameter contributes one dimension per axis, each integer parameter its value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from judgekit.errors import ProblemFormatError
from judgekit.package.parameters import Parameter, ParameterKind
from judgekit.package.problem import EntryPoint

Shape = tuple[int, ...]


@dataclass(frozen=True)
class ShapeDimension:
    """One dimension of the shape space: axis AXIS of array PARAMETER, or (AXIS None) the
    value of integer PARAMETER; its domain is [LOW, HIGH]."""

    parameter: str
    axis: int | None
    low: int
    high: int
    key: str
    """Its name in the recipe's per-dimension `fuzz.shapes.bands`: `x` for a vector or a size,
    `x.0`, `x.1`, ... for the axes of a matrix or higher-rank array."""
    label: str
    """Its name in messages: `len(x)`, `x.shape[1]`, `features`."""


def _dimensions_of(parameter: Parameter) -> list[ShapeDimension]:
    if parameter.kind is ParameterKind.INTEGER:
        low, high = int(parameter.min), int(parameter.max)
        return [ShapeDimension(parameter.name, None, low, high, parameter.name, parameter.name)]
    return [
        ShapeDimension(
            parameter.name,
            axis,
            dimension.min,
            dimension.max,
            parameter.name if len(parameter.dims) == 1 else f"{parameter.name}.{axis}",
            parameter.dimension_label(axis),
        )
        for axis, dimension in enumerate(parameter.dims)
    ]


def shape_dimensions(
    entry_point: EntryPoint, fields: Sequence[str], where: str
) -> tuple[ShapeDimension, ...]:
    """The dimensions of FIELDS (parameter names) in order; WHERE names them in errors.

    Every array parameter must be listed: the fuzz draw sets its shape from the drawn tuple."""
    names = [p.name for p in entry_point.parameters]
    dimensions: list[ShapeDimension] = []
    for index, field in enumerate(fields):
        if field not in names:
            raise ProblemFormatError(
                f"{where}[{index}]: {field!r} is not a parameter of {entry_point.signature}"
            )
        parameter = entry_point.parameter(field)
        if parameter.kind is ParameterKind.REAL:
            raise ProblemFormatError(
                f"{where}[{index}]: {field!r} is a real; a shape field is an array or an integer"
            )
        dimensions += _dimensions_of(parameter)
    if len(set(fields)) != len(fields):
        raise ProblemFormatError(f"{where}: a parameter is listed twice: {list(fields)}")
    missing = [p.name for p in entry_point.parameters if p.is_array and p.name not in fields]
    if missing:
        raise ProblemFormatError(
            f"{where}: array parameter(s) {', '.join(missing)} missing: list every array "
            "parameter (and the integers that set a shape, such as a layer's size)"
        )
    return tuple(dimensions)


def default_shape_fields(entry_point: EntryPoint) -> list[str]:
    """The shape fields when the recipe names none: every array parameter."""
    return [p.name for p in entry_point.parameters if p.is_array]


def _axis_length(value: Any, axis: int) -> int:
    for _ in range(axis):
        value = value[0] if len(value) else []
    return len(value)


def shape_of(dimensions: Sequence[ShapeDimension], values: Mapping[str, Any]) -> Shape:
    """The shape tuple of one case's input VALUES."""
    return tuple(
        int(values[d.parameter]) if d.axis is None else _axis_length(values[d.parameter], d.axis)
        for d in dimensions
    )


def shape_labels(dimensions: Sequence[ShapeDimension]) -> str:
    """`(len(x), features)`: how messages name a shape tuple."""
    return "(" + ", ".join(d.label for d in dimensions) + ")"
