"""Makes every test case from testcases/recipe.yaml, deterministically, with its manifest."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judgekit.errors import JudgekitError
from judgekit.package.input_domain import validate_input
from judgekit.package.manifest import Manifest, ManifestCase, installed_versions
from judgekit.package.numerics import host_numerics
from judgekit.package.problem import Problem
from judgekit.package.recipe import Recipe
from judgekit.package.reference import ReferenceRunner
from judgekit.package.shape_draw import STRATIFICATION
from judgekit.package.shape_space import shape_labels
from judgekit.package.strategies import case_strategy, draw_examples
from judgekit.package.testcase import ANSWER_SUFFIX, INPUT_SUFFIX, TestCase, write_case


@dataclass(frozen=True)
class PlannedCase:
    """A case's input and how it was made, before its answer is known."""

    group: str
    name: str
    input: Mapping[str, Any]
    made_by: Mapping[str, Any]


def fuzz_inputs(problem: Problem, recipe: Recipe) -> list[dict[str, Any]]:
    """The recipe's hypothesis-drawn inputs: same seed and versions, same inputs. Case i takes
    drawn shape i mod their number, so that every drawn shape is judged once count allows."""
    shapes = recipe.fuzz.shapes
    return [
        draw_examples(
            case_strategy(problem.entry_point, [shapes[index % len(shapes)]], recipe.dimensions),
            recipe.fuzz.hypothesis_seed,
            1,
            start=index,
        )[0]
        for index in range(recipe.fuzz.count)
    ]


def plan_cases(problem: Problem, recipe: Recipe) -> list[PlannedCase]:
    """Every case the recipe describes, named and in judging order."""
    planned: list[PlannedCase] = []
    counters: dict[str, int] = {}
    for case in recipe.hand_picked:
        counters[case.group] = counters.get(case.group, 0) + 1
        planned.append(
            PlannedCase(
                case.group,
                f"{counters[case.group]:02d}-{case.name}",
                case.input,
                {"source": "hand-picked", "recipe_name": case.name},
            )
        )
    for index, values in enumerate(fuzz_inputs(problem, recipe)):
        planned.append(
            PlannedCase(
                recipe.fuzz.group,
                f"fuzz-{index + 1:03d}",
                values,
                {
                    "source": "hypothesis",
                    "hypothesis_seed": recipe.fuzz.hypothesis_seed,
                    "index": index,
                },
            )
        )
    for index, regression in enumerate(recipe.regressions):
        planned.append(
            PlannedCase(
                recipe.fuzz.group,
                f"regression-{index + 1:03d}-{regression.name}",
                regression.input,
                {
                    "source": "regression",
                    "recipe_name": regression.name,
                    "found_by": regression.found_by,
                },
            )
        )
    check_plan(problem, recipe, planned)
    return planned


def check_plan(problem: Problem, recipe: Recipe, planned: Sequence[PlannedCase]) -> None:
    """Names unique, groups known, inputs in the domain, shapes within the budget."""
    known_groups = {group.name for group in problem.test_groups}
    ids = [f"{case.group}/{case.name}" for case in planned]
    duplicates = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    if duplicates:
        raise JudgekitError(f"{recipe.path}: case names repeat: {', '.join(duplicates)}")
    for case in planned:
        if case.group not in known_groups:
            raise JudgekitError(
                f"{recipe.path}: case {case.name} is in group {case.group!r}, "
                f"which problem.yaml does not declare"
            )
        problems = validate_input(problem.entry_point, case.input)
        if problems:
            raise JudgekitError(
                f"{recipe.path}: case {case.group}/{case.name} is outside the input domain: "
                + "; ".join(problems)
            )
    shapes = {recipe.shape_of(case.input) for case in planned}
    if len(shapes) > recipe.shape_budget:
        raise JudgekitError(
            f"{recipe.path}: {len(shapes)} distinct shapes {shape_labels(recipe.dimensions)}, "
            f"more than shape_budget {recipe.shape_budget}: lower fuzz.shapes.count, or give "
            "hand-picked cases shapes that other cases already use"
        )


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def generate(
    problem: Problem,
    recipe: Recipe,
    out_dir: Path,
    *,
    on_planned: Callable[[int], None] | None = None,
    on_answered: Callable[[], None] | None = None,
) -> Manifest:
    """Write every case and the manifest under OUT_DIR; remove stale case files there."""
    planned = plan_cases(problem, recipe)
    if on_planned is not None:
        on_planned(len(planned))
    reference = ReferenceRunner(problem)
    answers = reference.answers([case.input for case in planned], on_each=on_answered)
    written: set[Path] = set()
    manifest_cases: list[ManifestCase] = []
    for case, answer in zip(planned, answers, strict=True):
        test_case = TestCase(case.group, case.name, dict(case.input), answer)
        input_path, answer_path = write_case(out_dir, test_case)
        written.update({input_path, answer_path})
        manifest_cases.append(
            ManifestCase(
                id=test_case.id,
                group=case.group,
                made_by=dict(case.made_by),
                input_sha256=sha256_file(input_path),
                answer_sha256=sha256_file(answer_path),
            )
        )
    for group in {case.group for case in planned}:
        for stale in (out_dir / group).iterdir():
            if stale.suffix in (INPUT_SUFFIX, ANSWER_SUFFIX) and stale not in written:
                stale.unlink()
    manifest = Manifest(
        problem=problem.id,
        recipe_sha256=sha256_file(recipe.path),
        versions=installed_versions(),
        numerics=host_numerics(),
        cases=tuple(manifest_cases),
        shape_draw=STRATIFICATION,
    )
    manifest.write(out_dir)
    return manifest
