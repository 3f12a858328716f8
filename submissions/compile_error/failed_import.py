"""Compile error: imports a module that is not installed in the sandbox."""

import torch  # noqa: F401


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    return [1.0, 2.0, 3.0]
