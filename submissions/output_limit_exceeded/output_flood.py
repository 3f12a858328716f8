"""Output limit exceeded: floods stdout; the judge stops reading at the cap and kills it."""

import sys


def frozen_kernel_unchanged(seed, x, features, frozen_bias_value):
    line = "flood " * 1000 + "\n"
    while True:
        sys.stdout.write(line)
