"""The fuzzed test data covers the whole input domain: every real survives float32, shapes
reach every band of len(x) and features, and the recipe's shape draw is checked field by field.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from judgekit.errors import JudgekitError, ProblemFormatError
from judgekit.package.generation import plan_cases
from judgekit.package.manifest import Manifest
from judgekit.package.problem import Problem
from judgekit.package.recipe import RECIPE_FILE, Recipe, load_recipe, parse_recipe
from judgekit.package.shape_draw import ShapeDraw, draw_shapes, stratification_problems
from judgekit.package.shape_space import ShapeDimension
from judgekit.package.strategies import draw_examples, float32_reals
from judgekit.package.testcase import TestCase as Case
from judgekit.package.testcase import load_cases

# The log-spaced bands the fuzz cases must reach, in both dimensions.
LOG_BANDS = ((1, 1), (2, 4), (5, 16), (17, 64), (65, 128), (129, 255), (256, 256))
SMALLEST_NORMAL = float(np.finfo(np.float32).smallest_normal)
DIMENSIONS = (
    ShapeDimension("x", 0, 1, 256, "x", "len(x)"),
    ShapeDimension("features", None, 1, 256, "features", "features"),
)
# At most this share of fuzzed reals may be deliberate zeros or subnormals.
DELIBERATE_SHARE = 0.10


def _fuzz_cases(problem: Problem) -> list[Case]:
    manifest = Manifest.read(problem.testcases_dir)
    fuzzed = {case.id for case in manifest.cases if case.made_by["source"] == "hypothesis"}
    cases = load_cases(problem.testcases_dir, problem.group_names)
    return [case for case in cases if case.id in fuzzed]


def _is_float32(value: float) -> bool:
    return float(np.float32(value)) == value


def _zero_or_subnormal(value: float) -> bool:
    return abs(value) < SMALLEST_NORMAL


def _band_of(value: int) -> tuple[int, int]:
    return next(band for band in LOG_BANDS if band[0] <= value <= band[1])


def test_no_fuzzed_bias_underflows_in_float32_unless_a_deliberate_zero_or_subnormal(
    problem: Problem,
) -> None:
    biases = [float(case.input["frozen_bias_value"]) for case in _fuzz_cases(problem)]  # type: ignore[arg-type]
    assert len(biases) >= 100
    # A float32 number already: the reference's float32 array keeps it exactly, so a nonzero
    # bias cannot turn into 0 there (as 1e-226, a float64, would).
    assert [b for b in biases if not _is_float32(b)] == []
    deliberate = [b for b in biases if _zero_or_subnormal(b)]
    assert 0 < len(deliberate) <= DELIBERATE_SHARE * len(biases)


def test_fuzzed_reals_mix_integral_and_moderate_magnitudes(problem: Problem) -> None:
    biases = [float(case.input["frozen_bias_value"]) for case in _fuzz_cases(problem)]  # type: ignore[arg-type]
    integral = [b for b in biases if b != 0 and b.is_integer()]
    moderate = [b for b in biases if 1e-3 <= abs(b) <= 1e3]
    assert len(integral) >= 0.1 * len(biases)
    assert len(moderate) >= 0.3 * len(biases)
    assert any(b < 0 for b in biases) and any(b > 0 for b in biases)


def test_every_band_of_len_x_and_of_features_holds_two_fuzz_shapes(problem: Problem) -> None:
    recipe = load_recipe(problem.root)
    shapes = {recipe.shape_of(case.input) for case in _fuzz_cases(problem)}
    for dimension, name in ((0, "len(x)"), (1, "features")):
        per_band = {band: 0 for band in LOG_BANDS}
        for shape in shapes:
            per_band[_band_of(shape[dimension])] += 1
        thin = {band: n for band, n in per_band.items() if n < 2}
        assert thin == {}, f"{name}: bands with fewer than two fuzz shapes: {thin}"


def test_the_shape_draw_can_reach_every_len_x_and_features_value() -> None:
    """No value of the domain is left out by construction, as a fixed list of shapes does,
    once every band is dealt more often than its edges and the other parity take."""
    reached: tuple[set[int], set[int]] = (set(), set())
    for seed in range(1500):
        for length, size in draw_shapes((LOG_BANDS, LOG_BANDS), 4 * len(LOG_BANDS), seed):
            reached[0].add(length)
            reached[1].add(size)
    assert reached[0] == reached[1] == set(range(1, 257))


def test_every_band_of_the_committed_fuzz_set_has_both_parities_and_an_edge(
    problem: Problem,
) -> None:
    """A solution wrong only for odd len(x) > 1 once failed 2 hidden cases of 134: every
    len(x) drawn from a band of more than one value was even."""
    recipe = load_recipe(problem.root)
    shapes = {recipe.shape_of(case.input) for case in _fuzz_cases(problem)}
    for axis, name in ((0, "len(x)"), (1, "features")):
        for low, high in LOG_BANDS:
            held = {shape[axis] for shape in shapes if low <= shape[axis] <= high}
            assert held & {low, high}, f"{name} in [{low}, {high}]: no edge among {held}"
            if high > low:
                assert {v % 2 for v in held} == {0, 1}, f"{name} in [{low}, {high}]: {held}"


def test_the_draw_rule_names_the_band_a_shape_set_breaks(problem: Problem) -> None:
    recipe = load_recipe(problem.root)
    draw, dimensions = recipe.fuzz.shape_draw, recipe.dimensions
    assert stratification_problems(draw, dimensions, recipe.fuzz.shapes) == []
    even = [(2, 1) if shape[0] == 3 else shape for shape in recipe.fuzz.shapes]
    if even == list(recipe.fuzz.shapes):
        even = [(4, 1) if 2 <= shape[0] <= 4 else shape for shape in recipe.fuzz.shapes]
    problems = stratification_problems(draw, dimensions, even)
    assert any(p.startswith("len(x) band [2, 4]: every one of its") for p in problems), problems
    missing = [shape for shape in recipe.fuzz.shapes if shape[1] != 256]
    assert "features band [256, 256]: holds 0 shapes, the draw deals it 2" in (
        stratification_problems(draw, dimensions, missing)
    )


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**63), extra=st.integers(0, 20))
def test_drawn_shapes_are_distinct_stratified_and_reproducible(seed: int, extra: int) -> None:
    count = len(LOG_BANDS) + extra
    shapes = draw_shapes((LOG_BANDS, LOG_BANDS), count, seed)
    assert shapes == draw_shapes((LOG_BANDS, LOG_BANDS), count, seed)
    assert len(set(shapes)) == count
    for dimension in (0, 1):
        per_band = [sum(_band_of(s[dimension]) == band for s in shapes) for band in LOG_BANDS]
        assert set(per_band) <= {count // len(LOG_BANDS), math.ceil(count / len(LOG_BANDS))}
    assert (
        stratification_problems(ShapeDraw(count, seed, (LOG_BANDS,) * 2), DIMENSIONS, shapes) == []
    )


def test_the_real_strategy_keeps_values_in_float32_and_in_the_domain() -> None:
    values = draw_examples(float32_reals(-1000.0, 1000.0), 1, 2000)
    assert all(_is_float32(v) and -1000.0 <= v <= 1000.0 for v in values)
    deliberate = [v for v in values if _zero_or_subnormal(v)]
    assert 0.01 * len(values) <= len(deliberate) <= DELIBERATE_SHARE * len(values)
    assert any(v != 0 and _zero_or_subnormal(v) for v in deliberate)  # subnormals, not only 0


@pytest.mark.parametrize(("low", "high"), [(5.0, 7.5), (-0.1, 0.1), (-3.0, -2.0)])
def test_the_real_strategy_respects_any_domain(low: float, high: float) -> None:
    values = draw_examples(float32_reals(low, high), 2, 300)
    assert all(_is_float32(v) and low <= v <= high for v in values)


def _recipe_data(problem: Problem) -> dict[str, Any]:
    data = yaml.safe_load((problem.root / RECIPE_FILE).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def _parse(problem: Problem, data: dict[str, Any]) -> Recipe:
    return parse_recipe(data, problem.root / RECIPE_FILE, problem.entry_point)


def test_a_fixed_list_of_shapes_is_refused_with_what_to_write_instead(problem: Problem) -> None:
    data = _recipe_data(problem)
    data["fuzz"]["shapes"] = [[1, 1], [3, 4]]
    with pytest.raises(ProblemFormatError, match=r"fuzz\.shapes: expected a mapping .* bands"):
        _parse(problem, data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bands": [[1, 1], [2, 4], [6, 256]]}, r"fuzz\.shapes\.bands\[2\]: starts at 6"),
        ({"bands": [[1, 1], [9, 4]]}, r"fuzz\.shapes\.bands\[1\]: low 9 is above high 4"),
        ({"bands": [[1, 1], "2-256"]}, r"fuzz\.shapes\.bands\[1\]: expected \[low, high\]"),
        ({"count": 3}, r"fuzz\.shapes\.count: 3 shapes cannot cover 7 bands"),
        ({"seed": "x"}, r"fuzz\.shapes\.seed: expected an integer"),
        ({"colour": 1}, r"fuzz\.shapes: unknown field\(s\) colour"),
    ],
)
def test_a_malformed_shape_draw_is_reported_by_field(
    problem: Problem, change: dict[str, Any], message: str
) -> None:
    data = _recipe_data(problem)
    data["fuzz"]["shapes"].update(change)
    with pytest.raises(ProblemFormatError, match=message):
        _parse(problem, data)


def test_bands_that_leave_part_of_the_domain_out_are_refused(problem: Problem) -> None:
    data = _recipe_data(problem)
    data["fuzz"]["shapes"]["bands"] = [[1, 1], [2, 16], [17, 200]]
    with pytest.raises(
        ProblemFormatError,
        match=r"fuzz\.shapes\.bands: the bands cover \[1, 200\] but len\(x\) .*\[1, 256\]",
    ):
        _parse(problem, data)


def test_more_shapes_than_the_bands_hold_are_refused() -> None:
    tiny = ((1, 1), (2, 2))
    with pytest.raises(ValueError, match="cannot draw 5 distinct shapes"):
        draw_shapes((tiny, tiny), 5, 0)


def test_a_shape_draw_over_the_budget_is_refused(problem: Problem) -> None:
    data = _recipe_data(problem)
    data["fuzz"]["shapes"]["count"] = data["shape_budget"] + 1
    with pytest.raises(JudgekitError, match=r"more than shape_budget .* fuzz\.shapes\.count"):
        plan_cases(problem, _parse(problem, data))
