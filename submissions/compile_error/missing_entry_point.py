"""Compile error: the file loads but defines no function named frozen_kernel_unchanged."""


def frozen_kernel(seed, x, features, frozen_bias_value):
    return [1.0, 2.0, 3.0]
