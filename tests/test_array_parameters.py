"""Array parameters of any rank: a matrix whose two dimensions have different domains, a vector,
an integer array. Every dimension has its own domain and its own fuzz bands, and everything that
reads parameters (the recipe, the strategies, the input validator, the statement, the export's
text format, the web page's input view) follows problem.yaml."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from judgekit.errors import ProblemFormatError
from judgekit.export.programs import validator_source
from judgekit.export.text_format import decode_input, encode_input, parameter_text
from judgekit.judge.report import CaseResult
from judgekit.judge.verdict import Verdict
from judgekit.package.files import runner_module
from judgekit.package.input_domain import validate_input
from judgekit.package.parameters import Dimension, ParameterKind, SentAs
from judgekit.package.problem import Problem, parse_problem
from judgekit.package.recipe import RECIPE_FILE, Recipe, parse_recipe
from judgekit.package.shape_draw import draw_shapes
from judgekit.package.statement import render_constraints
from judgekit.package.strategies import case_strategy, draw_examples
from judgekit.web.views.templating import case_view

PARAMETERS = yaml.safe_load("""
- {name: seed, kind: integer, sent_as: float, min: 0, max: 100}
- {name: batch, kind: matrix, sent_as: float32_array, min: -10.0, max: 10.0,
   dims: [{min: 1, max: 4}, {min: 2, max: 40}]}
- {name: bias, kind: vector, sent_as: float32_array, min_length: 1, max_length: 16,
   min: -1.0, max: 1.0}
- {name: labels, kind: vector, sent_as: int32_array, min_length: 1, max_length: 4,
   min: 0, max: 9}
""")

EXIT_ACCEPT, EXIT_REJECT = 42, 43  # the Kattis input validator's verdicts

RECIPE = yaml.safe_load("""
shape_budget: 12
shape_fields: [batch, bias, labels]
groups:
  sample:
    - name: ramp
      input: {seed: 1, batch: {ramp: [-1.0, 1.0], shape: [2, 3]}, bias: {fill: 0.5, length: 4},
              labels: [1, 2]}
fuzz:
  group: secret
  hypothesis_seed: 5
  count: 30
  shapes:
    count: 8
    seed: 5
    bands: [[1, 1], [2, 4], [5, 16], [17, 64]]
