"""Security probe, crashing the judge with numbers: sends results whose values no float can
hold (10**400, a 5,000-digit integer), a shape with no values, 6,000 nested lists and a case id
that str.isdigit() accepts but int() does not, on every channel it can find, then returns the
right answer. Any of them reaching an unguarded parser crashes the judge (a traceback or a
JE); each must end the run as the learner's protocol violation (RTE)."""

import json
import os
import sys


def _answer(seed, x, features, frozen_bias_value):
    import math

    import jax
    import jax.numpy as jnp
    from flax import nnx

    n = x.shape[-1]
    kernel = jax.random.normal(nnx.Rngs(int(seed)).params(), (n, int(features))) / math.sqrt(n)
    bias_norm = abs(float(frozen_bias_value)) * math.sqrt(features)
    return jnp.array([1.0, jnp.linalg.norm(kernel), bias_norm])


def _send_everywhere(text):
    try:
        nonce = json.load(open(sys.argv[1])).get("nonce", "")
    except (OSError, ValueError, IndexError):
        nonce = ""
    line = (f"{nonce} " if nonce else "") + text + "\n"
    for fd in range(1, 32):
        try:
            os.write(fd, line.encode())
        except OSError:
            pass


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    _send_everywhere('{"event": "result", "case": "0", "shape": [3], "values": [1, 2, %s]}'
                     % ("9" * 401))
    _send_everywhere('{"event": "result", "case": "0", "shape": [3], "values": [1, 2, %s]}'
                     % ("7" * 5000))
    _send_everywhere('{"event": "result", "case": "0", "shape": [3], "values": null}')
    _send_everywhere('{"event": "result", "case": "\\u00b2", "shape": [3], "values": [1, 2, 3]}')
    _send_everywhere('{"event": "result", "case": "0", "shape": [3], "values": %s}'
                     % ("[" * 6000 + "]" * 6000))
    return _answer(seed, x, features, frozen_bias_value)
