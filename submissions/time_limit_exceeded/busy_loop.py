"""Time limit exceeded: spins forever; the judge kills the container from outside."""


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    while True:
        pass
