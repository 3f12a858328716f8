"""Accepted: right, but burns about 0.4 s of extra CPU in every case (about 55 s over the whole
test set, within the 180 s limit). Kept out of submissions/accepted/, whose files must meet the
bench's 2 s latency target; tests/test_verdicts_under_load.py judges it on a busy host."""

import math
import time

import jax
import jax.numpy as jnp
from flax import nnx

EXTRA_CPU_S = 0.4


class FrozenAttr(nnx.Module):
    def __init__(
        self, in_features: int, out_features: int, frozen_bias_value: float, rngs: nnx.Rngs
    ) -> None:
        scale = 1.0 / math.sqrt(in_features)
        self.kernel = nnx.Param(
            jax.random.normal(rngs.params(), (in_features, out_features)) * scale
        )
        self.frozen_bias = jnp.ones((out_features,)) * float(frozen_bias_value)


def _burn(seconds: float) -> None:
    start = time.process_time()
    while time.process_time() - start < seconds:
        sum(range(100_000))  # user time; the clock read itself is a system call


def frozen_kernel_unchanged(
    seed: float, x: jax.Array, features: float, frozen_bias_value: float
) -> jax.Array:
    _burn(EXTRA_CPU_S)
    model = FrozenAttr(x.shape[-1], int(features), frozen_bias_value, nnx.Rngs(int(seed)))
    n = len(jax.tree_util.tree_leaves(nnx.state(model, nnx.Param)))
    kernel_norm = jnp.linalg.norm(model.kernel[...])
    return jnp.stack([jnp.float32(n), kernel_norm, jnp.linalg.norm(model.frozen_bias)])
