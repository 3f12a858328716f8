"""Wrong answer: forgets the 1/sqrt(in_features) scaling (right only when len(x) == 1)."""

import jax
import jax.numpy as jnp
from flax import nnx


class FrozenAttr(nnx.Module):
    def __init__(self, in_features, out_features, frozen_bias_value, rngs):
        self.kernel = nnx.Param(jax.random.normal(rngs.params(), (in_features, out_features)))
        self.frozen_bias = jnp.ones((out_features,)) * float(frozen_bias_value)


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    model = FrozenAttr(x.shape[-1], int(features), frozen_bias_value, nnx.Rngs(int(seed)))
    n = len(jax.tree_util.tree_leaves(nnx.state(model, nnx.Param)))
    return jnp.array([n, jnp.linalg.norm(model.kernel[...]), jnp.linalg.norm(model.frozen_bias)])
