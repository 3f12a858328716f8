"""tools/device_check.py, run here on the CPU as it runs on a lent GPU machine: the reference
over every committed case, the accepted submissions in this process and in fresh processes,
a wrong submission and a corrupted answer that must make it exit 1 naming the case, a GPU that
is not there, and the rule that tells a difference of the GPU from one of the JAX version."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import flax
import jax
import pytest
from device_check_results import (
    CaseOutcome,
    Cause,
    Environment,
    Mode,
    Report,
    SubmissionRun,
    compare,
    conclusion,
    deviation,
    render_comparison,
)
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Problem
from judgekit.package.testcase import read_answer
from repo_support import REPO_ROOT

SCRIPT = REPO_ROOT / "tools" / "device_check.py"
REFERENCE = "reference/frozen_kernel_unchanged.py"
WRONG = "submissions/wrong_answer/forgot_the_scaling.py"
ACCEPTED = sorted(
    f"submissions/accepted/{p.name}" for p in (REPO_ROOT / "submissions" / "accepted").glob("*.py")
)
TIMEOUT_S = 300


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    """The script as a user runs it, without the answer pinning this test process carries."""
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_PLATFORMS")}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def _runs(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(run["submission"], run["mode"]): run for run in data["runs"]}


def test_the_reference_passes_every_committed_case(problem: Problem) -> None:
    done = _run("--platform", "cpu", "--mode", "in-process", "--submission", REFERENCE, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    cases = sorted(problem.testcases_dir.glob("*/*.in"))
    assert data["total_cases"] == len(cases) == 138
    assert data["tolerance"] == {
        "rtol": problem.output.tolerance.rtol,
        "atol": problem.output.tolerance.atol,
    }
    assert data["environment"]["platform"] == "cpu"
    assert data["environment"]["jax_platforms"] == "cpu"
    assert data["environment"]["jax"] == jax.__version__
    assert data["environment"]["flax"] == flax.__version__
    (run,) = data["runs"]
    assert (run["submission"], run["mode"], run["verdict"]) == (REFERENCE, "in-process", "AC")
    assert run["passed"] == run["total"] == 138
    assert 0 <= run["max_deviation"] <= 1
    assert {case["case"] for case in run["cases"]} == {
        f"{path.parent.name}/{path.stem}" for path in cases
    }
    assert run["seconds_per_case_after_first"] > 0


def test_accepted_submissions_pass_in_process_and_in_fresh_processes(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = _run("--platform", "cpu", "--cases", "sample", "--json-out", str(report))
    assert done.returncode == 0, done.stderr
    table = done.stdout
    assert "JAX " in table and "Flax " in table
    assert "platform cpu (JAX_PLATFORMS=cpu)" in table
    rows = [line.split() for line in table.splitlines()]
    for submission in [REFERENCE, *ACCEPTED]:
        for mode in ("in-process", "fresh-process"):
            assert [submission, mode, "AC", "4/4"] in [row[:4] for row in rows]
    data = json.loads(report.read_text(encoding="utf-8"))
    runs = _runs(data)
    assert set(runs) == {
        (s, m) for s in [REFERENCE, *ACCEPTED] for m in ("in-process", "fresh-process")
    }
    for run in runs.values():
        assert run["device"].startswith("cpu")
        assert run["max_deviation"] <= 1
    # A fresh process computes what this process computes: the same code path.
    for submission in [REFERENCE, *ACCEPTED]:
        ours = runs[(submission, "in-process")]["max_deviation"]
        assert runs[(submission, "fresh-process")]["max_deviation"] == ours


def test_a_wrong_submission_exits_1_and_names_its_cases(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = _run(
        "--platform", "cpu", "--cases", "sample", "--submission", WRONG, "--json-out", str(report)
    )
    assert done.returncode == 1, done.stderr
    wrong_cases = ("sample/01-statement-example", "sample/03-zero-bias", "sample/04-wide-layer")
    for mode in ("in-process", "fresh-process"):
        assert [WRONG, mode, "WA", "1/4"] in [line.split()[:4] for line in done.stdout.splitlines()]
        for case in wrong_cases:
            assert f"{WRONG} ({mode}) {case}: element 1 (kernel_norm): expected" in done.stdout
    for run in json.loads(report.read_text(encoding="utf-8"))["runs"]:
        failed = {c["case"] for c in run["cases"] if c["verdict"] == "WA"}
        assert failed == set(wrong_cases)
        assert run["max_deviation"] > 1


def test_a_corrupted_answer_is_reported_with_its_deviation(
    tmp_path: Path, problem: Problem
) -> None:
    testcases = tmp_path / "testcases"
    shutil.copytree(problem.testcases_dir / "sample", testcases / "sample")
    answer_path = testcases / "sample" / "03-zero-bias.ans"
    answer = list(read_answer(answer_path))
    answer[1] += 10 * problem.output.tolerance.allowed(answer[1])
    answer_path.write_text(json.dumps(answer) + "\n", encoding="utf-8")
    done = _run(
        "--platform",
        "cpu",
        "--mode",
        "in-process",
        "--cases",
        "sample",
        "--testcases",
        str(testcases),
        "--submission",
        REFERENCE,
        "--json",
    )
    assert done.returncode == 1, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    assert run["verdict"] == "WA" and run["passed"] == 3
    by_case = {case["case"]: case for case in run["cases"]}
    corrupted = by_case.pop("sample/03-zero-bias")
    assert corrupted["verdict"] == "WA"
    assert 9 < corrupted["deviation"] < 11  # the reference itself is within one ulp or so
    assert "kernel_norm" in corrupted["message"]
    assert all(case["verdict"] == "AC" for case in by_case.values())


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="this machine has a GPU")
def test_a_missing_gpu_exits_2_after_the_cpu_half_of_both() -> None:
    done = _run(
        "--platform", "both", "--mode", "in-process", "--cases", "sample", "--submission", REFERENCE
    )
    assert done.returncode == 2
    assert "the gpu run failed" in done.stderr
    assert "JAX cannot use platform 'gpu' here (JAX_PLATFORMS=cuda)" in done.stderr
    assert "--platform cpu" in done.stderr
    assert [REFERENCE, "in-process", "AC", "4/4"] in [
        line.split()[:4] for line in done.stdout.splitlines()
    ]


PROBE = """
import importlib.util, json, sys
from importlib import metadata
before = set(sys.modules)
spec = importlib.util.spec_from_file_location("device_check", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules["device_check"] = module
spec.loader.exec_module(module)
loaded = set(sys.modules) - before
ours = {"device_check", "device_check_results"}
top = {name.split(".")[0] for name in loaded} - set(sys.stdlib_module_names) - ours
owners = metadata.packages_distributions()
print(json.dumps({
    "distributions": sorted({d for name in top for d in owners.get(name, [])}),
    # Modules of no distribution are built at run time (Cython's, for PyYAML's C loader).
    "files_of_no_distribution": sorted(
        name for name in top if name not in owners and getattr(sys.modules[name], "__file__", None)
    ),
    "judgekit": sorted(name for name in loaded if name.startswith("judgekit.")),
}))
"""


def test_only_pure_judgekit_modules_are_imported() -> None:
    """A GPU machine has JAX, Flax, NumPy and PyYAML, not judgekit's own dependencies."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    imported = json.loads(done.stdout)
    assert set(imported["distributions"]) <= {"judgekit", "PyYAML"}
    assert imported["files_of_no_distribution"] == []
    assert set(imported["judgekit"]) <= {
        "judgekit.errors",
        "judgekit.exit_codes",
        "judgekit.judge",
        "judgekit.judge.verdict",
        "judgekit.package",
        "judgekit.package.checker",
        "judgekit.package.fields",
        "judgekit.package.files",
        "judgekit.package.manifest",
        "judgekit.package.numerics",
        "judgekit.package.parameters",
        "judgekit.package.problem",
        "judgekit.package.testcase",
    }


def test_deviation_is_the_error_over_the_allowed_error(problem: Problem) -> None:
    tolerance = problem.output.tolerance
    assert deviation([1.0, 2.0], [1.0, 2.0], tolerance) == 0
    at_the_edge = 2.0 + tolerance.allowed(2.0)
    assert deviation([1.0, at_the_edge], [1.0, 2.0], tolerance) == pytest.approx(1.0)
    three_times = 1.0 + 3 * tolerance.allowed(1.0)
    assert deviation([three_times], [1.0], tolerance) == pytest.approx(3.0)
    assert deviation([math.nan], [1.0], tolerance) == math.inf


def _report(platform: str, verdicts: dict[str, Verdict]) -> Report:
    """A report of the reference's in-process run, one case per VERDICTS entry."""
    cases = tuple(
        CaseOutcome(case, verdict, 0.5 if verdict is Verdict.AC else 7.0, 0.01, "")
        for case, verdict in verdicts.items()
    )
    run = SubmissionRun(REFERENCE, Mode.IN_PROCESS, platform, cases, 1.0)
    device = "NVIDIA H200 (x1)" if platform == "gpu" else "cpu (x1)"
    env = Environment("3.12.3", "0.11.0", "0.11.0", "0.12.8", "2.4.6", platform, platform, device)
    return Report(env, {"jax": "0.10.2"}, 1e-5, 1e-6, len(cases), (run,))


GOOD = {"sample/a": Verdict.AC, "sample/b": Verdict.AC}
B_FAILS = {"sample/a": Verdict.AC, "sample/b": Verdict.WA}


def test_a_failure_on_the_gpu_alone_is_the_gpus() -> None:
    cpu, gpu = _report("cpu", GOOD), _report("gpu", B_FAILS)
    (difference,) = compare(cpu, gpu)
    assert difference.cause is Cause.GPU
    assert difference.gpu_only_cases == ("sample/b",)
    summary = conclusion(cpu, gpu, [difference])
    assert "on the GPU (NVIDIA H200 (x1)) in cases the CPU passes: the GPU's numerics" in summary
    assert "the tolerance in problem.yaml does not hold there" in summary
    table = render_comparison([difference], summary).splitlines()
    assert [REFERENCE, "in-process", "AC", "WA", "0.5", "7", "the", "GPU"] in [
        line.split() for line in table
    ]
    assert f"{REFERENCE} (in-process) fails on the GPU only: sample/b" in table
    assert table[-1] == f"conclusion: {summary}"


def test_a_failure_the_cpu_shows_too_is_the_jax_versions() -> None:
    cpu, gpu = _report("cpu", B_FAILS), _report("gpu", B_FAILS)
    (difference,) = compare(cpu, gpu)
    assert difference.cause is Cause.JAX
    assert difference.gpu_only_cases == ()
    summary = conclusion(cpu, gpu, [difference])
    assert "on this machine's CPU too: JAX 0.11.0 (answers made with 0.10.2)" in summary
    assert "the GPU's numerics" not in summary

    both_fail = _report("gpu", {"sample/a": Verdict.WA, "sample/b": Verdict.WA})
    (difference,) = compare(cpu, both_fail)
    assert difference.cause is Cause.JAX
    assert difference.gpu_only_cases == ("sample/a",)
    summary = conclusion(cpu, both_fail, [difference])
    assert "CPU too" in summary and "in cases the CPU passes: the GPU's numerics" in summary


def test_no_failure_says_the_tolerance_holds_with_both_deviations() -> None:
    cpu, gpu = _report("cpu", GOOD), _report("gpu", GOOD)
    (difference,) = compare(cpu, gpu)
    assert difference.cause is Cause.NONE
    summary = conclusion(cpu, gpu, [difference])
    assert summary.startswith("every result within the tolerance on the CPU and on the GPU")
    assert "largest deviation 0.5 of the tolerance on the CPU, 0.5 on the GPU" in summary
