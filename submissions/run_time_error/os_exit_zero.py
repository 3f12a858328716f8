"""Run-time error: os._exit(0) ends the process with status 0 before any result: an exit
code of 0 without every result is still a run-time error."""

import os


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    os._exit(0)
