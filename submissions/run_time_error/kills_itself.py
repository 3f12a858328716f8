"""Run-time error: the process sends itself SIGKILL (exit 137, but no memory kill: not MLE)."""

import os
import signal


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    os.kill(os.getpid(), signal.SIGKILL)
