"""Run-time error: the function takes two parameters, not the four it is called with; the
learner is told so, without the judge's own frames."""


def frozen_kernel_unchanged(seed, x):
    return [1.0, float(len(x)), float(seed)]
