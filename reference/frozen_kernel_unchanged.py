"""Reference solution for frozen_kernel_unchanged.

The kernel is an `nnx.Param`, so `nnx.state(model, nnx.Param)` sees it; the bias is a plain
`jax.Array` attribute, which no Param filter selects: it is not trainable.
"""

import math

import jax
import jax.numpy as jnp
from flax import nnx


class FrozenAttr(nnx.Module):
    def __init__(
        self, in_features: int, out_features: int, frozen_bias_value: float, rngs: nnx.Rngs
    ) -> None:
        scale = 1.0 / math.sqrt(in_features)
        self.kernel = nnx.Param(
            jax.random.normal(rngs.params(), (in_features, out_features)) * scale
        )
        self.frozen_bias = jnp.ones((out_features,)) * float(frozen_bias_value)

    def __call__(self, x: jax.Array) -> jax.Array:
        return x @ self.kernel[...] + self.frozen_bias


def frozen_kernel_unchanged(
    seed: float, x: jax.Array, features: float, frozen_bias_value: float
) -> jax.Array:
    model = FrozenAttr(x.shape[-1], int(features), frozen_bias_value, nnx.Rngs(int(seed)))
    n_param_leaves = len(jax.tree_util.tree_leaves(nnx.state(model, nnx.Param)))
    return jnp.array(
        [
            n_param_leaves,
            jnp.linalg.norm(model.kernel[...]),
            jnp.linalg.norm(model.frozen_bias),
        ],
        dtype=jnp.float32,
    )
