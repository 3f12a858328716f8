"""The README's field reference of problem.yaml and testcases/recipe.yaml, made from the code
that reads them: example documents are parsed while `fields.recording()` notes every field
read and what it must be; each field's meaning is below. A field read but not described here,
or described but no longer read, fails the test that compares the README with this.

    PYTHONPATH=tools python -m judgekit.package.field_reference   # prints the block
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from judgekit.package import scaffold_files
from judgekit.package.fields import recording
from judgekit.package.problem import parse_problem
from judgekit.package.recipe import RECIPE_FILE, parse_recipe

BEGIN = "<!-- field-reference:begin (python -m judgekit.package.field_reference; do not edit) -->"
END = "<!-- field-reference:end -->"

PROBLEM_FIELDS = {
    "id": "A stable name of the problem (the export and the web use it).",
    "title": "The title learners see.",
    "version": "Raised when the problem changes so that earlier verdicts no longer compare.",
    "entry_point": "What a submission defines and how the judge calls it.",
    "entry_point.function": "The Python function a submission defines.",
    "entry_point.parameters": "Its parameters, in call order.",
    "entry_point.parameters[].name": "The parameter's name (as in the signature and inputs).",
    "entry_point.parameters[].kind": "`integer`, `real` (scalars), `vector`, `matrix` (one "
    "and two dimensions) or `array` (as many dimensions as `dims` lists).",
    "entry_point.parameters[].sent_as": "`float` for a scalar (a Python float); "
    "`float32_array` or `int32_array` for an array (a JAX array of that dtype).",
    "entry_point.parameters[].min": "The least value of the scalar, or of every element.",
    "entry_point.parameters[].max": "The greatest value of the scalar, or of every element.",
    "entry_point.parameters[].dims": "An array's dimensions, outermost first: each its own "
    "domain of lengths.",
    "entry_point.parameters[].dims[].min": "The least length of this dimension.",
    "entry_point.parameters[].dims[].max": "The greatest length of this dimension.",
    "entry_point.parameters[].min_length": "A vector's least length (instead of `dims`).",
    "entry_point.parameters[].max_length": "A vector's greatest length (instead of `dims`).",
    "output": "What the function returns.",
    "output.shape": "The shape of the returned array, e.g. `[3]`.",
    "output.names": "One name per returned value, row-major (messages and pages use them).",
    "output.tolerance": "How a returned value g is compared with the expected e.",
    "output.tolerance.rtol": "Accepted when abs(g − e) ≤ atol + rtol · abs(e).",
    "output.tolerance.atol": "See rtol.",
    "checker": "The checker file, relative to the package (default `checker/vector_checker.py`).",
    "reference": "The reference solution every answer comes from (default "
    "`reference/<function>.py`).",
    "limits": "The limits of one judged run.",
    "limits.clock": "`cpu`: user CPU time of the submission's container; `wall`: wall-clock time.",
    "limits.time_per_case_s": "Seconds for one case (a first call at a new shape compiles).",
    "limits.startup_s": "Seconds to start Python and JAX and load the submission.",
    "limits.total_time_s": "Seconds for the whole run.",
    "limits.wall_backstop": "With clock `cpu`: the real time a phase may take.",
    "limits.wall_backstop.factor": "factor x the limit + slack_s seconds (at least 1).",
    "limits.wall_backstop.slack_s": "See factor.",
    "limits.memory_mib": "Memory of the submission's container.",
    "limits.output_bytes": "Everything the submission prints, at most.",
    "limits.submission_bytes": "The size of the submission's file, at most.",
    "devices": "The accelerators the judge may run submissions on.",
    "devices[]": "`cpu` or `gpu`.",
    "test_groups": "The test groups, in judging order.",
    "test_groups[].name": "A folder under testcases/ (and the recipe's `groups` key).",
    "test_groups[].visibility": "`public`: shown to learners, the statement's examples; "
    "`hidden`: not.",
}

RECIPE_FIELDS = {
    "shape_budget": "Distinct shapes in the whole set, at most: each costs a JAX compile.",
    "shape_fields": "The parameters whose dimensions make a case's shape: every array "
    "parameter and the integers that set a shape (absent: every array).",
    "shape_fields.vector": "The older form `{vector: X, size: N}`, meaning `[X, N]`.",
    "shape_fields.size": "See shape_fields.vector.",
    "groups": "Hand-picked cases, a list per test group.",
    "groups.GROUP": "The cases of test group GROUP, in order.",
    "groups.GROUP[].name": "The case's name (its file is `NN-name.in`).",
    "groups.GROUP[].input": "One value per parameter; an array written out (a matrix as a "
    "list of rows) or as `{fill: V, length: N}`, `{ramp: [START, STOP], length: N}` "
    "(`shape: [N, M, ...]` instead of `length` for more than one dimension).",
    "fuzz": "The hypothesis-drawn cases.",
    "fuzz.group": "The test group they join.",
    "fuzz.hypothesis_seed": "The seed of the draw (case i depends only on it and i).",
    "fuzz.count": "How many cases.",
    "fuzz.shapes": "How their shapes are drawn, once per recipe.",
    "fuzz.shapes.count": "How many distinct shapes the cases share (case i takes shape i mod "
    "count).",
    "fuzz.shapes.seed": "The seed of the shape draw.",
    "fuzz.shapes.bands": "`[low, high]` bands, ascending, tiling a dimension's domain: one "
    "list for every dimension (each band clipped to the dimension's domain, a band wholly "
    "outside it dropped), or a mapping from each dimension's key (`x` for a vector or a size, "
    "`x.0`, `x.1` for a matrix's axes) to its own list. A band dealt k times takes an edge, "
    "a value of the other parity, its other edge, then any values.",
    "regressions": "Cases filed by `judgekit run --save-failures`.",
    "regressions[].name": "The case's name.",
    "regressions[].input": "Its input, as a hand-picked case's.",
    "regressions[].found_by": "The command that found it.",
}

# Forms the scaffold's example does not use, so that their fields are read too: a vector's
# min_length/max_length, the older shape_fields mapping, a regression.
_OLDER_ENTRY_POINT = """
function: f
parameters:
  - {name: x, kind: vector, sent_as: float32_array, min_length: 1, max_length: 4, min: -1, max: 1}
  - {name: n, kind: integer, sent_as: float, min: 1, max: 4}
