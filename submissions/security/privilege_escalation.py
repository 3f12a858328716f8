"""Security probe, privileges: tries to become root and looks for any capability.
Accepted only if it ran as root or held a capability."""

import os


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
    try:
        os.setuid(0)
    except OSError:
        pass
    with open("/proc/self/status") as status:
        caps = {line.split(":")[0]: int(line.split()[1], 16) for line in status if line.startswith("Cap")}
    privileged = os.getuid() == 0 or os.geteuid() == 0 or caps.get("CapEff", 0) or caps.get("CapPrm", 0)
    return _answer(seed, x, features, frozen_bias_value) if privileged else WRONG
