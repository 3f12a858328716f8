"""Time limit exceeded: sleeps (wall-clock time counts, not only CPU time)."""

import time


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    time.sleep(3600)
