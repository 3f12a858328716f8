"""Security probe, killing processes: signals every process it can see, the runner too.
It cannot reach the judge (outside the container), so the run ends without results."""

import os
import signal


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
    for pid in (-1, 1, os.getppid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    raise RuntimeError("still alive after killing everything it could")
