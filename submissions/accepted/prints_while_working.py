"""Accepted: prints progress (a little) to stdout and stderr; prints never reach the checker."""

import math
import sys

import jax
import jax.numpy as jnp
from flax import nnx


class FrozenAttr(nnx.Module):
    def __init__(self, in_features, out_features, frozen_bias_value, rngs):
        scale = 1.0 / math.sqrt(in_features)
        self.kernel = nnx.Param(jax.random.normal(rngs.params(), (in_features, out_features)) * scale)
        self.frozen_bias = jnp.ones((out_features,)) * float(frozen_bias_value)


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    print("building the model for seed", seed)
    print("[1.0, 0.0, 0.0]")
    model = FrozenAttr(x.shape[-1], int(features), frozen_bias_value, nnx.Rngs(int(seed)))
    print("state has", len(jax.tree_util.tree_leaves(nnx.state(model))), "leaves", file=sys.stderr)
    n = len(jax.tree_util.tree_leaves(nnx.state(model, nnx.Param)))
    return jnp.stack([jnp.float32(n), jnp.linalg.norm(model.kernel[...]), jnp.linalg.norm(model.frozen_bias)])
