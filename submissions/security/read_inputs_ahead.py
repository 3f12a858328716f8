"""Security probe, reading test inputs ahead of their turn: at import, before any case's clock
starts, it looks for every case's input (the job file, any *.in file it can find) and works
out all the answers, so each call returns at once however slow the real work is. Without the
inputs it can only return wrong values: AC means inputs were readable ahead of time (which
also lets a submission quote hidden inputs in a public case's message)."""

import json
import os

WRONG = [0.0, 0.0, 0.0]
ANSWERS = {}


def _answer(seed, x, features, frozen_bias_value):
    import math

    import jax
    import jax.numpy as jnp
    from flax import nnx

    n = x.shape[-1]
    kernel = jax.random.normal(nnx.Rngs(int(seed)).params(), (n, int(features))) / math.sqrt(n)
    bias_norm = abs(float(frozen_bias_value)) * math.sqrt(features)
    return jnp.array([1.0, jnp.linalg.norm(kernel), bias_norm])


def _inputs():
    for top in ("/judge", "/tmp", "/proc/1/root/judge"):
        for folder, _, names in os.walk(top):
            for name in names:
                if name.endswith((".in", ".json")):
                    try:
                        data = json.load(open(os.path.join(folder, name)))
                    except (OSError, ValueError):
                        continue
                    cases = data.get("cases", [data]) if isinstance(data, dict) else []
                    for case in cases:
                        values = case.get("values", case) if isinstance(case, dict) else {}
                        if isinstance(values, dict) and "seed" in values:
                            yield values


def _key(seed, x, features, frozen_bias_value):
    return (float(seed), tuple(float(v) for v in x), float(features), float(frozen_bias_value))


for found in _inputs():
    import numpy as np

    x = np.asarray(found["x"], np.float32)
    got = _answer(found["seed"], x, found["features"], found["frozen_bias_value"])
    ANSWERS[_key(found["seed"], x, found["features"], found["frozen_bias_value"])] = got


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    return ANSWERS.get(_key(seed, x, features, frozen_bias_value), WRONG)