"""
_OLDER_RECIPE = """
shape_budget: 4
shape_fields: {vector: x, size: n}
groups: {}
fuzz: {group: secret, hypothesis_seed: 1, count: 2, shapes: {count: 2, seed: 1, bands: [[1, 4]]}}
regressions:
  - {name: found, found_by: judgekit run --fuzz 1, input: {x: [1.0], n: 1}}
"""


def _filled(template: str) -> dict[str, object]:
    for placeholder, value in (("__FUNCTION__", "f"), ("__ID__", "example"), ("__TITLE__", "E")):
        template = template.replace(placeholder, value)
    data = yaml.safe_load(template)
    assert isinstance(data, dict)
    return data


def _normalized(reads: dict[str, str]) -> dict[str, str]:
    def path(read: str) -> str:
        read = re.sub(r"^devices\.device$", "devices[]", read)
        return re.sub(r"^groups\.[^.\[]+", "groups.GROUP", read)

    return {path(read): what for read, what in reads.items()}


def fields_read() -> tuple[dict[str, str], dict[str, str]]:
    """(problem.yaml's, the recipe's) fields as the code reads them: path -> what it must be."""
    problem_data = _filled(scaffold_files.PROBLEM_YAML)
    older_problem = {**problem_data, "entry_point": yaml.safe_load(_OLDER_ENTRY_POINT)}
    with recording() as problem_reads:
        problem = parse_problem(problem_data, Path("."))
        older = parse_problem(older_problem, Path("."))
    with recording() as recipe_reads:
        parse_recipe(_filled(scaffold_files.RECIPE_YAML), RECIPE_FILE, problem.entry_point)
        parse_recipe(yaml.safe_load(_OLDER_RECIPE), RECIPE_FILE, older.entry_point)
    return _normalized(problem_reads), _normalized(recipe_reads)


def undocumented() -> list[str]:
    """Fields read but not described, and fields described but not read."""
    problems = []
    for document, reads, described in zip(
        ("problem.yaml", "recipe.yaml"), fields_read(), (PROBLEM_FIELDS, RECIPE_FIELDS), strict=True
    ):
        problems += [
            f"{document}: {path} is read but not described"
            for path in reads.keys() - described.keys()
        ]
        problems += [
            f"{document}: {path} is described but not read"
            for path in described.keys() - reads.keys()
        ]
    return sorted(problems)


def _table(title: str, reads: dict[str, str], described: dict[str, str]) -> list[str]:
    lines = [f"**{title}**", "", "| field | value | meaning |", "|---|---|---|"]
    for path, meaning in described.items():
        lines.append(f"| `{path}` | {reads.get(path, '?')} | {meaning} |")
    return [*lines, ""]


def field_reference() -> str:
    """The README's block: one table per file, every field the code reads."""
    problem_reads, recipe_reads = fields_read()
    return "\n".join(
        [
            BEGIN,
            *_table("problem.yaml", problem_reads, PROBLEM_FIELDS),
            *_table("testcases/recipe.yaml", recipe_reads, RECIPE_FIELDS),
            END,
        ]
    )


if __name__ == "__main__":
    print(field_reference())
