"""Benchmark: what a test set costs to judge in a fresh process, and why shapes are bounded.

Runs the reference over the committed test set in this process and prints, from one run:
  - the time of each shape's first call (compilation) and of later calls at a known shape,
  - their ratio, and the whole set's time against what it would cost if every case had a
    new shape.
Usage: .venv/bin/python tools/benchmarks/judging_cost.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from judgekit.package.problem import load_problem
from judgekit.package.recipe import load_recipe
from judgekit.package.reference import ReferenceRunner
from judgekit.package.testcase import load_cases


def main() -> None:
    problem = load_problem(Path(__file__).resolve().parents[2])
    recipe = load_recipe(problem.root)
    cases = load_cases(problem.testcases_dir, problem.group_names)
    reference = ReferenceRunner(problem)
    first: list[float] = []
    repeat: list[float] = []
    seen: set[tuple[int, int]] = set()
    start = time.perf_counter()
    for case in cases:
        shape = recipe.shape_of(case.input)
        began = time.perf_counter()
        reference.answer(case.input)
        elapsed = time.perf_counter() - began
        (repeat if shape in seen else first).append(elapsed)
        seen.add(shape)
    total = time.perf_counter() - start
    first_ms, repeat_ms = statistics.median(first) * 1e3, statistics.median(repeat) * 1e3
    print(f"cases: {len(cases)}, distinct shapes: {len(seen)}")
    print(f"median first call at a new shape: {first_ms:.1f} ms")
    print(f"median call at a compiled shape:  {repeat_ms:.2f} ms")
    print(f"ratio new-shape / compiled-shape: {first_ms / repeat_ms:.0f}x")
    all_new = len(cases) * first_ms / 1e3
    print(
        f"whole set: {total:.2f} s; if every case had a new shape: ~{all_new:.1f} s "
        f"({all_new / total:.1f}x)"
    )


if __name__ == "__main__":
    main()
