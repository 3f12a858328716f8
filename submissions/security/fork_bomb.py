"""Security probe, fork bomb: forks until the pids limit stops it. Accepted only if it
could start 1000 processes, i.e. if the sandbox had no pids limit."""

import os
import time


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
    started = 0
    for _ in range(1000):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        started += 1
    return _answer(seed, x, features, frozen_bias_value) if started >= 1000 else WRONG
