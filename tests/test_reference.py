"""Properties of the reference solution, checked independently of the stored answers."""

from __future__ import annotations

import math
from typing import Any

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from judgekit.package.checker import Returned, problem_checker
from judgekit.package.problem import Problem
from judgekit.package.reference import ReferenceRunner

# A few shapes only: each new (len(x), features) pair costs a JAX compile.
SHAPES = [(1, 1), (3, 4), (16, 8), (256, 256)]

cases = st.builds(
    lambda shape, seed, value, fill: {
        "seed": seed,
        "x": [fill] * shape[0],
        "features": shape[1],
        "frozen_bias_value": value,
    },
    st.sampled_from(SHAPES),
    st.integers(0, 2**31 - 1),
    st.floats(-1000, 1000, allow_nan=False),
    st.sampled_from([0.0, 1.0, -1000.0, 1e-3]),
)


def numpy_float64_expected(values: dict[str, Any]) -> list[float]:
    """The same quantities computed in float64 NumPy from the same random draw."""
    in_features, out_features = len(values["x"]), int(values["features"])
    from flax import nnx

    params_key = nnx.Rngs(int(values["seed"])).params()
    sample = np.asarray(jax.random.normal(params_key, (in_features, out_features)), np.float64)
    kernel = sample / math.sqrt(in_features)
    bias = np.ones(out_features) * float(values["frozen_bias_value"])
    return [1.0, float(np.linalg.norm(kernel)), float(np.linalg.norm(bias))]


@settings(max_examples=25, deadline=None)
@given(values=cases)
def test_reference_properties(reference: ReferenceRunner, values: dict[str, Any]) -> None:
    n_params, kernel_norm, bias_norm = reference.answer(values)
    assert n_params == 1.0
    expected_bias = abs(float(values["frozen_bias_value"])) * math.sqrt(int(values["features"]))
    assert math.isclose(bias_norm, expected_bias, rel_tol=1e-5, abs_tol=1e-6)
    assert kernel_norm > 0


@settings(max_examples=15, deadline=None)
@given(values=cases, other_fill=st.sampled_from([5.0, -0.25]), other_bias=st.floats(-5, 5))
def test_kernel_norm_depends_only_on_seed_length_and_features(
    reference: ReferenceRunner, values: dict[str, Any], other_fill: float, other_bias: float
) -> None:
    changed = dict(values, x=[other_fill] * len(values["x"]), frozen_bias_value=other_bias)
    assert reference.answer(values)[1] == reference.answer(changed)[1]


@settings(max_examples=15, deadline=None)
@given(values=cases)
def test_a_float64_numpy_computation_is_accepted_by_the_checker(
    problem: Problem, reference: ReferenceRunner, values: dict[str, Any]
) -> None:
    result = problem_checker(problem).check(
        Returned((3,), tuple(numpy_float64_expected(values))), reference.answer(values)
    )
    assert result.accepted, result.message


def test_the_statement_example(reference: ReferenceRunner) -> None:
    got = reference.answer(
        {"seed": 0, "x": [1.0, 2.0, 3.0], "features": 4, "frozen_bias_value": 2.0}
    )
    assert got[0] == 1.0 and got[2] == 4.0
    assert got[1] == pytest.approx(2.1953921, rel=1e-6)
