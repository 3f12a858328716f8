"""Security probe, keeping a slow case alive: while the function sleeps past the per-case
time limit, a thread sends a non-progress message (`ready`) every second on every channel it
can find, hoping each one moves the judge's deadline. Only then does the sleep end in the
right answer, so AC means the time limit can be bypassed."""

import json
import os
import sys
import threading
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


def _send_everywhere(message):
    """A nonce-prefixed frame where the nonce can be read, else a plain pipe message."""
    try:
        nonce = json.load(open(sys.argv[1])).get("nonce", "")
    except (OSError, ValueError, IndexError):
        nonce = ""
    line = (f"{nonce} " if nonce else "") + json.dumps(message) + "\n"
    for fd in range(1, 32):
        try:
            os.write(fd, line.encode())
        except OSError:
            pass


def _keep_alive():
    while True:
        _send_everywhere({"event": "ready", "platform": "cpu"})
        time.sleep(1.0)


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    threading.Thread(target=_keep_alive, daemon=True).start()
    time.sleep(35)
    return _answer(seed, x, features, frozen_bias_value)
