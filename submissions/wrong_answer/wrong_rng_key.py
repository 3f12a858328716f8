"""Wrong answer: uses jax.random.key(seed) directly instead of the key nnx.Rngs(seed).params()
derives, so the kernel (and its norm) differs."""

import math

import jax
import jax.numpy as jnp
from flax import nnx


class FrozenAttr(nnx.Module):
    def __init__(self, in_features, out_features, frozen_bias_value, key):
        scale = 1.0 / math.sqrt(in_features)
        self.kernel = nnx.Param(jax.random.normal(key, (in_features, out_features)) * scale)
        self.frozen_bias = jnp.ones((out_features,)) * float(frozen_bias_value)


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    model = FrozenAttr(x.shape[-1], int(features), frozen_bias_value, jax.random.key(int(seed)))
    n = len(jax.tree_util.tree_leaves(nnx.state(model, nnx.Param)))
    return jnp.array([n, jnp.linalg.norm(model.kernel[...]), jnp.linalg.norm(model.frozen_bias)])
