"""Security probe, forging results: prints 'Accepted' lines on stdout and stderr, then reads
the nonce from the job file and writes well-formed result frames with made-up values to every
file descriptor, then exits 0. The judge still checks the numbers: made-up values are wrong."""

import json
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
    print("AC Accepted: all cases accepted")
    print('{"verdict": "AC"}', flush=True)
    job = json.load(open("/judge/job/job.json"))
    frames = "".join(
        job["nonce"] + " " + json.dumps({"event": "result", "case": case["id"], "shape": [3], "values": WRONG}) + "\n"
        for case in job["cases"]
    ) + job["nonce"] + ' {"event": "done"}\n'
    for fd in range(1, 10):
        try:
            os.write(fd, frames.encode())
        except OSError:
            pass
    os._exit(0)
