"""`judgekit export kattis`: the layout, the input encoding, the generated programs, and that
the export's data is our test set (nothing drifted). No Docker; JAX runs twice at most."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from judgekit.cli import main
from judgekit.errors import JudgekitError
from judgekit.export.kattis import (
    KattisExport,
    data_folder,
    export_kattis,
    parameter_pairs,
    read_exported_cases,
)
from judgekit.export.programs import (
    SOLUTION_FILE,
    WRAPPER_FILE,
    validator_source,
    wrapper_source,
)
from judgekit.export.text_format import decode_input, encode_input
from judgekit.judge.known_submissions import known_submissions
from judgekit.package.problem import Problem
from judgekit.package.testcase import load_cases

EXIT_ACCEPT, EXIT_REJECT = 42, 43


@pytest.fixture(scope="module")
def export(problem: Problem, tmp_path_factory: pytest.TempPathFactory) -> KattisExport:
    return export_kattis(problem, tmp_path_factory.mktemp("kattis") / "out")


def _flags(export: KattisExport) -> list[str]:
    data = yaml.safe_load((export.out / "data" / "testdata.yaml").read_text(encoding="utf-8"))
    return str(data["output_validator_flags"]).split()


def test_the_export_has_the_kattis_layout(export: KattisExport, problem: Problem) -> None:
    out = export.out
    for path in (
        "problem.yaml",
        "README.md",
        "requirements.txt",
        "statement/problem.en.md",
        "data/testdata.yaml",
        "input_validators/validate_input.py",
        "output_validator/vector_checker.py",
        f"attachments/{WRAPPER_FILE}",
    ):
        assert (out / path).is_file(), path
    metadata = yaml.safe_load((out / "problem.yaml").read_text(encoding="utf-8"))
    assert metadata["problem_format_version"] == "2023-07-draft"
    assert metadata["name"] == {"en": problem.title}
    assert metadata["limits"]["memory"] == problem.limits.memory_mib
    assert metadata["uuid"]
    assert (out / "output_validator" / "vector_checker.py").read_bytes() == (
        problem.root / problem.checker
    ).read_bytes()
    statement = (out / "statement" / "problem.en.md").read_text(encoding="utf-8")
    assert "## Input" in statement and "standard input" in statement
    assert "examples:begin" not in statement and "constraints:begin" not in statement
    readme = (out / "README.md").read_text(encoding="utf-8")
    for limit in ("Fuzzing", "hardening", "GPU", "timing model"):
        assert limit in readme


def test_requirements_pin_the_libraries_of_the_sandbox_lock(export: KattisExport) -> None:
    pins = [
        line
        for line in (export.out / "requirements.txt").read_text().splitlines()
        if not line.startswith("#")
    ]
    assert [pin.split("==")[0] for pin in pins] == ["jax", "jaxlib", "flax", "numpy"]
    assert "jax==0.10.2" in pins


def test_every_known_submission_is_filed_or_listed_as_left_out(
    export: KattisExport, problem: Problem
) -> None:
    wrapper = (export.out / "attachments" / WRAPPER_FILE).read_bytes()
    readme = (export.out / "README.md").read_text(encoding="utf-8")
    placed = {item.submission.path for item in export.placed}
    for item in export.placed:
        folder = export.out / "submissions" / item.folder / item.name
        assert sorted(p.name for p in folder.iterdir()) == [WRAPPER_FILE, SOLUTION_FILE]
        assert (folder / WRAPPER_FILE).read_bytes() == wrapper
        assert (folder / SOLUTION_FILE).read_bytes() == item.submission.path.read_bytes()
    assert (export.out / "submissions" / "accepted" / "reference").is_dir()
    for left_out in export.left_out:
        assert f"`{left_out.submission.name}`" in readme
    every = {s.path for s in known_submissions(problem)}
    assert placed | {item.submission.path for item in export.left_out} == every
    folders = {p.name for p in (export.out / "submissions").iterdir()}
    assert folders <= {"accepted", "wrong_answer", "time_limit_exceeded", "run_time_error"}


def test_the_encoding_round_trips_every_committed_case(problem: Problem) -> None:
    pairs = parameter_pairs(problem)
    cases = load_cases(problem.testcases_dir, problem.group_names)
    assert cases
    for case in cases:
        text = encode_input(pairs, case.input)
        assert decode_input(pairs, text) == case.input, case.id
        assert encode_input(pairs, decode_input(pairs, text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0\n3 1.0 2.0\n4\n2.0\n",
        "0\n1 1.0\n4\n",
        "01\n1 1.0\n4\n2.0\n",
        "0\n1 nan\n4\n2.0\n",
        "0\n1 1e999\n4\n2.0\n",
        "0\n1 1.0\n4\n2.0",
        "0\n1  1.0\n4\n2.0\n",
        "0.5\n1 1.0\n4\n2.0\n",
        "0\n1 1.00\n4\n2.0\n",
        "-0\n1 1.0\n4\n2.0\n",
        "0\n1 1.0\n4\n2\n",
    ],
)
def test_malformed_inputs_do_not_decode(problem: Problem, text: str) -> None:
    with pytest.raises(ValueError):
        decode_input(parameter_pairs(problem), text)


def test_reading_the_export_back_gives_our_test_set(export: KattisExport, problem: Problem) -> None:
    ours = load_cases(problem.testcases_dir, problem.group_names)
    assert read_exported_cases(problem, export.out) == ours
    exported = sorted((export.out / "data").glob("*/*.in"))
    assert len(exported) == len(ours) == export.cases


def _run(program: Path, stdin: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, str(program), *args],
        stdin=stdin.open("rb"),
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_the_input_validator_accepts_our_inputs_and_rejects_others(
    export: KattisExport, tmp_path: Path
) -> None:
    validator = export.out / "input_validators" / "validate_input.py"
    for case in sorted((export.out / "data").glob("*/0[1-3]*.in")):
        assert _run(validator, case).returncode == EXIT_ACCEPT, case
    for bad in ("0\n3 1.0 2.0 3.0\n4\n2000.0\n", "0\n1 0.1\n4\n2.0\n", "0\n1 1.0\n4\n"):
        path = tmp_path / "bad.in"
        path.write_text(bad)
        result = _run(validator, path)
        assert result.returncode == EXIT_REJECT, bad
        assert result.stderr


def test_the_wrapped_reference_answers_a_sample_and_the_validator_judges_it(
    export: KattisExport, tmp_path: Path
) -> None:
    sample = sorted((export.out / "data" / "sample").glob("*.in"))[0]
    answer = sample.with_suffix(".ans")
    run = _run(export.out / "submissions" / "accepted" / "reference" / WRAPPER_FILE, sample)
    assert run.returncode == 0, run.stderr
    output = tmp_path / "output"
    output.write_bytes(run.stdout)
    validator = export.out / "output_validator" / "vector_checker.py"
    feedback = tmp_path / "feedback"
    judged = _run(validator, output, str(sample), str(answer), str(feedback), *_flags(export))
    assert judged.returncode == EXIT_ACCEPT, (feedback / "judgemessage.txt").read_text()
    output.write_text("1 2 3\n")
    judged = _run(validator, output, str(sample), str(answer), str(feedback), *_flags(export))
    assert judged.returncode == EXIT_REJECT
    assert "kernel_norm" in (feedback / "judgemessage.txt").read_text()


def test_exporting_into_a_folder_that_is_not_empty_is_refused(
    problem: Problem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(JudgekitError, match="not empty"):
        export_kattis(problem, tmp_path)
    assert main(["--problem", str(problem.root), "export", "kattis", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_secret_cases_writes_the_samples_and_the_first_hidden_cases_and_says_so(
    problem: Problem, tmp_path: Path
) -> None:
    partial = export_kattis(problem, tmp_path / "out", secret_cases=2)
    ours = load_cases(problem.testcases_dir, problem.group_names)
    public = [c for c in ours if c.group not in problem.hidden_groups]
    hidden = [c for c in ours if c.group in problem.hidden_groups]
    assert read_exported_cases(problem, partial.out) == public + hidden[:2]
    assert partial.cases == len(public) + 2
    assert "A partial export" in (partial.out / "README.md").read_text(encoding="utf-8")


def test_a_sleeping_submission_is_left_out_with_the_reason(export: KattisExport) -> None:
    readme = (export.out / "README.md").read_text(encoding="utf-8")
    assert "`time_limit_exceeded/sleeps.py`: it sleeps" in readme
    assert not (export.out / "submissions" / "time_limit_exceeded" / "sleeps").exists()
    assert "A partial export" not in readme


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_nothing_drifted_every_exported_file_is_derived_from_the_package(
    export: KattisExport, problem: Problem, tmp_path: Path
) -> None:
    """Each file that carries something of ours says what the package says now, and a second
    export is byte for byte the first (nothing in the output is edited or random)."""
    out = export.out
    assert _tree(export_kattis(problem, tmp_path / "again").out) == _tree(out)
    limits = yaml.safe_load((out / "problem.yaml").read_text(encoding="utf-8"))["limits"]
    assert limits["time_limit"] == problem.limits.startup_s + problem.limits.time_per_case_s
    assert limits["memory"] == problem.limits.memory_mib
    assert limits["code"] * 1024 >= problem.limits.submission_bytes
    flags = _flags(export)
    tolerance = problem.output.tolerance
    assert flags[:4] == ["rtol", repr(tolerance.rtol), "atol", repr(tolerance.atol)]
    assert flags[4:6] == ["shape", ",".join(str(n) for n in problem.output.shape)]
    assert (out / "input_validators" / "validate_input.py").read_text() == validator_source(problem)
    assert (out / "attachments" / WRAPPER_FILE).read_text() == wrapper_source(problem)
    lock = (problem.root / "sandbox" / "requirements-cpu.lock").read_text(encoding="utf-8")
    for pin in (out / "requirements.txt").read_text().splitlines()[1:]:
        assert re.search(rf"^{re.escape(pin)}\b", lock, re.MULTILINE), pin
    for case in load_cases(problem.testcases_dir, problem.group_names):
        assert case.input_path is not None
        exported = out / "data" / data_folder(problem, case.group) / case.name
        answer = case.input_path.with_suffix(".ans")
        assert exported.with_suffix(".ans").read_bytes() == answer.read_bytes(), case.id
