"""Fuzz inputs: reproducible from their seed, inside the domain, and shrinkable in the domain."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from judgekit.judge.fuzzing import fuzz_inputs, simpler_inputs
from judgekit.package.input_domain import validate_input
from judgekit.package.problem import Problem


def test_the_same_seed_draws_the_same_inputs_and_another_seed_others(problem: Problem) -> None:
    first = fuzz_inputs(problem, 5, 1234)
    assert first == fuzz_inputs(problem, 5, 1234)
    assert first != fuzz_inputs(problem, 5, 1235)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_fuzz_inputs_and_their_shrinks_stay_inside_the_domain(problem: Problem, seed: int) -> None:
    for values in fuzz_inputs(problem, 2, seed):
        assert validate_input(problem.entry_point, values) == []
        for simpler in simpler_inputs(problem, values):
            assert validate_input(problem.entry_point, simpler) == [], simpler


@pytest.mark.parametrize("count", [0, 3])
def test_fuzz_counts_are_honoured(problem: Problem, count: int) -> None:
    assert len(fuzz_inputs(problem, count, 7)) == count


@pytest.mark.docker
def test_run_with_fuzz_reports_its_seed_and_judges_fresh_cases(
    problem: Problem, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from judgekit.cli import main
    from sandbox_support import require_sandbox

    require_sandbox(problem.root)
    reference = str(problem.root / "reference" / "frozen_kernel_unchanged.py")
    code = main(
        ["run", reference, "--cases", "sample", "--fuzz", "3", "--fuzz-seed", "5", "--json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["verdict"] == "AC"
    assert report["fuzz_seed"] == 5
    fuzz = [case for case in report["cases"] if case["group"] == "fuzz"]
    assert len(fuzz) == 3 and all(case["input"] for case in fuzz)
    assert [c["input"] for c in fuzz] == fuzz_inputs(problem, 3, 5)


@pytest.mark.docker
def test_save_failures_files_the_shrunk_input_as_a_regenerable_case(
    problem: Problem, tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil
    from pathlib import Path

    from judgekit.cli import main
    from judgekit.package.manifest import Manifest
    from judgekit.package.validation import validate_package
    from sandbox_support import require_sandbox

    require_sandbox(problem.root)
    package = Path(str(tmp_path)) / "package"
    shutil.copytree(
        problem.root,
        package,
        ignore=shutil.ignore_patterns(".venv", ".git", "wheelhouse", "judge-data", "artifacts"),
    )
    wrong = package / "submissions" / "wrong_answer" / "forgot_the_scaling.py"
    code = main(
        [
            "--problem",
            str(package),
            "run",
            str(wrong),
            "--cases",
            "sample",
            "--fuzz",
            "2",
            "--fuzz-seed",
            "11",
            "--save-failures",
        ]
    )
    output = capsys.readouterr().err
    assert code == 1
    assert any(line.startswith("WA Wrong Answer") for line in output.splitlines()), output
    assert "smallest failing fuzz input" in output and "--fuzz-seed 11" in output
    saved = [
        c for c in Manifest.read(package / "testcases").cases if c.made_by["source"] == "regression"
    ]
    assert len(saved) == 1 and "fuzz-seed-11" in saved[0].id
    assert validate_package(package).errors == []
