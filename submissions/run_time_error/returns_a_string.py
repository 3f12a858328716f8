"""Run-time error: returns a string, which is not an array of numbers at all."""


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    return "[1.0, 2.1953921, 4.0]"
