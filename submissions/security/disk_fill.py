"""Security probe, disk fill: writes until the scratch space is full, and tries every other
place. Accepted only if it wrote over 256 MiB or anywhere outside the scratch tmpfs."""

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


def _try_write(path, chunk, limit):
    written = 0
    try:
        with open(path, "wb") as handle:
            while written < limit:
                handle.write(chunk)
                written += len(chunk)
    except OSError:
        pass
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    return written


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    chunk = b"\0" * (1 << 20)
    scratch = _try_write("/tmp/fill", chunk, 512 << 20)
    outside = [
        _try_write(path, chunk, 1 << 20)
        for path in ("/fill", "/opt/venv/fill", "/judge/submission/fill", "/judge/job/fill")
    ]
    escaped = scratch > (256 << 20) or any(outside)
    return _answer(seed, x, features, frozen_bias_value) if escaped else WRONG
