"""The files `judgekit new` writes: a small example problem that works as it is.

__FUNCTION__, __ID__ and __TITLE__ stand for the entry point, the package id and its title.
The example: `f(x, scale)` returns `[sum(x) * scale, max(x)]` for a float32 vector x.
"""

from __future__ import annotations

PROBLEM_YAML = """\
# The one source of truth for this problem: the judge, the checker, the input validator, the
# test-data generator and the web page read their numbers from here. Edit it, then run
# `judgekit generate` and `judgekit validate` (which names any field it cannot read).
# Every field: README.md, "Writing a new problem".

# A stable name (the export and the web use it), the title learners see, and a version to
# raise when the problem changes so that earlier verdicts no longer compare.
id: __ID__
title: __TITLE__
version: 1

# What a submission defines and how the judge calls it.
entry_point:
  # The function a submission defines; the judge calls it once per test case.
  function: __FUNCTION__
  # Its parameters in call order. `kind` integer or real: sent_as float (a Python float).
  # `kind` vector, matrix or array: sent_as float32_array or int32_array (a JAX array), with
  # `dims`, one {min, max} per dimension (its own domain; a matrix has two), and `min`/`max`
  # bounding every element.
  parameters:
    - name: x
      kind: vector
      sent_as: float32_array
      dims: [{min: 1, max: 32}]
      min: -10.0
      max: 10.0
    - name: scale
      kind: real
      sent_as: float
      min: -10.0
      max: 10.0

# What the function returns, and how it is compared with the expected answer.
output:
  # The shape of what the function returns, and one name per value (row-major order).
  shape: [2]
  names: [scaled_total, largest]
  # A returned value g is accepted when |g - e| <= atol + rtol * |e|, e the expected value.
  tolerance:
    rtol: 1.0e-4
    atol: 1.0e-3

# The checker (relative to this folder), and the reference solution every answer comes from.
checker: checker/vector_checker.py
reference: reference/__FUNCTION__.py

# The limits of one judged run.
limits:
  # The clock of the three time limits: cpu (user CPU time of the submission's container,
  # steady under load) or wall (wall-clock time).
  clock: cpu
  # Seconds for one case (a first call at a new shape compiles), for start-up (Python, JAX,
  # loading the submission) and for the whole run.
  time_per_case_s: 5
  startup_s: 30
  total_time_s: 120
  # With clock cpu, a run that waits instead is stopped after factor x limit + slack_s
  # seconds of real time.
  wall_backstop: {factor: 3, slack_s: 10}
  memory_mib: 1024
  # Everything the submission prints, and the size of its file, in bytes.
  output_bytes: 65536
  submission_bytes: 65536

# The accelerators the judge may run submissions on: cpu, gpu.
devices: [cpu]

# Test groups in judging order: public ones are shown to learners (and are the statement's
# examples), hidden ones are not.
test_groups:
  - name: sample
    visibility: public
  - name: secret
    visibility: hidden
"""

RECIPE_YAML = """\
# How `judgekit generate` makes every test case. Edit this file, then run `judgekit generate`;
# never edit the .in/.ans files by hand (`judgekit validate` checks them against the manifest).
# An array may be written out (a matrix as a list of rows), or given as {fill: V, length: N}
# or {ramp: [START, STOP], length: N} (a matrix: shape: [ROWS, COLUMNS] instead of length).

# Distinct shapes in the whole set, at most: each costs a JAX compile in a fresh process.
shape_budget: 8
# The parameters whose dimensions make a case's shape: every array, and any integer that
# sets a shape (a layer's size).
shape_fields: [x]

# Hand-picked cases per test group (the sample ones are the statement's examples).
groups:
  sample:
    - name: first-example
      input: {x: [1.0, 2.0, 3.0], scale: 2.0}
  secret:
    - name: longest-negative
      input: {x: {fill: -10.0, length: 32}, scale: -10.0}
    - name: one-element
      input: {x: [0.5], scale: 0.0}

fuzz:
  # Hypothesis draws `count` cases into `group` from `hypothesis_seed`, reproducibly.
  group: secret
  hypothesis_seed: 1
  count: 10
  # The fuzz cases share `count` distinct shapes, drawn once from `seed`: every dimension
  # over `bands` ([low, high], ascending, tiling its domain; one list is clipped to each
  # dimension's domain, or give a mapping of one list per dimension). Within a band: an
  # edge, a value of the other parity, the other edge, then any.
  shapes:
    count: 5
    seed: 1
    bands: [[1, 2], [3, 8], [9, 32]]

# Cases filed by `judgekit run --save-failures`: inputs that once exposed a wrong submission.
regressions: []
"""

STATEMENT_MD = """\
# __TITLE__

## Task

Write a function

```python
def __FUNCTION__(x, scale): ...
```

that returns the sum of the elements of `x` times `scale`, and the largest element of `x`.

## Input

The judge calls your function once per test case, with positional arguments in this order:
`x` (a 1-D `float32` JAX array) and `scale` (a Python float).

## Output

Return an array-like of exactly two real numbers, shape `(2,)`: a JAX or NumPy array or a
list. Anything printed goes to a log and is ignored by the checker.

## Constraints

<!-- constraints:begin (written by `judgekit generate` from problem.yaml; do not edit) -->
<!-- constraints:end -->

## Examples

<!-- examples:begin (written by `judgekit generate` from testcases/sample; do not edit) -->
<!-- examples:end -->
"""

REFERENCE = '''\
"""The reference solution: every expected answer comes from it (`judgekit generate`)."""

import jax.numpy as jnp


def __FUNCTION__(x, scale):
    return jnp.array([jnp.sum(x) * scale, jnp.max(x)], dtype=jnp.float32)
'''

# The wheelhouse is a link to the wheels of the package this one was made from.
GITIGNORE = """\
/sandbox/wheelhouse
__pycache__/
"""

SUBMISSIONS = {
    "accepted/numpy_float64.py": '''\
"""Accepted: the same numbers in float64 NumPy, within the tolerance."""

import numpy as np


def __FUNCTION__(x, scale):
    values = np.asarray(x, dtype=np.float64)
    return [float(values.sum()) * scale, float(values.max())]
''',
    "wrong_answer/forgets_the_scale.py": '''\
"""Wrong answer: the sum is not multiplied by scale."""

import jax.numpy as jnp


def __FUNCTION__(x, scale):
    return jnp.array([jnp.sum(x), jnp.max(x)], dtype=jnp.float32)
''',
    "run_time_error/raises.py": '''\
"""Run-time error: raises on every case."""


def __FUNCTION__(x, scale):
    raise ValueError("not written yet")
''',
    "compile_error/syntax_error.py": '''\
"""Compile error: a syntax error, found on the host without running anything."""


def __FUNCTION__(x, scale)
    return [0.0, 0.0]
''',
    "time_limit_exceeded/busy_loop.py": '''\
"""Time limit exceeded: spins forever; the judge stops it from outside."""


def __FUNCTION__(x, scale):
    while True:
        pass
''',
    "memory_limit_exceeded/memory_bomb.py": '''\
"""Memory limit exceeded: allocates and touches 256 MiB blocks until it is killed."""

import numpy as np


def __FUNCTION__(x, scale):
    blocks = []
    while True:
        blocks.append(np.ones(32 * 1024 * 1024, dtype=np.float64))
''',
    "output_limit_exceeded/output_flood.py": '''\
"""Output limit exceeded: floods stdout; the judge stops reading at the cap."""

import sys


def __FUNCTION__(x, scale):
    line = "flood " * 1000 + "\\n"
    while True:
        sys.stdout.write(line)
''',
}
