"""`judgekit new` writes a package that works as it is, and that a teacher turns into another
problem by editing files inside it alone: here a matrix whose two dimensions have different
domains plus a vector, generated, validated, exported, built, judged and verified."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from judgekit.cli import main
from judgekit.export.kattis import INPUT_VALIDATOR
from judgekit.judge.fuzzing import simpler_inputs
from judgekit.package.problem import load_problem
from judgekit.package.recipe import load_recipe
from judgekit.package.testcase import load_cases
from judgekit.package.validation import validate_package
from sandbox_support import require_sandbox

EXIT_ACCEPT = 42  # the Kattis input validator's "valid"

MATRIX_PARAMETERS = yaml.safe_load("""
- {name: batch, kind: matrix, sent_as: float32_array, min: -10.0, max: 10.0,
   dims: [{min: 1, max: 4}, {min: 1, max: 32}]}
- {name: weights, kind: vector, sent_as: float32_array, min: -10.0, max: 10.0,
   dims: [{min: 1, max: 16}]}
""")

MATRIX_RECIPE = """\
shape_budget: 12
shape_fields: [batch, weights]
groups:
  sample:
    - name: two-rows
      input: {batch: [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], weights: [0.5, 0.25]}
  secret:
    - name: widest
      input: {batch: {fill: -10.0, shape: [4, 32]}, weights: {ramp: [-10.0, 10.0], length: 16}}
fuzz:
  group: secret
  hypothesis_seed: 3
  count: 16
  shapes:
    count: 8
    seed: 3
    bands: [[1, 1], [2, 4], [5, 16], [17, 32]]
regressions: []
"""

REFERENCE = """\
import jax.numpy as jnp


def total_and_largest(batch, weights):
    return jnp.array([jnp.sum(batch) + jnp.sum(weights), jnp.max(batch)], dtype=jnp.float32)
"""

ACCEPTED = """\
import numpy as np


def total_and_largest(batch, weights):
    rows = np.asarray(batch, dtype=np.float64)
    return [float(rows.sum() + np.asarray(weights, dtype=np.float64).sum()), float(rows.max())]
"""

WRONG = """\
import jax.numpy as jnp


def total_and_largest(batch, weights):
    return jnp.array([jnp.sum(batch), jnp.max(batch)], dtype=jnp.float32)
