"""Typed view of testcases/recipe.yaml: how every test case is made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from judgekit.errors import ProblemFormatError
from judgekit.package.fields import Fields
from judgekit.package.parameters import Parameter
from judgekit.package.problem import EntryPoint, load_problem
from judgekit.package.shape_draw import ShapeDraw, draw_shapes, parse_shape_draw
from judgekit.package.shape_space import (
    Shape,
    ShapeDimension,
    default_shape_fields,
    shape_dimensions,
    shape_of,
)

RECIPE_FILE = Path("testcases") / "recipe.yaml"


@dataclass(frozen=True)
class HandPicked:
    group: str
    name: str
    input: Mapping[str, Any]


@dataclass(frozen=True)
class Fuzz:
    group: str
    hypothesis_seed: int
    count: int
    shape_draw: ShapeDraw
    shapes: tuple[Shape, ...]


@dataclass(frozen=True)
class Regression:
    name: str
    input: Mapping[str, Any]
    found_by: str


@dataclass(frozen=True)
class Recipe:
    shape_budget: int
    shape_fields: tuple[str, ...]
    dimensions: tuple[ShapeDimension, ...]
    hand_picked: tuple[HandPicked, ...]
    fuzz: Fuzz
    regressions: tuple[Regression, ...]
    path: Path

    def shape_of(self, values: Mapping[str, Any]) -> Shape:
        return shape_of(self.dimensions, values)


def _as_values(array: np.ndarray[Any, Any]) -> object:
    return array.astype(np.int64 if array.dtype.kind in "iu" else np.float64).tolist()


def expand_array(parameter: Parameter, spec: object, where: str) -> object:
    """An array as the values the judge will send: a written-out (nested) list of a float32
    array is rounded to float32, and the {fill} and {ramp} forms are expanded (row-major)."""
    dtype = np.int64 if parameter.integral else np.float32
    if isinstance(spec, list):
        if parameter.integral:
            return spec  # kept as written: the input validator names any non-integer
        try:
            return _as_values(np.asarray(spec, dtype=np.float32))
        except (TypeError, ValueError):
            what = "numbers" if len(parameter.dims) == 1 else f"rows ({len(parameter.dims)}-D)"
            raise ProblemFormatError(f"{where}: expected a list of {what}") from None
    if not isinstance(spec, Mapping):
        return spec
    shape = _form_shape(parameter, spec, where)
    count = int(np.prod(shape))
    if "fill" in spec:
        array = np.full(count, spec["fill"], dtype=dtype)
    elif "ramp" in spec:
        start, stop = spec["ramp"]
        array = np.linspace(start, stop, count, dtype=dtype)
    else:
        raise ProblemFormatError(f"{where}: an array form needs `fill` or `ramp`")
    return _as_values(array.reshape(shape))


def _form_shape(parameter: Parameter, spec: Mapping[str, Any], where: str) -> tuple[int, ...]:
    """`length: N` (a vector) or `shape: [N, M, ...]` (one length per dimension)."""
    if len(parameter.dims) == 1 and "shape" not in spec:
        raw: object = [spec.get("length")]
        field = "length"
    else:
        raw, field = spec.get("shape"), "shape"
    if (
        not isinstance(raw, list)
        or len(raw) != len(parameter.dims)
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in raw)
    ):
        expected = (
            "a non-negative integer"
            if field == "length"
            else (f"a list of {len(parameter.dims)} non-negative integers")
        )
        raise ProblemFormatError(f"{where}.{field}: expected {expected}")
    return tuple(raw)


def _expand_input(values: object, entry_point: EntryPoint, where: str) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        raise ProblemFormatError(f"{where}: expected a mapping of parameter values")
    expanded = dict(values)
    for parameter in entry_point.parameters:
        if parameter.is_array and parameter.name in expanded:
            expanded[parameter.name] = expand_array(
                parameter, expanded[parameter.name], f"{where}.{parameter.name}"
            )
    return expanded


def _drawn_shapes(shape_draw: ShapeDraw, where: str) -> tuple[Shape, ...]:
    try:
        return draw_shapes(shape_draw.bands, shape_draw.count, shape_draw.seed)
    except ValueError as error:
        raise ProblemFormatError(f"{where}.count: {error}; lower it or widen the bands") from None


def _hand_picked(groups: Fields, entry_point: EntryPoint) -> list[HandPicked]:
    hand_picked: list[HandPicked] = []
    for group in groups.data:
        for index, item in enumerate(groups.optional_items(str(group))):
            case = Fields(item, f"{groups.name(str(group))}[{index}]")
            hand_picked.append(
                HandPicked(
                    group=str(group),
                    name=case.string("name"),
                    input=_expand_input(case.raw("input"), entry_point, case.path),
                )
            )
    return hand_picked


def _fuzz(fields: Fields, dimensions: tuple[ShapeDimension, ...]) -> Fuzz:
    shape_draw = parse_shape_draw(fields.raw("shapes"), fields.name("shapes"), dimensions)
    return Fuzz(
        group=fields.string("group"),
        hypothesis_seed=fields.integer("hypothesis_seed"),
        count=fields.integer("count", minimum=0),
        shape_draw=shape_draw,
        shapes=_drawn_shapes(shape_draw, fields.name("shapes")),
    )


def _regression(fields: Fields, entry_point: EntryPoint) -> Regression:
    return Regression(
        name=fields.string("name"),
        input=_expand_input(fields.raw("input"), entry_point, fields.path),
        found_by=fields.optional_string("found_by"),
    )


def _shape_fields(fields: Fields, entry_point: EntryPoint) -> tuple[str, ...]:
    """`shape_fields`: a list of parameter names; absent, every array parameter. The older
    form `{vector: X, size: N}` means [X, N]."""
    if "shape_fields" not in fields.data:
        return tuple(default_shape_fields(entry_point))
    raw = fields.raw("shape_fields")
    if isinstance(raw, Mapping):
        legacy = fields.sub("shape_fields")
        legacy.refuse_unknown({"vector", "size"})
        return (legacy.string("vector"), legacy.string("size"))
    names = fields.items("shape_fields")
    for index, name in enumerate(names):
        if not isinstance(name, str):
            raise ProblemFormatError(f"shape_fields[{index}]: expected a parameter name")
    return tuple(str(name) for name in names)


def parse_recipe(data: object, path: Path, entry_point: EntryPoint) -> Recipe:
    """Turn the parsed recipe into a Recipe, or raise naming the first bad field."""
    fields = Fields(data, "", document=RECIPE_FILE.name)
    shape_fields = _shape_fields(fields, entry_point)
    dimensions = shape_dimensions(entry_point, shape_fields, "shape_fields")
    return Recipe(
        shape_budget=fields.integer("shape_budget", minimum=1),
        shape_fields=shape_fields,
        dimensions=dimensions,
        hand_picked=tuple(_hand_picked(fields.sub("groups"), entry_point)),
        fuzz=_fuzz(fields.sub("fuzz"), dimensions),
        regressions=tuple(
            _regression(Fields(item, f"regressions[{index}]"), entry_point)
            for index, item in enumerate(fields.optional_items("regressions"))
        ),
        path=path,
    )


def load_recipe(problem_root: Path) -> Recipe:
    """ROOT's recipe, read against the parameters its problem.yaml declares."""
    entry_point = load_problem(problem_root).entry_point
    path = problem_root / RECIPE_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProblemFormatError(f"{path}: not found") from None
    except yaml.YAMLError as error:
        raise ProblemFormatError(f"{path}: not valid YAML: {error}") from None
    try:
        return parse_recipe(data, path, entry_point)
    except (KeyError, TypeError, ValueError) as error:
        raise ProblemFormatError(f"{path}: malformed recipe: {error}") from None
    except ProblemFormatError as error:
        raise ProblemFormatError(f"{path}: {error}") from None


def append_regression(
    problem_root: Path, name: str, values: Mapping[str, Any], found_by: str
) -> None:
    """File a failing input as a regression case, keeping the rest of the recipe text intact."""
    path = problem_root / RECIPE_FILE
    text = path.read_text(encoding="utf-8")
    entry = yaml.safe_dump(
        [{"name": name, "found_by": found_by, "input": dict(values)}],
        default_flow_style=None,
        sort_keys=False,
        width=10_000,
    )
    if "\nregressions: []" in text:
        text = text.replace("\nregressions: []", "\nregressions:", 1)
    path.write_text(text.rstrip("\n") + "\n" + entry, encoding="utf-8")
    load_recipe(problem_root)  # the file must still parse
