"""judgekit: the problem package tools and the judge for frozen_kernel_unchanged."""

__version__ = "0.1.0"
