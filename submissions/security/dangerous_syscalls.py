"""Security probe, kernel attack surface: io_uring, keyrings, bpf, perf events, new user
namespaces, ptrace, mount. Accepted only if any of them was allowed."""

import ctypes


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

SYSCALLS = {
    "io_uring_setup": (425, (1, 0)),
    "keyctl": (250, (0, 0, 0, 0, 0)),
    "add_key": (248, (0, 0, 0, 0, 0)),
    "bpf": (321, (0, 0, 0)),
    "perf_event_open": (298, (0, 0, -1, -1, 0)),
    "unshare_newuser": (272, (0x10000000,)),
    "ptrace_attach_1": (101, (16, 1, 0, 0)),
    "mount": (165, (0, 0, 0, 0, 0)),
}


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    libc = ctypes.CDLL(None, use_errno=True)
    allowed = [name for name, (nr, args) in SYSCALLS.items() if libc.syscall(nr, *args) >= 0]
    print("allowed:", allowed)
    return _answer(seed, x, features, frozen_bias_value) if allowed else WRONG
