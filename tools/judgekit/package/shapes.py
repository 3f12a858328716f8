"""The shapes a judge compiles for: every shape tuple (`shape_space.py`) a judged run can meet.

JAX compiles each op anew per shape; the sandbox image ships a compilation cache warmed for
these tuples (`sandbox/warmup.py`), so they are part of the image's inputs: a changed test set
or fuzz draw means a new image.
"""

from __future__ import annotations

from judgekit.package.problem import Problem
from judgekit.package.recipe import load_recipe
from judgekit.package.shape_space import Shape
from judgekit.package.testcase import load_cases


def warmup_shapes(problem: Problem) -> tuple[Shape, ...]:
    """The committed cases' shapes and the recipe's fuzz shapes: sorted, each once."""
    recipe = load_recipe(problem.root)
    committed = load_cases(problem.testcases_dir, problem.group_names)
    shapes = {recipe.shape_of(case.input) for case in committed} | set(recipe.fuzz.shapes)
    return tuple(sorted(shapes))
