"""Accepted: also takes an optimizer step to show the bias is frozen; returns the norms
measured before training, as the statement asks."""

import math

import jax
import jax.numpy as jnp
import optax
from flax import nnx


class FrozenAttr(nnx.Module):
    def __init__(self, in_features, out_features, frozen_bias_value, rngs):
        self.kernel = nnx.Param(
            jax.random.normal(rngs.params(), (in_features, out_features)) * (1 / math.sqrt(in_features))
        )
        self.frozen_bias = jnp.ones((out_features,)) * float(frozen_bias_value)

    def __call__(self, x):
        return x @ self.kernel[...] + self.frozen_bias


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    model = FrozenAttr(x.shape[-1], int(features), frozen_bias_value, nnx.Rngs(int(seed)))
    result = jnp.array(
        [
            len(jax.tree_util.tree_leaves(nnx.state(model, nnx.Param))),
            jnp.linalg.norm(model.kernel[...]),
            jnp.linalg.norm(model.frozen_bias),
        ]
    )
    bias_before = model.frozen_bias
    optimizer = nnx.Optimizer(model, optax.sgd(1e-3), wrt=nnx.Param)
    grads = nnx.grad(lambda m: jnp.sum(m(x) ** 2))(model)
    optimizer.update(model, grads)
    assert bool(jnp.all(model.frozen_bias == bias_before))
    return result
