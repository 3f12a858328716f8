"""Security probe, choosing its own verdict and platform: answers every case correctly but
also reports, on every channel it can find, a platform of "gpu", a second `ready`, and on the
last case a `load_error`, then a result for a case that does not exist. A judge that believes
any of them reports a verdict or platform the learner chose; this one must end the run as a
protocol violation (RTE), whatever the right answers before it."""

import json
import os
import sys

CALLS = []


def _answer(seed, x, features, frozen_bias_value):
    import math

    import jax
    import jax.numpy as jnp
    from flax import nnx

    n = x.shape[-1]
    kernel = jax.random.normal(nnx.Rngs(int(seed)).params(), (n, int(features))) / math.sqrt(n)
    bias_norm = abs(float(frozen_bias_value)) * math.sqrt(features)
    return jnp.array([1.0, jnp.linalg.norm(kernel), bias_norm])


def _job():
    try:
        return json.load(open(sys.argv[1]))
    except (OSError, ValueError, IndexError):
        return {}


def _send_everywhere(message):
    nonce = _job().get("nonce", "")
    line = (f"{nonce} " if nonce else "") + json.dumps(message) + "\n"
    for fd in range(1, 32):
        try:
            os.write(fd, line.encode())
        except OSError:
            pass


_send_everywhere({"event": "platform", "platform": "gpu"})
_send_everywhere({"event": "ready", "platform": "gpu"})


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    CALLS.append(1)
    if len(CALLS) == len(_job().get("cases", [])):
        _send_everywhere({"event": "load_error", "error": "SyntaxError: chosen", "traceback": ""})
        _send_everywhere({"event": "result", "case": "99999", "shape": [3], "values": [1, 2, 3]})
    return _answer(seed, x, features, frozen_bias_value)
