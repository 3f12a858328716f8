"""Security probe, network: tries to resolve and reach hosts. Accepted only if it could."""

import socket


def _answer(seed, x, features, frozen_bias_value):
    """The right result: returned only if the attack worked, so an AC verdict means a hole."""
    import math

    import jax
    import jax.numpy as jnp
    from flax import nnx

    n = x.shape[-1]
    kernel = jax.random.normal(nnx.Rngs(int(seed)).params(), (n, int(features))) / math.sqrt(n)
    bias_norm = abs(float(frozen_bias_value)) * math.sqrt(features)
    return jnp.array([1.0, jnp.linalg.norm(kernel), bias_norm])


WRONG = [0.0, 0.0, 0.0]


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    reached = False
    for host, port in (("1.1.1.1", 53), ("8.8.8.8", 53), ("pypi.org", 443), ("172.17.0.1", 2375)):
        try:
            socket.create_connection((host, port), timeout=1).close()
            reached = True
        except OSError:
            pass
    return _answer(seed, x, features, frozen_bias_value) if reached else WRONG
