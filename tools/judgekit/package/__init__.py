"""The problem package: its spec (problem.yaml), test data, statement, reference and
the numerics its answers are computed with. Nothing here judges a submission."""
