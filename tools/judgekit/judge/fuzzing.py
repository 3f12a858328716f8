"""Fresh fuzz cases for `judgekit run --fuzz N`: hypothesis-drawn inputs, answered by the
reference in a separate container of the same image, shrinking of a failing input, and filing
it as a regression case. `judge_with_fuzz` is the one entry point."""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from judgekit.errors import JudgekitError
from judgekit.judge.judging import OnCase, judge_cases
from judgekit.judge.report import FuzzFailure, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.files import reference_path
from judgekit.package.generation import generate
from judgekit.package.input_domain import validate_input
from judgekit.package.problem import Device, Problem
from judgekit.package.recipe import append_regression, load_recipe
from judgekit.package.strategies import case_strategy, draw_examples
from judgekit.package.testcase import TestCase, input_text, load_cases
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.frames import Result
from judgekit.sandbox.outcome import Job, JobRunner

FUZZ_GROUP = "fuzz"
MAX_SHRINK_ROUNDS = 6


def _reference_answers(
    problem: Problem, inputs: Sequence[Mapping[str, Any]], device: Device, sandbox: JobRunner
) -> list[tuple[float, ...]]:
    """Answers from the reference, run in its own (trusted) container of the judging image."""
    outcome = sandbox.run(
        Job(
            submission=reference_path(problem),
            inputs=[json.loads(input_text(values)) for values in inputs],
            function=problem.entry_point.function,
            parameters=problem.entry_point.runner_parameters(),
            limits=problem.limits,
            device=device,
            image=sandbox.image(device),
            output_shape=problem.output.shape,
        )
    )
    answers: dict[int, tuple[float, ...]] = {}
    for timed in outcome.frames:
        frame = timed.frame
        if isinstance(frame, Result) and frame.values is not None:
            answers[frame.case] = frame.values
    if len(answers) != len(inputs):
        raise JudgekitError(
            f"the reference answered {len(answers)} of {len(inputs)} fuzz inputs "
            f"({outcome.judge_error or outcome.killed_for or outcome.stderr[-300:]})"
        )
    return [answers[i] for i in range(len(inputs))]


def fuzz_inputs(problem: Problem, count: int, seed: int) -> list[dict[str, Any]]:
    recipe = load_recipe(problem.root)
    strategy = case_strategy(problem.entry_point, recipe.fuzz.shapes, recipe.dimensions)
    return draw_examples(strategy, seed, count)


def as_cases(
    problem: Problem,
    inputs: Sequence[Mapping[str, Any]],
    device: Device,
    sandbox: JobRunner,
    prefix: str = "",
) -> list[TestCase]:
    answers = _reference_answers(problem, inputs, device, sandbox)
    return [
        TestCase(FUZZ_GROUP, f"{prefix}{index + 1:03d}", dict(values), answer)
        for index, (values, answer) in enumerate(zip(inputs, answers, strict=True))
    ]


def fuzz_cases(
    problem: Problem, count: int, seed: int | None, *, device: Device, sandbox: JobRunner
) -> tuple[list[TestCase], int]:
    """COUNT fresh cases and the seed that reproduces them (fresh when SEED is None)."""
    if count < 0:
        raise JudgekitError("--fuzz needs a non-negative count")
    seed = secrets.randbits(31) if seed is None else seed
    return as_cases(problem, fuzz_inputs(problem, count, seed), device, sandbox), seed


def _shortened(value: list[Any], axis: int, length: int) -> list[Any]:
    """VALUE (nested lists) cut to LENGTH along AXIS."""
    if axis == 0:
        return value[:length]
    return [_shortened(row, axis - 1, length) for row in value]


def _each(value: Any, change: Callable[[Any], Any]) -> Any:
    return [_each(item, change) for item in value] if isinstance(value, list) else change(value)


def _one_like(integral: bool) -> Callable[[Any], Any]:
    one = 1 if integral else 1.0
    return lambda _value: one


