"""Wrong answer: returns NaN for the kernel norm; NaN is never within tolerance."""

import jax.numpy as jnp


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    bias_norm = abs(float(frozen_bias_value)) * jnp.sqrt(features)
    return jnp.array([1.0, jnp.nan, bias_norm])
