"""Accepted: builds the module correctly, then takes the norms in float64 with NumPy."""

import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx


class FrozenAttr(nnx.Module):
    def __init__(self, in_features, out_features, frozen_bias_value, rngs):
        self.kernel = nnx.Param(
            jax.random.normal(rngs.params(), (in_features, out_features)) / math.sqrt(in_features)
        )
        self.frozen_bias = jnp.ones((out_features,)) * float(frozen_bias_value)

    def __call__(self, x):
        return x @ self.kernel[...] + self.frozen_bias


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    model = FrozenAttr(x.shape[-1], int(features), frozen_bias_value, nnx.Rngs(int(seed)))
    trainable = jax.tree_util.tree_leaves(nnx.state(model, nnx.Param))
    kernel = np.asarray(model.kernel[...], dtype=np.float64)
    bias = np.asarray(model.frozen_bias, dtype=np.float64)
    return np.array([len(trainable), np.linalg.norm(kernel), np.linalg.norm(bias)])
