#!/usr/bin/env python3
"""Checks the known accepted submissions on whatever JAX and device a machine has: no Docker,
no network, no sandbox image.

The reference and `submissions/accepted/*.py` (or the `--submission` files) are run over every
committed case (`testcases/sample`, `testcases/secret`), twice each: in this process, and in a
fresh process of their own (this file again, `--fresh-process`). Both call sandbox/runner.py's own
`load_submission`, `build_arguments` and `describe_result`, as the sandbox does, and check each
result with the package's checker at problem.yaml's tolerance, as the judge does. One table:
JAX and Flax versions, platform and device, then per submission and mode the verdict, the cases
passed, the largest deviation relative to the tolerance (|got - expected| / (atol + rtol *
|expected|), over every element of every case: above 1 is outside the tolerance) and the time
per case after the first (the first compiles).

    python tools/device_check.py [--platform cpu|gpu|default|both]
        [--mode in-process|fresh-process|both] [--submission FILE]...
        [--cases sample|secret|all] [--testcases DIR] [--json] [--json-out PATH]

`--platform` sets JAX_PLATFORMS for every run (`gpu` is `cuda`; `default` leaves JAX to choose);
`both` runs the CPU, then the GPU, each in a process of its own, on this one machine, and tells
a difference of the JAX version (this machine's CPU shows it too) from one of the GPU (the CPU
passes, the GPU does not). Every run uses XLA_PYTHON_CLIENT_PREALLOCATE=false, as the GPU
sandbox does.

Exit status: 0 every result within the tolerance; 1 a result beyond it, or a submission that
raised or failed to load; 2 a usage error, or a platform that cannot be used here.

Only Python 3.11+, NumPy, PyYAML, JAX and Flax are needed: of judgekit (put on sys.path from
this checkout's tools/) it imports only the pure modules that read problem.yaml, the test data
and the manifest, load the package's files and name verdicts (standard library and PyYAML).
What it finds, its JSON and its table are `device_check_results.py`, beside this file.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform as python_platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tools"))

from device_check_results import (  # noqa: E402  (beside this file, in tools/)
    CaseOutcome,
    Environment,
    Mode,
    Report,
    SubmissionRun,
    compare,
    comparison_to_json,
    conclusion,
    deviation,
    render,
    render_comparison,
    report_from_json,
    report_to_json,
    run_from_json,
    run_to_json,
)
from judgekit.errors import JudgekitError  # noqa: E402
from judgekit.judge.verdict import Verdict  # noqa: E402
from judgekit.package.checker import Checker, Returned, problem_checker  # noqa: E402
from judgekit.package.files import reference_path, runner_module  # noqa: E402
from judgekit.package.manifest import Manifest  # noqa: E402
from judgekit.package.problem import Problem, load_problem  # noqa: E402
from judgekit.package.testcase import TestCase, load_cases  # noqa: E402

ACCEPTED = Path("submissions") / "accepted"
# A fresh process runs one submission over every case; far above any healthy run.
FRESH_PROCESS_TIMEOUT_S = 300
KEEP_STDERR_CHARS = 2000
# JAX_PLATFORMS for each --platform; None leaves JAX to choose.
JAX_PLATFORMS: dict[str, str | None] = {"cpu": "cpu", "gpu": "cuda", "default": None}
# As the GPU sandbox sets it (judgekit/sandbox/container.py): memory on demand.
ALLOCATOR = {"XLA_PYTHON_CLIENT_PREALLOCATE": "false"}
EXIT_OK, EXIT_DIFFERS, EXIT_UNUSABLE = 0, 1, 2
ERROR_PREFIX = "device_check: error: "


class DeviceCheckError(Exception):
    """The check cannot run as asked; the message says what to do instead."""


class PlatformUnusable(DeviceCheckError):
    """One platform of `--platform both` could not run; PARTIAL holds those that did."""

    def __init__(self, message: str, partial: Sequence[Report]) -> None:
        super().__init__(message)
        self.partial = tuple(partial)


# ---------------------------------------------------------------- choosing the device


def select_platform(platform: str) -> None:
    """Set JAX_PLATFORMS (and the GPU sandbox's allocator) before JAX is first imported."""
    if "jax" in sys.modules:
        raise DeviceCheckError("JAX is already imported: run device_check as a script")
    os.environ.update(ALLOCATOR)
    value = JAX_PLATFORMS[platform]
    if value is None:
        os.environ.pop("JAX_PLATFORMS", None)
    else:
        os.environ["JAX_PLATFORMS"] = value


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment(platform: str) -> Environment:
    """The installed versions and the device JAX runs on; refuses a platform JAX cannot use."""
    import jax

    try:
        device = jax.devices()[0]
    except Exception as error:  # JAX raises RuntimeError or AssertionError for a missing GPU
        reason = str(error) or "JAX found no device of that platform"
        raise DeviceCheckError(
            f"JAX cannot use platform {platform!r} here (JAX_PLATFORMS="
            f"{os.environ.get('JAX_PLATFORMS', '(unset)')}): {reason}; "
            "run with --platform cpu, or on a machine with a GPU and a CUDA build of JAX"
        ) from None
    if platform == "gpu" and device.platform != "gpu":
        raise DeviceCheckError(f"asked for the GPU, but JAX runs on {device.platform}")
    return Environment(
        python=python_platform.python_version(),
        jax=jax.__version__,
        jaxlib=_version("jaxlib"),
        flax=_version("flax"),
        numpy=_version("numpy"),
        jax_platforms=os.environ.get("JAX_PLATFORMS", "(unset)"),
        platform=str(device.platform),
        device=f"{device.device_kind} (x{len(jax.devices())})",
    )


# ---------------------------------------------------------------- running and checking


@dataclass(frozen=True)
class Package:
    """What every run needs: the problem, the selected cases, the runner and the checker."""

    problem: Problem
    cases: tuple[TestCase, ...]
    runner: ModuleType
    checker: Checker

    def run(self, submission: Path, device: str) -> SubmissionRun:
        """SUBMISSION over every case in this process, as sandbox/runner.py runs it."""
        function = self.problem.entry_point.function
        parameters = self.problem.entry_point.runner_parameters()
        shape = self.problem.output.shape
        began = time.perf_counter()
        outcomes: list[CaseOutcome] = []
        # What the learner prints is no part of the table (the sandbox keeps it apart too).
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                entry = self.runner.load_submission(submission, function)
            except (Exception, SystemExit) as error:
                load_error = f"{type(error).__name__}: {error}"
                return SubmissionRun(
                    _name(submission), Mode.IN_PROCESS, device, (), 0.0, load_error
                )
            for case in self.cases:
                case_began = time.perf_counter()
                try:
                    arguments = self.runner.build_arguments(parameters, case.input)
                    result = self.runner.describe_result(entry(*arguments), shape)
                except (Exception, SystemExit) as error:
                    seconds = time.perf_counter() - case_began
                    message = f"{type(error).__name__}: {error}"
                    outcomes.append(CaseOutcome(case.id, Verdict.RTE, None, seconds, message))
                    continue
                outcomes.append(self._check(case, result, time.perf_counter() - case_began))
        wall = time.perf_counter() - began
        return SubmissionRun(_name(submission), Mode.IN_PROCESS, device, tuple(outcomes), wall)

    def _check(self, case: TestCase, result: dict[str, Any], seconds: float) -> CaseOutcome:
        assert case.answer is not None
        # As the judge checks a result frame (judgekit/judge/judging.py).
        returned = Returned(tuple(result["shape"]), tuple(result["values"] or ()))
        verdict = self.checker.check(returned, case.answer)
        fits = returned.shape == self.problem.output.shape
        tolerance = self.problem.output.tolerance
        return CaseOutcome(
            case.id,
            Verdict.AC if verdict.accepted else Verdict.WA,
            deviation(returned.values, case.answer, tolerance) if fits else None,
            seconds,
            verdict.message,
        )


def _name(submission: Path) -> str:
    path = submission.resolve()
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def load_package(testcases: Path | None, groups: str) -> Package:
    problem = load_problem(REPO_ROOT)
    chosen = problem.group_names if groups == "all" else [groups]
    cases = load_cases(testcases or problem.testcases_dir, chosen)
    return Package(problem, tuple(cases), runner_module(problem), problem_checker(problem))


def _fresh_process_command(options: argparse.Namespace, submission: Path, out: Path) -> list[str]:
    command = [sys.executable, str(Path(__file__).resolve()), "--fresh-process", str(out)]
    command += ["--platform", options.platform, "--cases", options.cases]
    if options.testcases is not None:
        command += ["--testcases", str(options.testcases)]
    return [*command, "--submission", str(submission)]


def run_fresh(options: argparse.Namespace, submission: Path, device: str) -> SubmissionRun:
    """SUBMISSION in a fresh process of its own: this file, `--fresh-process`, the same code."""
    with tempfile.TemporaryDirectory(prefix="device-check-") as scratch:
        out = Path(scratch) / "run.json"
        began = time.perf_counter()
        try:
            done = subprocess.run(
                _fresh_process_command(options, submission, out),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=FRESH_PROCESS_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            error = f"the fresh process ran over {FRESH_PROCESS_TIMEOUT_S} s"
            return SubmissionRun(_name(submission), Mode.FRESH_PROCESS, device, (), 0.0, error)
        wall = time.perf_counter() - began
        if done.returncode != 0 or not out.is_file():
            stderr = done.stderr.decode("utf-8", errors="replace")[-KEEP_STDERR_CHARS:].strip()
            error = f"the fresh process exited {done.returncode}: {stderr or 'no stderr'}"
            return SubmissionRun(_name(submission), Mode.FRESH_PROCESS, device, (), wall, error)
        run = run_from_json(json.loads(out.read_text(encoding="utf-8")))
    return replace(run, mode=Mode.FRESH_PROCESS, wall_s=wall)


def _progress(env: Environment, run: SubmissionRun) -> SubmissionRun:
    """One line on stderr per run as it ends: what a run cut short by a time limit still shows."""
    print(
        f"device_check: {env.platform} {run.mode.value} {run.submission}: {run.verdict.value} "
        f"{run.passed}/{len(run.cases)} in {run.wall_s:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    return run


def default_submissions(problem: Problem) -> list[Path]:
    return [reference_path(problem), *sorted((REPO_ROOT / ACCEPTED).glob("*.py"))]


def check_platform(options: argparse.Namespace) -> Report:
    """Every submission in every mode asked for, on this process's platform."""
    select_platform(options.platform)
    env = environment(options.platform)
    package = load_package(options.testcases, options.cases)
    submissions = options.submission or default_submissions(package.problem)
    device = f"{env.platform}: {env.device}"
    runs: list[SubmissionRun] = []
    for submission in submissions:
        if options.mode in ("in-process", "both"):
            runs.append(_progress(env, package.run(submission, device)))
        if options.mode in ("fresh-process", "both"):
            runs.append(_progress(env, run_fresh(options, submission, device)))
    tolerance = package.problem.output.tolerance
    return Report(
        env,
        _answer_versions(options.testcases or package.problem.testcases_dir),
        tolerance.rtol,
        tolerance.atol,
        len(package.cases),
        tuple(runs),
    )


def _answer_versions(testcases: Path) -> dict[str, str]:
    try:
        return dict(Manifest.read(testcases).versions)
    except JudgekitError:
        return {}


# ---------------------------------------------------------------- CPU against GPU


def check_both(options: argparse.Namespace) -> tuple[Report, Report]:
    """The CPU run, then the GPU run, each in a process of its own (JAX picks its platform
    once per process); raises DeviceCheckError naming the platform that could not run."""
    reports: list[Report] = []
    for platform in ("cpu", "gpu"):
        with tempfile.TemporaryDirectory(prefix="device-check-") as scratch:
            out = Path(scratch) / "report.json"
            command = [sys.executable, str(Path(__file__).resolve()), "--platform", platform]
            command += ["--mode", options.mode, "--cases", options.cases, "--json-out", str(out)]
            if options.testcases is not None:
                command += ["--testcases", str(options.testcases)]
            for submission in options.submission or []:
                command += ["--submission", str(submission)]
            # Its progress and errors go straight to our stderr; its table is not wanted.
            done = subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
            if done.returncode == EXIT_UNUSABLE or not out.is_file():
                raise PlatformUnusable(
                    f"the {platform} run failed (exit {done.returncode}): see its error above",
                    reports,
                )
            reports.append(report_from_json(json.loads(out.read_text(encoding="utf-8"))))
    return reports[0], reports[1]


# ---------------------------------------------------------------- command line


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="device_check.py",
        description="Run the reference and the accepted submissions on this machine's JAX and "
        "device over every committed case; exit 1 when a result is beyond the tolerance.",
    )
    parser.add_argument(
        "--platform",
        choices=("cpu", "gpu", "default", "both"),
        default="default",
        help="JAX_PLATFORMS for the runs (gpu: cuda; default: JAX chooses); "
        "both: the CPU, then the GPU, compared",
    )
    parser.add_argument("--mode", choices=("in-process", "fresh-process", "both"), default="both")
    parser.add_argument(
        "--submission",
        type=Path,
        action="append",
        help="a file to run instead of the reference and submissions/accepted (repeatable)",
    )
    parser.add_argument("--cases", choices=("sample", "secret", "all"), default="all")
    parser.add_argument(
        "--testcases", type=Path, help="another test data folder (default: testcases/)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object, no table")
    parser.add_argument("--json-out", type=Path, help="also write the JSON object to this file")
    parser.add_argument("--fresh-process", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    for path in [*(options.submission or []), *([options.testcases] if options.testcases else [])]:
        if not path.exists():
            parser.error(f"{path}: no such file or folder")
    if options.fresh_process is not None and len(options.submission or []) != 1:
        parser.error("--fresh-process runs exactly one --submission")
    return options


def _emit(options: argparse.Namespace, data: dict[str, Any], table: str) -> None:
    text = json.dumps(data, indent=2, allow_nan=False)
    if options.json_out is not None:
        options.json_out.write_text(text + "\n", encoding="utf-8")
    print(text if options.json else table)


def main(argv: Sequence[str]) -> int:
    options = parse_arguments(argv)
    try:
        if options.fresh_process is not None:
            select_platform(options.platform)
            env = environment(options.platform)
            package = load_package(options.testcases, options.cases)
            run = package.run(options.submission[0], f"{env.platform}: {env.device}")
            options.fresh_process.write_text(json.dumps(run_to_json(run)), encoding="utf-8")
            return EXIT_OK
        if options.platform == "both":
            cpu, gpu = check_both(options)
            differences = compare(cpu, gpu)
            summary = conclusion(cpu, gpu, differences)
            data = {
                "platforms": {"cpu": report_to_json(cpu), "gpu": report_to_json(gpu)},
                "comparison": comparison_to_json(differences),
                "conclusion": summary,
            }
            table = "\n\n".join([render(cpu), render(gpu), render_comparison(differences, summary)])
            _emit(options, data, table)
            return EXIT_OK if cpu.all_accepted and gpu.all_accepted else EXIT_DIFFERS
        report = check_platform(options)
    except PlatformUnusable as error:
        for partial in error.partial:  # what did run is still worth reading
            _emit(options, report_to_json(partial), render(partial))
        print(f"{ERROR_PREFIX}{error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except (DeviceCheckError, JudgekitError) as error:
        print(f"{ERROR_PREFIX}{error}", file=sys.stderr)
        return EXIT_UNUSABLE
    _emit(options, report_to_json(report), render(report))
    return EXIT_OK if report.all_accepted else EXIT_DIFFERS


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
