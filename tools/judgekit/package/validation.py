"""`judgekit validate`: every check on the problem package, as a list of findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from judgekit.errors import JudgekitError, ProblemFormatError
from judgekit.package.checker import Returned, problem_checker
from judgekit.package.generation import plan_cases, sha256_file
from judgekit.package.input_domain import validate_input
from judgekit.package.manifest import Manifest, version_drift
from judgekit.package.numerics import host_numerics
from judgekit.package.problem import Problem, load_problem
from judgekit.package.recipe import Recipe, load_recipe
from judgekit.package.reference import ReferenceRunner
from judgekit.package.shape_draw import STRATIFICATION, stratification_problems
from judgekit.package.statement import STATEMENT_FILE, current_statement
from judgekit.package.testcase import ANSWER_SUFFIX, INPUT_SUFFIX, TestCase, load_cases


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    where: str
    message: str


@dataclass(frozen=True)
class ValidationReport:
    findings: tuple[Finding, ...]
    cases_checked: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


def validate_package(
    root: Path, *, on_case: Callable[[int, int], None] | None = None
) -> ValidationReport:
    findings: list[Finding] = []

    def error(where: str, message: str) -> None:
        findings.append(Finding(Severity.ERROR, where, message))

    def warning(where: str, message: str) -> None:
        findings.append(Finding(Severity.WARNING, where, message))

    try:
        problem = load_problem(root)
    except ProblemFormatError as failure:
        return ValidationReport((Finding(Severity.ERROR, "problem.yaml", str(failure)),), 0)

    recipe: Recipe | None = None
    try:
        recipe = load_recipe(problem.root)
        planned = plan_cases(problem, recipe)
    except JudgekitError as failure:
        error("testcases/recipe.yaml", str(failure))
        planned = []

    try:
        manifest = Manifest.read(problem.testcases_dir)
        cases = load_cases(problem.testcases_dir, problem.group_names)
    except JudgekitError as failure:
        error("testcases", str(failure))
        return ValidationReport(tuple(findings), 0)

    for name, (recorded, installed) in version_drift(manifest.versions).items():
        findings.append(
            Finding(
                Severity.WARNING,
                "testcases/manifest.json",
                f"{name} {installed} is installed but the answers were made with {recorded}: "
                "expected answers may differ; install tools/requirements.lock or regenerate",
            )
        )
    here = host_numerics()
    if manifest.numerics != here:
        made_on = manifest.numerics.to_json() if manifest.numerics is not None else None
        findings.append(
            Finding(
                Severity.WARNING,
                "testcases/manifest.json",
                f"the answers were made on numerics {made_on}, this host computes with "
                f"{here.to_json()}: regenerated answers may differ in the last float32 bits "
                "(answers are still checked against the reference within the tolerance)",
            )
        )

    _check_manifest(problem, manifest, {p.group + "/" + p.name for p in planned}, error)
    if recipe is not None:
        _check_shape_draw(problem, recipe, manifest, cases, error, warning)
    _check_cases(problem, cases, error, on_case)
    _check_statement(problem, error)
    return ValidationReport(tuple(findings), len(cases))


def _check_manifest(
    problem: Problem, manifest: Manifest, planned_ids: set[str], error: Callable[[str, str], None]
) -> None:
    where = "testcases/manifest.json"
    if manifest.problem != problem.id:
        error(where, f"is for problem {manifest.problem!r}, not {problem.id!r}")
    listed = {case.id for case in manifest.cases}
    if planned_ids and listed != planned_ids:
        missing, extra = sorted(planned_ids - listed), sorted(listed - planned_ids)
        error(
            where,
            f"does not match the recipe (missing {missing[:5]}, extra {extra[:5]}); "
            "run `judgekit generate`",
        )
    on_disk = {
        f"{path.parent.name}/{path.stem}"
        for group in problem.group_names
        for path in (problem.testcases_dir / group).glob("*")
        if path.suffix in (INPUT_SUFFIX, ANSWER_SUFFIX)
    }
    for stray in sorted(on_disk - listed):
        error(f"testcases/{stray}", "is not in the manifest; run `judgekit generate`")
    for case in manifest.cases:
        for suffix, digest in (
            (INPUT_SUFFIX, case.input_sha256),
            (ANSWER_SUFFIX, case.answer_sha256),
        ):
            path = problem.testcases_dir / f"{case.id}{suffix}"
            if not path.is_file():
                error(f"testcases/{case.id}{suffix}", "is listed in the manifest but missing")
            elif sha256_file(path) != digest:
                error(
                    f"testcases/{case.id}{suffix}",
                    "sha256 differs from the manifest: edited by hand? run `judgekit generate`",
                )


def _check_shape_draw(
    problem: Problem,
    recipe: Recipe,
    manifest: Manifest,
    cases: list[TestCase],
    error: Callable[[str, str], None],
    warning: Callable[[str, str], None],
) -> None:
    """The fuzz cases on disk keep the stratified draw's rule in every band of every dimension."""
    where = f"testcases/{recipe.fuzz.group}"
    if manifest.shape_draw not in (None, STRATIFICATION):
        warning(
            "testcases/manifest.json",
            f"the fuzz shapes were drawn by another rule "
            f"({manifest.shape_draw!r}); run `judgekit generate`",
        )
    if recipe.fuzz.count < recipe.fuzz.shape_draw.count:
        warning(
            where,
            f"fuzz.count ({recipe.fuzz.count}) is below fuzz.shapes.count "
            f"({recipe.fuzz.shape_draw.count}): some drawn shapes are never judged, so the "
            "draw's edges and parities are not all tested; raise fuzz.count",
        )
        return
    drawn = {case.id for case in manifest.cases if case.made_by.get("source") == "hypothesis"}
    shapes = [
        recipe.shape_of(case.input)
        for case in cases
        if case.id in drawn and not validate_input(problem.entry_point, case.input)
    ]
    for finding in stratification_problems(recipe.fuzz.shape_draw, recipe.dimensions, shapes):
        error(
            where,
            f"fuzz shapes {finding}; run `judgekit generate` (or raise fuzz.count so that "
            "every drawn shape is used)",
        )


def _check_cases(
    problem: Problem,
    cases: list,  # type: ignore[type-arg]
    error: Callable[[str, str], None],
    on_case: Callable[[int, int], None] | None,
) -> None:
    checker = problem_checker(problem)
    reference = ReferenceRunner(problem)
    for index, case in enumerate(cases):
        where = f"testcases/{case.id}"
        problems = validate_input(problem.entry_point, case.input)
        if problems:
            error(where + INPUT_SUFFIX, "; ".join(problems))
        else:
            answer = reference.answer(case.input)
            result = checker.check(Returned(problem.output.shape, answer), case.answer)
            if not result.accepted:
                error(where + ANSWER_SUFFIX, f"the reference disagrees: {result.message}")
        if on_case is not None:
            on_case(index + 1, len(cases))


def _check_statement(problem: Problem, error: Callable[[str, str], None]) -> None:
    try:
        samples = load_cases(problem.testcases_dir, problem.public_groups)
        text, current = current_statement(problem, samples)
    except (OSError, ValueError, JudgekitError) as failure:
        error(STATEMENT_FILE, str(failure))
        return
    if current != text:
        error(
            STATEMENT_FILE,
            "generated blocks differ from problem.yaml or the sample cases; "
            "run `judgekit generate`",
        )
