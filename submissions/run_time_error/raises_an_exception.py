"""Run-time error: the function raises; the learner sees their own traceback."""


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    raise ValueError(f"cannot build a layer with {features} features")
