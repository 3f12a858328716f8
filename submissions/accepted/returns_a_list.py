"""Accepted: returns a plain Python list of floats instead of an array."""

import math

import jax
import jax.numpy as jnp
from flax import nnx


class FrozenAttr(nnx.Module):
    def __init__(self, in_features, out_features, frozen_bias_value, rngs):
        scale = 1.0 / math.sqrt(in_features)
        self.kernel = nnx.Param(jax.random.normal(rngs.params(), (in_features, out_features)) * scale)
        self.frozen_bias = jnp.full((out_features,), float(frozen_bias_value))


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    model = FrozenAttr(len(x), int(features), frozen_bias_value, nnx.Rngs(int(seed)))
    n = len(jax.tree_util.tree_leaves(nnx.state(model, nnx.Param)))
    return [float(n), float(jnp.linalg.norm(model.kernel[...])), float(jnp.linalg.norm(model.frozen_bias))]