def simpler_inputs(problem: Problem, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Candidates one step simpler than VALUES, simplest first, each inside the domain."""
    recipe = load_recipe(problem.root)
    shape = dict(zip(recipe.dimensions, recipe.shape_of(values), strict=True))
    candidates: list[dict[str, Any]] = []

    def add(**changes: Any) -> None:
        candidate = {**values, **changes}
        if (
            candidate != dict(values)
            and candidate not in candidates
            and not validate_input(problem.entry_point, candidate)
        ):
            candidates.append(candidate)

    arrays = [p for p in problem.entry_point.parameters if p.is_array]
    for parameter in arrays:
        value = values[parameter.name]
        for dimension, length in shape.items():
            if dimension.parameter == parameter.name and dimension.axis is not None:
                for shorter in sorted({1, 2, 3, length // 2}):
                    if 0 < shorter < length:
                        add(**{parameter.name: _shortened(value, dimension.axis, shorter)})
        add(**{parameter.name: _each(value, _one_like(parameter.integral))})
        if not parameter.integral:
            add(**{parameter.name: _each(value, lambda v: float(np.float32(round(v))))})
    for dimension, number in shape.items():
        if dimension.axis is None:
            for smaller in (1, 2, 3, 4, number // 2):
                if 0 < smaller < number:
                    add(**{dimension.parameter: smaller})
    for name in (p.name for p in problem.entry_point.parameters):
        if name not in recipe.shape_fields:
            add(**{name: 0})
            add(**{name: 1})
            add(**{name: round(float(values[name]))} if isinstance(values[name], float) else {})
    return candidates


def shrink_failure(
    problem: Problem,
    submission: Path,
    failing: Mapping[str, Any],
    *,
    device: Device,
    sandbox: JobRunner,
) -> dict[str, Any]:
    """Greedy shrinking: judge a batch of simpler inputs per round, keep the first that still
    fails, stop when none does. Two container runs per round, at most MAX_SHRINK_ROUNDS."""
    current = dict(failing)
    for _round in range(MAX_SHRINK_ROUNDS):
        candidates = simpler_inputs(problem, current)
        if not candidates:
            break
        cases = as_cases(problem, candidates, device, sandbox, prefix="shrink-")
        report = judge_cases(problem, submission, cases, device=device, sandbox=sandbox)
        failed = [c for c in report.cases if c.verdict is not Verdict.AC]
        if not failed:
            break
        current = next(dict(c.input) for c in cases if c.id == failed[0].id)
    return current


@dataclass(frozen=True)
class Fuzzing:
    """What `judgekit run` asked of fuzzing: COUNT fresh cases (none: judge the test groups
    only), from SEED (fresh when None), and whether to file the smallest failure."""

    count: int = 0
    seed: int | None = None
    save_failures: bool = False


def judge_with_fuzz(
    problem: Problem,
    submission: Path,
    fuzzing: Fuzzing,
    *,
    device: Device,
    groups: Sequence[str] | None = None,
    on_case: OnCase | None = None,
    sandbox: JobRunner | None = None,
) -> JudgeReport:
    """Judge SUBMISSION on the test GROUPS plus the fuzz cases; shrink the first failing fuzz
    case to a smallest failing input (the report's `fuzz_failure`), and file it if asked."""
    sandbox = sandbox or Sandbox(problem.root)
    cases = load_cases(problem.testcases_dir, groups or problem.group_names)
    if not fuzzing.count:
        return judge_cases(
            problem, submission, cases, device=device, on_case=on_case, sandbox=sandbox
        )
    fuzzed, seed = fuzz_cases(problem, fuzzing.count, fuzzing.seed, device=device, sandbox=sandbox)
    report = judge_cases(
        problem, submission, [*cases, *fuzzed], device=device, on_case=on_case, sandbox=sandbox
    )
    report = dataclasses.replace(report, fuzz_seed=seed)
    failed = next(
        (c for c in report.cases if c.group == FUZZ_GROUP and c.verdict is not Verdict.AC), None
    )
    if failed is None or report.verdict in (Verdict.CE, Verdict.JE) or failed.input is None:
        return report
    smallest = shrink_failure(problem, submission, failed.input, device=device, sandbox=sandbox)
    saved_as = None
    if fuzzing.save_failures:
        name = f"fuzz-seed-{seed}"
        append_regression(
            problem.root,
            name,
            smallest,
            found_by=f"judgekit run --fuzz {fuzzing.count} --fuzz-seed {seed} on {submission.name}",
        )
        generate(problem, load_recipe(problem.root), problem.testcases_dir)
        saved_as = name
    failure = FuzzFailure(case=failed.id, input=smallest, saved_as=saved_as)
    return dataclasses.replace(report, fuzz_failure=failure)
