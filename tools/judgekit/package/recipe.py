"""Typed view of testcases/recipe.yaml: how every test case is made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from judgekit.errors import ProblemFormatError
from judgekit.package.fields import Fields, integer_value
from judgekit.package.strategies import Band, Shape, draw_shapes

RECIPE_FILE = Path("testcases") / "recipe.yaml"


@dataclass(frozen=True)
class HandPicked:
    group: str
    name: str
    input: Mapping[str, Any]


@dataclass(frozen=True)
class ShapeDraw:
    """How the fuzz cases' shapes are drawn: COUNT pairs from SEED, spread over BANDS."""

    count: int
    seed: int
    bands: tuple[Band, ...]


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
    vector_field: str
    size_field: str
    hand_picked: tuple[HandPicked, ...]
    fuzz: Fuzz
    regressions: tuple[Regression, ...]
    path: Path

    def shape_of(self, values: Mapping[str, Any]) -> Shape:
        return (len(values[self.vector_field]), int(values[self.size_field]))


def expand_vector(spec: object, where: str) -> object:
    """A vector as the float32 values the judge will send: a written-out list is rounded to
    float32, and {fill} and {ramp} forms are expanded."""
    if isinstance(spec, list):
        try:
            return [float(v) for v in np.asarray(spec, dtype=np.float32)]
        except (TypeError, ValueError):
            raise ProblemFormatError(f"{where}: expected a list of numbers") from None
    if not isinstance(spec, Mapping):
        return spec
    length = spec.get("length")
    if not isinstance(length, int) or length < 0:
        raise ProblemFormatError(f"{where}.length: expected a non-negative integer")
    if "fill" in spec:
        array = np.full(length, spec["fill"], dtype=np.float32)
    elif "ramp" in spec:
        start, stop = spec["ramp"]
        array = np.linspace(start, stop, length, dtype=np.float32)
    else:
        raise ProblemFormatError(f"{where}: a vector form needs `fill` or `ramp`")
    return [float(v) for v in array]


def _expand_input(values: object, vector_field: str, where: str) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        raise ProblemFormatError(f"{where}: expected a mapping of parameter values")
    expanded = dict(values)
    if vector_field in expanded:
        expanded[vector_field] = expand_vector(expanded[vector_field], f"{where}.{vector_field}")
    return expanded


def _band(value: object, where: str) -> Band:
    if not isinstance(value, list) or len(value) != 2:
        raise ProblemFormatError(f"{where}: expected [low, high], got {value!r}")
    low, high = (integer_value(v, where) for v in value)
    if low > high:
        raise ProblemFormatError(f"{where}: low {low} is above high {high}")
    return low, high


def parse_shape_draw(data: object, where: str) -> ShapeDraw:
    """`count`, `seed` and `bands` (ascending [low, high] pairs, each starting one above the
    previous band's high, so that together they tile one range)."""
    if not isinstance(data, Mapping):
        raise ProblemFormatError(
            f"{where}: expected a mapping with count, seed and bands (the shapes are drawn "
            f"from bands of the domain, not listed)"
        )
    fields = Fields(data, where)
    fields.refuse_unknown({"count", "seed", "bands"})
    raw_bands = fields.raw("bands")
    if not isinstance(raw_bands, list) or not raw_bands:
        raise ProblemFormatError(f"{where}.bands: expected a non-empty list of [low, high]")
    bands = tuple(_band(band, f"{where}.bands[{i}]") for i, band in enumerate(raw_bands))
    for index in range(1, len(bands)):
        if bands[index][0] != bands[index - 1][1] + 1:
            raise ProblemFormatError(
                f"{where}.bands[{index}]: starts at {bands[index][0]}, expected "
                f"{bands[index - 1][1] + 1} (bands must be ascending, without gaps or overlaps)"
            )
    count = fields.integer("count")
    if count < len(bands):
        raise ProblemFormatError(
            f"{where}.count: {count} shapes cannot cover {len(bands)} bands; "
            f"raise it to at least {len(bands)} or merge bands"
        )
    return ShapeDraw(count=count, seed=fields.integer("seed"), bands=bands)


def _drawn_shapes(shape_draw: ShapeDraw, where: str) -> tuple[Shape, ...]:
    try:
        return draw_shapes(shape_draw.bands, shape_draw.count, shape_draw.seed)
    except ValueError as error:
        raise ProblemFormatError(f"{where}.count: {error}; lower it or widen the bands") from None


def _hand_picked(groups: Fields, vector_field: str) -> list[HandPicked]:
    hand_picked: list[HandPicked] = []
    for group in groups.data:
        for index, item in enumerate(groups.optional_items(str(group))):
            case = Fields(item, f"{groups.name(str(group))}[{index}]")
            hand_picked.append(
                HandPicked(
                    group=str(group),
                    name=case.string("name"),
                    input=_expand_input(case.raw("input"), vector_field, case.path),
                )
            )
    return hand_picked


def _fuzz(fields: Fields) -> Fuzz:
    shape_draw = parse_shape_draw(fields.raw("shapes"), fields.name("shapes"))
    return Fuzz(
        group=fields.string("group"),
        hypothesis_seed=fields.integer("hypothesis_seed"),
        count=fields.integer("count", minimum=0),
        shape_draw=shape_draw,
        shapes=_drawn_shapes(shape_draw, fields.name("shapes")),
    )


def _regression(fields: Fields, vector_field: str) -> Regression:
    return Regression(
        name=fields.string("name"),
        input=_expand_input(fields.raw("input"), vector_field, fields.path),
        found_by=fields.optional_string("found_by"),
    )


def parse_recipe(data: object, path: Path) -> Recipe:
    """Turn the parsed recipe into a Recipe, or raise naming the first bad field."""
    fields = Fields(data, "", document=RECIPE_FILE.name)
    shape_fields = fields.sub("shape_fields")
    vector_field, size_field = shape_fields.string("vector"), shape_fields.string("size")
    return Recipe(
        shape_budget=fields.integer("shape_budget", minimum=1),
        vector_field=vector_field,
        size_field=size_field,
        hand_picked=tuple(_hand_picked(fields.sub("groups"), vector_field)),
        fuzz=_fuzz(fields.sub("fuzz")),
        regressions=tuple(
            _regression(Fields(item, f"regressions[{index}]"), vector_field)
            for index, item in enumerate(fields.optional_items("regressions"))
        ),
        path=path,
    )


def load_recipe(problem_root: Path) -> Recipe:
    path = problem_root / RECIPE_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProblemFormatError(f"{path}: not found") from None
    except yaml.YAMLError as error:
        raise ProblemFormatError(f"{path}: not valid YAML: {error}") from None
    try:
        return parse_recipe(data, path)
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
