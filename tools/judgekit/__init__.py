"""judgekit: the problem package tools and the judge; problem.yaml says which problem."""

__version__ = "0.1.0"
