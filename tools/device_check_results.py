"""What tools/device_check.py finds, as types: each case's outcome, each submission's run, the
environment, the report of one platform; the CPU run beside the GPU run of the same machine
(`compare`, `conclusion`: a difference the CPU shows too is the JAX version's, or the host's; one
only the GPU shows is the GPU's); their JSON and their table. Pure: no JAX here, so the rules are
tested without a device.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Tolerance


class Mode(StrEnum):
    IN_PROCESS = "in-process"
    FRESH_PROCESS = "fresh-process"


class Cause(StrEnum):
    """Where a difference between the CPU and the GPU run of one submission comes from."""

    NONE = "none"
    GPU = "the GPU"
    JAX = "JAX version or host (CPU too)"


@dataclass(frozen=True)
class CaseOutcome:
    case: str
    verdict: Verdict
    # Largest |got - expected| / allowed over the elements; None when no values came back.
    deviation: float | None
    seconds: float
    message: str


@dataclass(frozen=True)
class SubmissionRun:
    submission: str
    mode: Mode
    device: str
    cases: tuple[CaseOutcome, ...]
    wall_s: float
    load_error: str = ""

    @property
    def verdict(self) -> Verdict:
        if self.load_error:
            return Verdict.CE
        for verdict in (Verdict.RTE, Verdict.WA):
            if any(case.verdict is verdict for case in self.cases):
                return verdict
        return Verdict.AC

    @property
    def passed(self) -> int:
        return sum(case.verdict is Verdict.AC for case in self.cases)

    @property
    def max_deviation(self) -> float | None:
        deviations = [c.deviation for c in self.cases if c.deviation is not None]
        return max(deviations) if deviations else None

    @property
    def seconds_after_first(self) -> float | None:
        later = [case.seconds for case in self.cases[1:]]
        return sum(later) / len(later) if later else None

    @property
    def failures(self) -> list[CaseOutcome]:
        return [case for case in self.cases if case.verdict is not Verdict.AC]


@dataclass(frozen=True)
class Environment:
    python: str
    jax: str
    jaxlib: str
    flax: str
    numpy: str
    jax_platforms: str
    platform: str
    device: str


@dataclass(frozen=True)
class Report:
    environment: Environment
    answers_made_with: dict[str, str]
    rtol: float
    atol: float
    total_cases: int
    runs: tuple[SubmissionRun, ...]

    @property
    def all_accepted(self) -> bool:
        return all(run.verdict is Verdict.AC for run in self.runs)


@dataclass(frozen=True)
class Difference:
    submission: str
    mode: Mode
    cpu: SubmissionRun
    gpu: SubmissionRun
    cause: Cause
    gpu_only_cases: tuple[str, ...]


def deviation(values: Sequence[float], answer: Sequence[float], tolerance: Tolerance) -> float:
    """The largest |got - expected| / allowed: at most 1 within the tolerance."""
    worst = 0.0
    for got, want in zip(values, answer, strict=True):
        error, allowed = abs(got - want), tolerance.allowed(want)
        if not math.isfinite(got):
            return math.inf
        if error > 0:
            worst = max(worst, error / allowed if allowed > 0 else math.inf)
    return worst


# ---------------------------------------------------------------- CPU against GPU


def compare(cpu: Report, gpu: Report) -> tuple[Difference, ...]:
    """Each submission and mode of the GPU run beside the CPU run of the same machine."""
    on_cpu = {(run.submission, run.mode): run for run in cpu.runs}
    differences: list[Difference] = []
    for gpu_run in gpu.runs:
        cpu_run = on_cpu.get((gpu_run.submission, gpu_run.mode))
        if cpu_run is None:
            continue
        if cpu_run.verdict is not Verdict.AC:
            cause = Cause.JAX
        elif gpu_run.verdict is not Verdict.AC:
            cause = Cause.GPU
        else:
            cause = Cause.NONE
        cpu_failed = {case.case for case in cpu_run.failures}
        gpu_only = tuple(c.case for c in gpu_run.failures if c.case not in cpu_failed)
        differences.append(
            Difference(gpu_run.submission, gpu_run.mode, cpu_run, gpu_run, cause, gpu_only)
        )
    return tuple(differences)


def conclusion(cpu: Report, gpu: Report, differences: Sequence[Difference]) -> str:
    device = gpu.environment.device
    made_with = cpu.answers_made_with.get("jax", "?")
    versions = f"JAX {cpu.environment.jax} (answers made with {made_with})"
    # A run that fails on the CPU too may still fail other cases on the GPU alone.
    by_gpu = [d for d in differences if d.cause is Cause.GPU or d.gpu_only_cases]
    by_jax = [d for d in differences if d.cause is Cause.JAX]
    lines: list[str] = []
    if by_jax:
        lines.append(
            f"{len(by_jax)} run(s) differ beyond the tolerance on this machine's CPU too: "
            f"{versions} or this host, not the GPU"
        )
    if by_gpu:
        lines.append(
            f"{len(by_gpu)} run(s) differ beyond the tolerance on the GPU ({device}) in cases "
            "the CPU passes: the GPU's numerics; the tolerance in problem.yaml does not hold there"
        )
    if not lines:
        cpu_worst = _largest(cpu.runs)
        gpu_worst = _largest(gpu.runs)
        lines.append(
            f"every result within the tolerance on the CPU and on the GPU ({device}), "
            f"{versions}: largest deviation {_number_text(cpu_worst)} of the tolerance on "
            f"the CPU, {_number_text(gpu_worst)} on the GPU"
        )
    return "; ".join(lines)


def _largest(runs: Sequence[SubmissionRun]) -> float | None:
    deviations = [run.max_deviation for run in runs if run.max_deviation is not None]
    return max(deviations) if deviations else None


# ---------------------------------------------------------------- JSON


def _number(value: float | None) -> float | str | None:
    """Strict JSON, as everywhere in judgekit: a non-finite value as "Infinity" or "NaN"."""
    if value is None or math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _read_number(value: float | str | None) -> float | None:
    return None if value is None else float(value)


def run_to_json(run: SubmissionRun) -> dict[str, Any]:
    return {
        "submission": run.submission,
        "mode": run.mode.value,
        "device": run.device,
        "verdict": run.verdict.value,
        "passed": run.passed,
        "total": len(run.cases),
        "max_deviation": _number(run.max_deviation),
        "seconds_per_case_after_first": run.seconds_after_first,
        "wall_s": run.wall_s,
        "load_error": run.load_error,
        "cases": [
            {
                "case": case.case,
                "verdict": case.verdict.value,
                "deviation": _number(case.deviation),
                "seconds": case.seconds,
                "message": case.message,
            }
            for case in run.cases
        ],
    }


def run_from_json(data: dict[str, Any]) -> SubmissionRun:
    cases = tuple(
        CaseOutcome(
            c["case"],
            Verdict(c["verdict"]),
            _read_number(c["deviation"]),
            c["seconds"],
            c["message"],
        )
        for c in data["cases"]
    )
    mode = Mode(data["mode"])
    return SubmissionRun(
        data["submission"], mode, data["device"], cases, data["wall_s"], data["load_error"]
    )


def report_to_json(report: Report) -> dict[str, Any]:
    return {
        "environment": vars(report.environment),
        "answers_made_with": report.answers_made_with,
        "tolerance": {"rtol": report.rtol, "atol": report.atol},
        "total_cases": report.total_cases,
        "all_accepted": report.all_accepted,
        "runs": [run_to_json(run) for run in report.runs],
    }


def report_from_json(data: dict[str, Any]) -> Report:
    return Report(
        Environment(**data["environment"]),
        data["answers_made_with"],
        data["tolerance"]["rtol"],
        data["tolerance"]["atol"],
        data["total_cases"],
        tuple(run_from_json(run) for run in data["runs"]),
    )


def comparison_to_json(differences: Sequence[Difference]) -> list[dict[str, Any]]:
    return [
        {
            "submission": d.submission,
            "mode": d.mode.value,
            "cpu": d.cpu.verdict.value,
            "gpu": d.gpu.verdict.value,
            "cpu_max_deviation": _number(d.cpu.max_deviation),
            "gpu_max_deviation": _number(d.gpu.max_deviation),
            "cause": d.cause.value,
            "gpu_only_cases": list(d.gpu_only_cases),
        }
        for d in differences
    ]


# ---------------------------------------------------------------- the table


def _number_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _ms_text(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.1f}"


def render(report: Report) -> str:
    env = report.environment
    made = report.answers_made_with
    lines = [
        f"JAX {env.jax} (jaxlib {env.jaxlib}), Flax {env.flax}, NumPy {env.numpy}, "
        f"Python {env.python}; answers made with JAX {made.get('jax', '?')}, "
        f"Flax {made.get('flax', '?')}",
        f"platform {env.platform} (JAX_PLATFORMS={env.jax_platforms}), device {env.device}",
        f"{report.total_cases} cases; tolerance rtol {report.rtol:g}, atol {report.atol:g}; "
        "deviation = max |got - expected| / (atol + rtol * |expected|), over 1 is outside",
        "",
    ]
    header = ("submission", "mode", "verdict", "passed", "max dev", "ms/case after 1st", "wall s")
    rows = [
        (
            run.submission,
            run.mode.value,
            run.verdict.value,
            f"{run.passed}/{report.total_cases}",
            _number_text(run.max_deviation),
            _ms_text(run.seconds_after_first),
            f"{run.wall_s:.1f}",
        )
        for run in report.runs
    ]
    lines += _columns([header, *rows])
    for run in report.runs:
        if run.load_error:
            lines.append(f"{run.submission} ({run.mode.value}): {run.load_error}")
        for case in run.failures:
            lines.append(f"{run.submission} ({run.mode.value}) {case.case}: {case.message}")
        if run.device != f"{env.platform}: {env.device}":
            lines.append(f"{run.submission} ({run.mode.value}) ran on {run.device}")
    return "\n".join(lines)


def render_comparison(differences: Sequence[Difference], summary: str) -> str:
    header = ("submission", "mode", "cpu", "gpu", "cpu max dev", "gpu max dev", "cause")
    rows = [
        (
            d.submission,
            d.mode.value,
            d.cpu.verdict.value,
            d.gpu.verdict.value,
            _number_text(d.cpu.max_deviation),
            _number_text(d.gpu.max_deviation),
            d.cause.value,
        )
        for d in differences
    ]
    lines = ["CPU against GPU, same machine:", *_columns([header, *rows])]
    for d in differences:
        if d.gpu_only_cases:
            lines.append(
                f"{d.submission} ({d.mode.value}) fails on the GPU only: "
                + ", ".join(d.gpu_only_cases)
            )
    return "\n".join([*lines, f"conclusion: {summary}"])


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
