"""Run-time error: sys.exit(0) inside the function is an exception like any other."""

import sys


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    sys.exit(0)
