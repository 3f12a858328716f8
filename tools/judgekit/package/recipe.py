"""Typed view of testcases/recipe.yaml: how every test case is made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from judgekit.errors import ProblemFormatError
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


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ProblemFormatError(f"{where}{key}: required field is missing")
    return data[key]


def _integer(value: object, where: str, *, minimum: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProblemFormatError(f"{where}: expected an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ProblemFormatError(f"{where}: must be at least {minimum}, got {value}")
    return value


def _band(value: object, where: str) -> Band:
    if not isinstance(value, list) or len(value) != 2:
        raise ProblemFormatError(f"{where}: expected [low, high], got {value!r}")
    low, high = (_integer(v, where) for v in value)
    if low > high:
        raise ProblemFormatError(f"{where}: low {low} is above high {high}")
    return low, high


def parse_shape_draw(data: object, where: str) -> ShapeDraw:
    """`count`, `seed` and `bands` (ascending [low, high] pairs, each starting one above the
    previous band's high, so that together they tile one range)."""
    if not isinstance(data, Mapping):
        raise ProblemFormatError(
            f"{where}: expected a mapping with count, seed and bands (a fixed list of shapes "
            f"is no longer read: the shapes are drawn from bands of the domain)"
        )
    unknown = sorted(set(data) - {"count", "seed", "bands"})
    if unknown:
        raise ProblemFormatError(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")
    raw_bands = _require(data, "bands", f"{where}.")
    if not isinstance(raw_bands, list) or not raw_bands:
        raise ProblemFormatError(f"{where}.bands: expected a non-empty list of [low, high]")
    bands = tuple(_band(band, f"{where}.bands[{i}]") for i, band in enumerate(raw_bands))
    for index in range(1, len(bands)):
        if bands[index][0] != bands[index - 1][1] + 1:
            raise ProblemFormatError(
                f"{where}.bands[{index}]: starts at {bands[index][0]}, expected "
                f"{bands[index - 1][1] + 1} (bands must be ascending, without gaps or overlaps)"
            )
    count = _integer(_require(data, "count", f"{where}."), f"{where}.count")
    if count < len(bands):
        raise ProblemFormatError(
            f"{where}.count: {count} shapes cannot cover {len(bands)} bands; "
            f"raise it to at least {len(bands)} or merge bands"
        )
    seed = _integer(_require(data, "seed", f"{where}."), f"{where}.seed")
    return ShapeDraw(count=count, seed=seed, bands=bands)


def _drawn_shapes(shape_draw: ShapeDraw, where: str) -> tuple[Shape, ...]:
    try:
        return draw_shapes(shape_draw.bands, shape_draw.count, shape_draw.seed)
    except ValueError as error:
        raise ProblemFormatError(f"{where}.count: {error}; lower it or widen the bands") from None


def parse_recipe(data: object, path: Path) -> Recipe:
    if not isinstance(data, Mapping):
        raise ProblemFormatError(f"{path}: expected a mapping")
    fields = _require(data, "shape_fields", "")
    vector_field, size_field = fields["vector"], fields["size"]
    hand_picked: list[HandPicked] = []
    groups = _require(data, "groups", "")
    for group, cases in groups.items():
        for index, case in enumerate(cases or []):
            where = f"groups.{group}[{index}]"
            hand_picked.append(
                HandPicked(
                    group=str(group),
                    name=str(_require(case, "name", f"{where}.")),
                    input=_expand_input(_require(case, "input", f"{where}."), vector_field, where),
                )
            )
    fuzz_data = _require(data, "fuzz", "")
    shape_draw = parse_shape_draw(_require(fuzz_data, "shapes", "fuzz."), "fuzz.shapes")
    fuzz = Fuzz(
        group=str(_require(fuzz_data, "group", "fuzz.")),
        hypothesis_seed=int(_require(fuzz_data, "hypothesis_seed", "fuzz.")),
        count=int(_require(fuzz_data, "count", "fuzz.")),
        shape_draw=shape_draw,
        shapes=_drawn_shapes(shape_draw, "fuzz.shapes"),
    )
    regressions = tuple(
        Regression(
            name=str(_require(item, "name", f"regressions[{index}].")),
            input=_expand_input(
                _require(item, "input", f"regressions[{index}]."),
                vector_field,
                f"regressions[{index}]",
            ),
            found_by=str(item.get("found_by", "")),
        )
        for index, item in enumerate(data.get("regressions") or [])
    )
    return Recipe(
        shape_budget=int(_require(data, "shape_budget", "")),
        vector_field=str(vector_field),
        size_field=str(size_field),
        hand_picked=tuple(hand_picked),
        fuzz=fuzz,
        regressions=regressions,
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
