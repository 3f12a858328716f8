"""Run-time error: returns the right numbers, but in a dict, not an array; the learner is told
what was returned and what is expected, not the judge's traceback."""

import jax
import jax.numpy as jnp
from flax import nnx


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    rngs = nnx.Rngs(int(seed))
    kernel = nnx.Param(jax.random.normal(rngs.params(), (len(x), int(features))) / len(x) ** 0.5)
    bias = jnp.full((int(features),), float(frozen_bias_value))
    return {
        "n_param_leaves": 1.0,
        "kernel_norm": float(jnp.linalg.norm(kernel[...])),
        "frozen_bias_norm": float(jnp.linalg.norm(bias)),
    }
