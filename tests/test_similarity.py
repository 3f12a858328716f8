"""Similarity between submissions, as a pure function (no web app): a renamed-variables copy
is found among 20 submissions of different users, two independent correct solutions of
different styles are not, and what the statement gives everyone does not count."""

from __future__ import annotations

import random
from pathlib import Path

from judgekit.web.similarity.measure import (
    THRESHOLD,
    compare_sources,
    given_code,
    marked_segments,
    similar_pairs,
)
from repo_support import REPO_ROOT

FILES = Path(__file__).resolve().parent / "similarity_files"
STATEMENT = REPO_ROOT / "statement.md"
ORIGINAL = (FILES / "original.py.txt").read_text(encoding="utf-8")
RENAMED_COPY = (FILES / "renamed_copy.py.txt").read_text(encoding="utf-8")
INDEPENDENT = (FILES / "independent_functional.py.txt").read_text(encoding="utf-8")
OPERATORS = ("+", "-", "*", "/", "%", "**", "//")


def other_attempt(number: int) -> str:
    """A learner's own attempt, different from every other one: arithmetic of its own."""
    rng = random.Random(number)
    lines = ["import jax.numpy as jnp", "", "", f"def helper_{number}(value):"]
    names = ["value"]
    for step in range(rng.randint(6, 12)):
        name = f"t{step}"
        left = rng.choice(names)
        lines.append(f"    {name} = {left} {rng.choice(OPERATORS)} {rng.randint(2, 99_999)}")
        if rng.random() < 0.3:
            lines.append(f"    if {name} > {rng.randint(1, 999)}:")
            lines.append(f"        {name} = {name} {rng.choice(OPERATORS)} {rng.randint(2, 999)}")
        names.append(name)
    lines.append(f"    return {names[-1]}")
    lines += ["", "", "def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):"]
    lines.append(f"    return jnp.array([helper_{number}(seed), {rng.random():.4f}, 0.0])")
    return "\n".join(lines) + "\n"


def test_a_renamed_variables_copy_is_found_among_twenty_submissions() -> None:
    sources = [(f"learner{n}", other_attempt(n)) for n in range(17)]
    sources.insert(5, ("alice", ORIGINAL))
    sources.insert(12, ("bob", INDEPENDENT))
    sources.append(("mallory", RENAMED_COPY))
    assert len(sources) == 20
    pairs = similar_pairs(sources, given_code(STATEMENT.read_text(encoding="utf-8")))
    found = {(sources[i][0], sources[j][0]) for i, j, _ in pairs}
    assert found == {("alice", "mallory")}
    assert pairs[0][2].score > 0.9


def test_two_independent_correct_solutions_of_different_styles_are_not_flagged() -> None:
    given = given_code(STATEMENT.read_text(encoding="utf-8"))
    assert compare_sources(ORIGINAL, INDEPENDENT, given).score < THRESHOLD / 2


def test_one_users_own_submissions_are_never_paired() -> None:
    assert similar_pairs([("alice", ORIGINAL), ("alice", RENAMED_COPY)]) == []


def test_the_code_the_statement_gives_everyone_does_not_count() -> None:
    given = given_code(STATEMENT.read_text(encoding="utf-8"))
    assert any(
        "def frozen_kernel_unchanged(seed, x, features, frozen_bias_value)" in g for g in given
    )
    line = next(g for g in given if g.startswith("self.kernel = nnx.Param("))
    first = f"class A:\n    def __init__(self, rngs):\n        {line}\n        print('one')\n"
    second = f"def build(self, seed):\n    while seed > 3:\n        seed -= 1\n    {line}\n"
    assert compare_sources(first, second).score > 0  # without the statement: a match
    assert compare_sources(first, second, given).score == 0  # but the statement gives it


def test_matching_regions_are_marked_in_the_original_text() -> None:
    result = compare_sources(ORIGINAL, RENAMED_COPY)
    segments = marked_segments(RENAMED_COPY, result.second)
    assert "".join(text for text, _ in segments) == RENAMED_COPY
    marked = "".join(text for text, matched in segments if matched)
    assert "how_many_params" in marked and "jnp.sqrt(jnp.sum(net.kernel" in marked