"""


def _new(root: Path, source: Path) -> int:
    return main(["--problem", str(source), "new", str(root), "--function", "total_and_largest"])


def _into_the_matrix_problem(root: Path) -> None:
    """The edits a teacher makes, every one inside ROOT."""
    problem_yaml = root / "problem.yaml"
    data = yaml.safe_load(problem_yaml.read_text(encoding="utf-8"))
    data["entry_point"]["parameters"] = MATRIX_PARAMETERS
    problem_yaml.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (root / "testcases" / "recipe.yaml").write_text(MATRIX_RECIPE, encoding="utf-8")
    (root / "reference" / "total_and_largest.py").write_text(REFERENCE, encoding="utf-8")
    (root / "submissions" / "accepted" / "numpy_float64.py").write_text(ACCEPTED, "utf-8")
    (root / "submissions" / "wrong_answer" / "forgets_the_scale.py").unlink()
    (root / "submissions" / "wrong_answer" / "forgets_the_weights.py").write_text(WRONG, "utf-8")


@pytest.fixture(scope="module")
def matrix_package(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    root = tmp_path_factory.mktemp("new") / "total-and-largest"
    assert _new(root, repo_root) == 0
    _into_the_matrix_problem(root)
    assert main(["--problem", str(root), "generate"]) == 0
    return root


def test_new_writes_a_package_that_generates_and_validates_as_it_is(
    tmp_path: Path, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "scaled"
    assert main(["--problem", str(repo_root), "new", str(root), "--function", "scaled"]) == 0
    out = capsys.readouterr().out
    assert "reference/scaled.py" in out and "judgekit generate && judgekit validate" in out
    problem = load_problem(root)
    assert (problem.id, problem.entry_point.signature) == ("scaled", "scaled(x, scale)")
    verdict_folders = sorted(p.name for p in (root / "submissions").iterdir())
    assert verdict_folders == [
        "accepted",
        "compile_error",
        "memory_limit_exceeded",
        "output_limit_exceeded",
        "run_time_error",
        "time_limit_exceeded",
        "wrong_answer",
    ]
    assert main(["--problem", str(root), "generate"]) == 0
    assert main(["--problem", str(root), "validate"]) == 0


def test_every_field_of_the_new_problem_yaml_is_commented(tmp_path: Path, repo_root: Path) -> None:
    assert _new(tmp_path / "p", repo_root) == 0
    lines = (tmp_path / "p" / "problem.yaml").read_text(encoding="utf-8").splitlines()
    uncommented = []
    for number, line in enumerate(lines):
        if line.lstrip()[:1].isalpha() and not line.lstrip().startswith("- "):
            above = number - 1  # a comment above it, or above the fields it is listed with
            while above >= 0 and lines[above].lstrip()[:1].isalpha():
                above -= 1
            if above < 0 or not lines[above].lstrip().startswith(("#", "- ")):
                uncommented.append(line)
    assert uncommented == []


def test_new_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert _new(tmp_path, repo_root) == 2
    assert "is not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    command = ["--problem", str(repo_root), "new", str(tmp_path / "q"), "--function", "class"]
    assert main(command) == 2
    assert "'class' is not a Python function name" in capsys.readouterr().err


def test_the_matrix_problem_validates_with_each_dimension_over_its_own_domain(
    matrix_package: Path,
) -> None:
    assert main(["--problem", str(matrix_package), "validate"]) == 0
    recipe = load_recipe(matrix_package)
    assert recipe.fuzz.shape_draw.bands[:2] == (
        ((1, 1), (2, 4)),
        ((1, 1), (2, 4), (5, 16), (17, 32)),
    )
    problem = load_problem(matrix_package)
    hidden = load_cases(problem.testcases_dir, ["secret"])
    shapes = {recipe.shape_of(case.input) for case in hidden}
    assert {rows for rows, _, _ in shapes} <= {1, 2, 3, 4}
    assert max(columns for _, columns, _ in shapes) > 4


def test_the_statement_shows_the_matrix_one_row_to_a_line(matrix_package: Path) -> None:
    statement = (matrix_package / "statement.md").read_text(encoding="utf-8")
    assert "1 ≤ `batch.shape[0]` ≤ 4 and 1 ≤ `batch.shape[1]` ≤ 32" in statement
    assert (
        "batch=jnp.array([\n        [1.0, 2.0, 3.0],\n        [4.0, 5.0, 6.0],\n    ]" in statement
    )


def test_the_kattis_export_validates_its_own_data(matrix_package: Path, tmp_path: Path) -> None:
    out = tmp_path / "kattis"
    assert main(["--problem", str(matrix_package), "export", "kattis", str(out)]) == 0
    inputs = sorted((out / "data").glob("*/*.in"))
    assert len(inputs) == 2 + 16
    assert (out / "data" / "sample" / "01-two-rows.in").read_text() == (
        "2 3 1.0 2.0 3.0 4.0 5.0 6.0\n2 0.5 0.25\n"
    )
    for path in inputs:
        judged = subprocess.run(
            [sys.executable, str(out / INPUT_VALIDATOR)],
            stdin=path.open("rb"),
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert judged.returncode == EXIT_ACCEPT, (path, judged.stderr)


@pytest.fixture(scope="module")
def matrix_image(matrix_package: Path, repo_root: Path) -> Path:
    require_sandbox(repo_root)
    assert main(["--problem", str(matrix_package), "image", "build"]) == 0
    require_sandbox(matrix_package)
    return matrix_package


@pytest.mark.docker
def test_run_judges_the_matrix_problem_ac_and_wa(
    matrix_image: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = ["--problem", str(matrix_image), "run", "--json"]
    assert main([*run, str(matrix_image / "submissions" / "accepted" / "numpy_float64.py")]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "AC"
    wrong = matrix_image / "submissions" / "wrong_answer" / "forgets_the_weights.py"
    assert main([*run, "--cases", "sample", str(wrong)]) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "WA"


@pytest.mark.docker
def test_verify_gives_every_known_submission_its_folders_verdict(matrix_image: Path) -> None:
    assert main(["--problem", str(matrix_image), "verify"]) == 0


def test_a_failing_matrix_input_shrinks_along_each_dimension(matrix_package: Path) -> None:
    problem = load_problem(matrix_package)
    recipe = load_recipe(matrix_package)
    (widest,) = [c for c in load_cases(problem.testcases_dir, ["secret"]) if "widest" in c.name]
    shapes = {recipe.shape_of(candidate) for candidate in simpler_inputs(problem, widest.input)}
    assert {(1, 32, 16), (4, 1, 16), (4, 32, 1)} <= shapes


def test_validate_reports_fuzz_shapes_that_break_the_draws_rule(
    tmp_path: Path, repo_root: Path
) -> None:
    root = tmp_path / "p"
    assert _new(root, repo_root) == 0
    assert main(["--problem", str(root), "generate"]) == 0
    manifest_path = root / "testcases" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for case in manifest["cases"]:
        path = root / "testcases" / f"{case['id']}.in"
        values = json.loads(path.read_text(encoding="utf-8"))
        if case["made_by"]["source"] == "hypothesis" and len(values["x"]) == 1:
            path.write_text(json.dumps({**values, "x": values["x"] * 2}) + "\n", encoding="utf-8")
            case["input_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    report = validate_package(root)
    assert "fuzz shapes len(x) band [1, 2]: holds 1 shapes, the draw deals it 2" in " ".join(
        finding.message for finding in report.errors
    )
