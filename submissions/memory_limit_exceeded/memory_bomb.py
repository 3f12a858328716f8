"""Memory limit exceeded: allocates and touches 256 MiB blocks until the engine kills it."""

import numpy as np


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    blocks = []
    while True:
        blocks.append(np.ones(32 * 1024 * 1024, dtype=np.float64))
