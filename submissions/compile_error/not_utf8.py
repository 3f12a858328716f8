"""Compile error: not UTF-8 (Latin-1 bytes)."""
# café
def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    return [1.0, 2.0, 3.0]
