"""Security probe, exhausting the judge's memory and the host's disk: writes 1,500 lines of
64 KB to every file descriptor it can (the result channel or pipe, stdout, stderr), as fast
as it can, then returns the right answer. A judge that keeps what it reads, or an engine that
logs it, grows by gigabytes; this must end as OLE or a protocol violation (RTE) with the
judge's memory bounded."""

import os


def _answer(seed, x, features, frozen_bias_value):
    import math

    import jax
    import jax.numpy as jnp
    from flax import nnx

    n = x.shape[-1]
    kernel = jax.random.normal(nnx.Rngs(int(seed)).params(), (n, int(features))) / math.sqrt(n)
    bias_norm = abs(float(frozen_bias_value)) * math.sqrt(features)
    return jnp.array([1.0, jnp.linalg.norm(kernel), bias_norm])


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    line = b'{"event": "result", "case": "0", "shape": [3], "values": [' + b"1," * 32000 + b"1]}\n"
    for _ in range(1500):
        for fd in range(1, 16):
            try:
                os.write(fd, line)
            except OSError:
                pass
    return _answer(seed, x, features, frozen_bias_value)
