"""Compile error: a syntax error, found on the host without running anything."""


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value)
    return [1.0, 2.0, 3.0]