regressions: []
""")


def _problem(repo_root: Path, parameters: list[Any] | None = None) -> Problem:
    data = yaml.safe_load((repo_root / "problem.yaml").read_text(encoding="utf-8"))
    data["entry_point"]["parameters"] = copy.deepcopy(parameters or PARAMETERS)
    return parse_problem(data, repo_root)


def _recipe(problem: Problem, **changes: Any) -> Recipe:
    data = copy.deepcopy(RECIPE)
    data["fuzz"]["shapes"].update(changes)
    return parse_recipe(data, problem.root / RECIPE_FILE, problem.entry_point)


@pytest.fixture
def matrix_problem(repo_root: Path) -> Problem:
    return _problem(repo_root)


def test_a_matrix_has_a_domain_per_dimension(matrix_problem: Problem) -> None:
    batch = matrix_problem.entry_point.parameter("batch")
    assert (batch.kind, batch.sent_as) == (ParameterKind.MATRIX, SentAs.FLOAT32_ARRAY)
    assert batch.dims == (Dimension(1, 4), Dimension(2, 40))
    labels = matrix_problem.entry_point.parameter("labels")
    assert labels.integral and labels.dims == (Dimension(1, 4),)


@pytest.mark.parametrize(
    ("index", "change", "message"),
    [
        (1, {"dims": None}, r"parameters\[1\]\.dims: required field is missing"),
        (1, {"dims": [{"min": 1, "max": 2}]}, r"parameters\[1\]\.dims: a matrix has 2 dim"),
        (1, {"min_length": 1}, r"parameters\[1\]: min_length and max_length are a vector's"),
        (1, {"dims": [{"min": 3, "max": 2}, {"min": 1, "max": 2}]}, r"dims\[0\]: min \(3\)"),
        (1, {"dims": [{"min": 1}, {"min": 1, "max": 2}]}, r"dims\[0\]\.max: required"),
        (1, {"sent_as": "float"}, r"parameters\[1\]\.sent_as: a matrix is sent as float32_arr"),
        (3, {"min": 0.5}, r"parameters\[3\]: integer values need integral min and max"),
        (3, {"max": 2**40}, r"parameters\[3\]: an int32_array's min and max must fit"),
        (0, {"dims": [{"min": 1, "max": 2}]}, r"parameters\[0\]\.dims: an integer has no dim"),
        (1, {"dtype": "float16"}, r"parameters\[1\]: unknown field\(s\) dtype"),
    ],
)
def test_a_malformed_array_parameter_is_named(
    repo_root: Path, index: int, change: dict[str, Any], message: str
) -> None:
    parameters = copy.deepcopy(PARAMETERS)
    for key, value in change.items():
        if value is None:
            del parameters[index][key]
        else:
            parameters[index][key] = value
    with pytest.raises(ProblemFormatError, match=message):
        _problem(repo_root, parameters)


VALID = {"seed": 3, "batch": [[1.0, 2.0], [3.0, 4.0]], "bias": [0.5], "labels": [0, 9]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "batch",
            [[1.0, 2.0], [3.0]],
            "batch: rows of different lengths [1, 2] along batch.shape[1]",
        ),
        ("batch", [[1.0]], "batch: batch.shape[1] is 1, outside [2, 40]"),
        ("batch", [[1.0, 2.0]] * 5, "batch: batch.shape[0] is 5, outside [1, 4]"),
        ("batch", [1.0, 2.0], "batch[0]: expected a list of numbers, got float"),
        ("batch", [[1.0, 11.0]], "batch[0][1]: 11.0 is outside [-10, 10]"),
        ("batch", [[1.0, 0.1]], "batch[0][1]: 0.1 is not exactly representable as float32"),
        ("labels", [1.5], "labels[0]: must be an integer, got 1.5"),
        ("labels", [], "labels: has length 0, outside [1, 4]"),
    ],
)
def test_the_input_validator_checks_every_dimension_and_element(
    matrix_problem: Problem, field: str, value: object, message: str
) -> None:
    assert validate_input(matrix_problem.entry_point, VALID) == []
    assert validate_input(matrix_problem.entry_point, {**VALID, field: value}) == [message]


def test_one_bands_list_is_clipped_to_each_dimensions_domain(matrix_problem: Problem) -> None:
    recipe = _recipe(matrix_problem)
    assert [d.label for d in recipe.dimensions] == [
        "batch.shape[0]",
        "batch.shape[1]",
        "len(bias)",
        "len(labels)",
    ]
    assert recipe.fuzz.shape_draw.bands == (
        ((1, 1), (2, 4)),
        ((2, 4), (5, 16), (17, 40)),  # [1, 1] lies wholly outside [2, 40]: dropped
        ((1, 1), (2, 4), (5, 16)),
        ((1, 1), (2, 4)),
    )


def test_bands_may_be_given_per_dimension(matrix_problem: Problem) -> None:
    bands = {
        "batch.0": [[1, 4]],
        "batch.1": [[2, 2], [3, 40]],
        "bias": [[1, 16]],
        "labels": [[1, 4]],
    }
    recipe = _recipe(matrix_problem, bands=bands)
    assert recipe.fuzz.shape_draw.bands == (((1, 4),), ((2, 2), (3, 40)), ((1, 16),), ((1, 4),))
    assert {shape[1] == 2 for shape in recipe.fuzz.shapes} == {True, False}


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ({"batch.0": [[1, 4]]}, r"fuzz\.shapes\.bands: per-dimension bands need exactly the keys"),
        (
            {"batch.0": [[1, 3]], "batch.1": [[2, 40]], "bias": [[1, 16]], "labels": [[1, 4]]},
            r"fuzz\.shapes\.bands\.batch\.0: the bands cover \[1, 3\] but batch\.shape\[0\]",
        ),
        ([[5, 100]], r"fuzz\.shapes\.bands: the bands cover nothing but batch\.shape\[0\]"),
    ],
)
def test_bands_that_miss_a_dimension_are_named(
    matrix_problem: Problem, bands: object, message: str
) -> None:
    with pytest.raises(ProblemFormatError, match=message):
        _recipe(matrix_problem, bands=bands)


@pytest.mark.parametrize(
    ("shape_fields", "message"),
    [
        (["batch", "bias"], r"shape_fields: array parameter\(s\) labels missing"),
        (["batch", "bias", "labels", "nope"], r"shape_fields\[3\]: 'nope' is not a parameter"),
        (["batch", "batch", "bias", "labels"], r"shape_fields: a parameter is listed twice"),
    ],
)
def test_shape_fields_must_name_every_array(
    matrix_problem: Problem, shape_fields: list[str], message: str
) -> None:
    data = {**copy.deepcopy(RECIPE), "shape_fields": shape_fields}
    with pytest.raises(ProblemFormatError, match=message):
        parse_recipe(data, matrix_problem.root / RECIPE_FILE, matrix_problem.entry_point)


def test_without_shape_fields_every_array_makes_the_shape(matrix_problem: Problem) -> None:
    data = {key: value for key, value in copy.deepcopy(RECIPE).items() if key != "shape_fields"}
    recipe = parse_recipe(data, matrix_problem.root / RECIPE_FILE, matrix_problem.entry_point)
    assert recipe.shape_fields == ("batch", "bias", "labels")


def test_hand_picked_forms_expand_to_the_arrays_sent(matrix_problem: Problem) -> None:
    (case,) = _recipe(matrix_problem).hand_picked
    assert case.input["batch"] == [
        [-1.0, -0.6000000238418579, -0.20000000298023224],
        [0.20000000298023224, 0.6000000238418579, 1.0],
    ]
    assert case.input["bias"] == [0.5] * 4
    assert case.input["labels"] == [1, 2]
    assert validate_input(matrix_problem.entry_point, case.input) == []


def test_fuzz_inputs_take_a_drawn_shape_and_stay_in_the_domain(matrix_problem: Problem) -> None:
    recipe = _recipe(matrix_problem)
    strategy = case_strategy(matrix_problem.entry_point, recipe.fuzz.shapes, recipe.dimensions)
    inputs = draw_examples(strategy, 5, 30)
    for values in inputs:
        assert validate_input(matrix_problem.entry_point, values) == []
        assert recipe.shape_of(values) in recipe.fuzz.shapes
    assert all(isinstance(v, int) for values in inputs for v in values["labels"])
    # The budget counts distinct tuples of every array's shape: at most one per drawn shape.
    assert {recipe.shape_of(values) for values in inputs} <= set(recipe.fuzz.shapes)
    assert len(set(recipe.fuzz.shapes)) == 8


def test_each_dimension_is_drawn_over_its_own_bands() -> None:
    narrow, wide = ((1, 1), (2, 4)), ((1, 1), (2, 4), (5, 16), (17, 64))
    shapes = draw_shapes((narrow, wide), 8, 3)
    assert {s[0] for s in shapes} <= set(range(1, 5))
    assert all(any(low <= s[1] <= high for s in shapes) for low, high in wide)


def test_the_text_format_spells_a_matrix_as_its_lengths_then_its_rows(
    matrix_problem: Problem,
) -> None:
    triples = [parameter_text(p) for p in matrix_problem.entry_point.parameters]
    text = encode_input(triples, VALID)
    assert text == "3\n2 2 1.0 2.0 3.0 4.0\n1 0.5\n2 0 9\n"
    assert decode_input(triples, text) == VALID
    with pytest.raises(ValueError, match=r"line 2 \(batch\): says 2 x 2 values but holds 3"):
        decode_input(triples, "3\n2 2 1.0 2.0 3.0\n1 0.5\n2 0 9\n")
    with pytest.raises(ValueError, match=r"line 4 \(labels\)\[0\]: '0.0' is not an integer"):
        decode_input(triples, "3\n2 2 1.0 2.0 3.0 4.0\n1 0.5\n2 0.0 9\n")


def test_the_statement_states_each_dimensions_domain(matrix_problem: Problem) -> None:
    constraints = render_constraints(matrix_problem)
    assert (
        "- `batch`: a 2-D `float32` JAX array with 1 ≤ `batch.shape[0]` ≤ 4 and "
        "2 ≤ `batch.shape[1]` ≤ 40, every element finite with −10 ≤ `batch[i, j]` ≤ 10."
    ) in constraints
    assert (
        "- `labels`: a 1-D `int32` JAX array with 1 ≤ `len(labels)` ≤ 4, every element an "
        "integer with 0 ≤ `labels[i]` ≤ 9." in constraints
    )


def test_the_web_page_shows_a_matrix_one_row_to_a_line(matrix_problem: Problem) -> None:
    case = CaseResult("sample/01-m", "sample", Verdict.AC, 1, "", True, VALID)
    assert case_view(case, matrix_problem).input_text == (
        "seed = 3\nbatch = [[1.0, 2.0],\n         [3.0, 4.0]]\nbias = [0.5]\nlabels = [0, 9]"
    )


def test_the_exported_input_validator_reads_matrices(
    matrix_problem: Problem, tmp_path: Path
) -> None:
    validator = tmp_path / "validate.py"
    validator.write_text(validator_source(matrix_problem), encoding="utf-8")
    triples = [parameter_text(p) for p in matrix_problem.entry_point.parameters]

    def run(text: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(validator)],
            input=text,
            capture_output=True,
            text=True,
            check=False,
        )

    assert run(encode_input(triples, VALID)).returncode == EXIT_ACCEPT
    too_wide = run(encode_input(triples, {**VALID, "batch": [[1.0] * 41]}))
    assert too_wide.returncode == EXIT_REJECT
    assert "batch.shape[1] is 41, outside [2, 40]" in too_wide.stderr


def test_the_runner_sends_each_array_as_its_dtype_and_shape(matrix_problem: Problem) -> None:
    runner = runner_module(matrix_problem)
    arguments = runner.build_arguments(matrix_problem.entry_point.runner_parameters(), VALID)
    assert arguments[0] == 3.0
    assert [(str(a.dtype), a.shape) for a in arguments[1:]] == [
        ("float32", (2, 2)),
        ("float32", (1,)),
        ("int32", (2,)),
    ]
