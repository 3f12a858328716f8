"""problem.yaml is the only place that knows the problem: a second package of the same shape,
copied from this one with its problem files replaced (another function, another output, other
names, tolerance and limits, its own reference, recipe and known submissions), is generated,
validated, judged and verified by the same judgekit, with no change to the judge's code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from judgekit.cli import _default_problem_dir, main
from judgekit.package.problem import load_problem
from sandbox_support import require_sandbox

PROBLEM_YAML = """\
id: scaled-sum
title: Scaled Sum
version: 1

entry_point:
  function: scaled_sum
  parameters:
    - {name: x, kind: vector, sent_as: float32_array, min_length: 1, max_length: 8,
       min: -100.0, max: 100.0}
    - {name: width, kind: integer, sent_as: float, min: 1, max: 8}
    - {name: scale, kind: real, sent_as: float, min: -10.0, max: 10.0}

output:
  shape: [2]
  names: [scaled_total, scaled_width]
  tolerance: {rtol: 1.0e-4, atol: 1.0e-5}

limits:
  clock: cpu
  time_per_case_s: 8
  startup_s: 25
  total_time_s: 120
  memory_mib: 1024
  output_bytes: 32768
  submission_bytes: 65536
  wall_backstop: {factor: 2, slack_s: 5}

devices: [cpu]

test_groups:
  - {name: examples, visibility: public}
  - {name: hidden, visibility: hidden}
"""

RECIPE_YAML = """\
shape_budget: 8
shape_fields: {vector: x, size: width}
groups:
  examples:
    - name: first
      input: {x: [1.0, 2.0, 3.0], width: 2, scale: 0.5}
  hidden:
    - name: negative-scale
      input: {x: {ramp: [-1.0, 1.0], length: 8}, width: 8, scale: -10.0}
fuzz:
  group: hidden
  hypothesis_seed: 7
  count: 2
  shapes: {count: 2, seed: 7, bands: [[1, 4], [5, 8]]}
regressions: []
"""

STATEMENT_MD = """\
# Scaled Sum

Return `[sum(x) * scale, width * scale]`.

<!-- constraints:begin (written by `judgekit generate` from problem.yaml; do not edit) -->
<!-- constraints:end -->

<!-- examples:begin (written by `judgekit generate` from testcases/sample; do not edit) -->
<!-- examples:end -->
"""

REFERENCE = """\
import jax.numpy as jnp


def scaled_sum(x, width, scale):
    return jnp.array([jnp.sum(x) * scale, width * scale], dtype=jnp.float32)
"""

ACCEPTED = """\
import numpy as np


def scaled_sum(x, width, scale):
    return [float(np.asarray(x, dtype=np.float64).sum()) * scale, width * scale]
"""

WRONG = """\
import jax.numpy as jnp


def scaled_sum(x, width, scale):
    return jnp.array([jnp.sum(x), width * scale], dtype=jnp.float32)
"""

RETURNS_NONE = """\
def scaled_sum(x, width, scale):
    return None
