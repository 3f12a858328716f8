"""Wrong answer: returns the three numbers as a (1, 3) matrix instead of a (3,) vector."""

import math

import jax
import jax.numpy as jnp
from flax import nnx


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    rngs = nnx.Rngs(int(seed))
    kernel = jax.random.normal(rngs.params(), (x.shape[-1], int(features))) / math.sqrt(x.shape[-1])
    bias = jnp.ones((int(features),)) * float(frozen_bias_value)
    return jnp.array([[1.0, jnp.linalg.norm(kernel), jnp.linalg.norm(bias)]])