"""

# The parts of this package that are not about the problem: the checker and the sandbox image.
SHARED = ("checker", "sandbox")
# Build inputs and leftovers that are not part of the package (the wheelhouse is 170 MB).
NOT_COPIED = shutil.ignore_patterns("wheelhouse", "judgekit-context-*", "__pycache__")


def _make_package(root: Path, source: Path) -> Path:
    root.mkdir()
    for folder in SHARED:
        shutil.copytree(source / folder, root / folder, ignore=NOT_COPIED)
    (root / "problem.yaml").write_text(PROBLEM_YAML, encoding="utf-8")
    (root / "statement.md").write_text(STATEMENT_MD, encoding="utf-8")
    (root / "testcases").mkdir()
    (root / "testcases" / "recipe.yaml").write_text(RECIPE_YAML, encoding="utf-8")
    (root / "reference").mkdir()
    (root / "reference" / "scaled_sum.py").write_text(REFERENCE, encoding="utf-8")
    for folder, name, text in (
        ("accepted", "float64_list.py", ACCEPTED),
        ("wrong_answer", "forgets_the_scale.py", WRONG),
        ("run_time_error", "returns_none.py", RETURNS_NONE),
    ):
        (root / "submissions" / folder).mkdir(parents=True)
        (root / "submissions" / folder / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    """The second package, with its test data generated."""
    root = _make_package(tmp_path_factory.mktemp("second") / "scaled-sum", repo_root)
    assert main(["--problem", str(root), "generate"]) == 0
    return root


def test_generate_writes_the_groups_problem_yaml_names_and_fills_the_statement(
    second: Path,
) -> None:
    assert sorted(p.name for p in (second / "testcases" / "examples").glob("*.in")) == [
        "01-first.in"
    ]
    assert len(list((second / "testcases" / "hidden").glob("*.in"))) == 3  # 1 + 2 fuzz
    statement = (second / "statement.md").read_text(encoding="utf-8")
    assert "scaled_sum(" in statement and "returns `[3, 1]`" in statement


def test_validate_accepts_the_second_package(second: Path) -> None:
    assert main(["--problem", str(second), "validate"]) == 0


def test_the_reference_is_found_by_the_entry_points_name(second: Path) -> None:
    assert load_problem(second).reference == Path("reference/scaled_sum.py")


def test_problem_yaml_may_name_the_reference(tmp_path: Path, repo_root: Path) -> None:
    root = _make_package(tmp_path / "named", repo_root)
    (root / "reference" / "scaled_sum.py").rename(root / "reference" / "model_answer.py")
    text = PROBLEM_YAML + "reference: reference/model_answer.py\n"
    (root / "problem.yaml").write_text(text, encoding="utf-8")
    assert load_problem(root).reference == Path("reference/model_answer.py")
    assert main(["--problem", str(root), "generate"]) == 0


def test_a_missing_reference_is_one_line_that_says_what_to_do(
    tmp_path: Path, repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _make_package(tmp_path / "no-reference", repo_root)
    (root / "reference" / "scaled_sum.py").unlink()
    assert main(["--problem", str(root), "generate"]) == 2
    error = capsys.readouterr().err
    assert "reference/scaled_sum.py: the reference solution is missing" in error
    assert "`reference:` in problem.yaml" in error and "Traceback" not in error


def test_a_reference_outside_the_package_is_refused(tmp_path: Path, repo_root: Path) -> None:
    root = _make_package(tmp_path / "outside", repo_root)
    text = PROBLEM_YAML + "reference: ../elsewhere.py\n"
    (root / "problem.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match=r"reference: expected a \.py file inside the package"):
        load_problem(root)


def test_cases_takes_the_test_groups_of_problem_yaml(
    second: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    submission = second / "reference" / "scaled_sum.py"
    assert main(["--problem", str(second), "run", "--cases", "sample", str(submission)]) == 2
    assert "use one of: all, examples, hidden" in capsys.readouterr().err


def test_outside_a_package_the_cli_says_which_package_it_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    used = _default_problem_dir()
    assert (used / "problem.yaml").is_file()
    error = capsys.readouterr().err
    assert f"no problem.yaml in {tmp_path}" in error and str(used) in error


@pytest.fixture(scope="module")
def second_image(second: Path, repo_root: Path) -> str:
    """The second package's sandbox image. Its compilation cache is warmed up at its own test
    set's shapes, so it is an image of its own (from the same cached layers but the warm-up)."""
    require_sandbox(repo_root)
    wheelhouse = second / "sandbox" / "wheelhouse"
    if not wheelhouse.exists():
        # Shared with this checkout's (made here when this checkout has downloaded none).
        (repo_root / "sandbox" / "wheelhouse").mkdir(exist_ok=True)
        wheelhouse.symlink_to(repo_root / "sandbox" / "wheelhouse")
    assert main(["--problem", str(second), "image", "build"]) == 0
    return require_sandbox(second)


@pytest.mark.docker
def test_run_judges_the_second_problem_in_the_sandbox(
    second: Path, second_image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = ["--problem", str(second), "run", "--json"]
    assert main([*problem, str(second / "reference" / "scaled_sum.py")]) == 0
    assert '"verdict": "AC"' in capsys.readouterr().out
    wrong = second / "submissions" / "wrong_answer" / "forgets_the_scale.py"
    assert main([*problem, "--cases", "examples", str(wrong)]) == 1
    out = capsys.readouterr().out
    assert '"verdict": "WA"' in out and "scaled_total" in out
    returns_none = second / "submissions" / "run_time_error" / "returns_none.py"
    assert main([*problem, "--cases", "examples", str(returns_none)]) == 1
    assert "returned None; expected an array of 2 numbers" in capsys.readouterr().out


@pytest.mark.docker
def test_verify_gives_each_known_submission_its_folders_verdict(
    second: Path, second_image: str
) -> None:
    assert main(["--problem", str(second), "verify"]) == 0
