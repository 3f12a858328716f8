"""Warms JAX up for a problem's shape tuples (`layer_pairs`): generic JAX/Flax work only.

JAX compiles every op anew for each shape it meets, in each fresh process. The sandbox image
runs `python warmup.py SHAPES.json` at build time with JAX's persistent compilation cache
switched on (JAX_COMPILATION_CACHE_DIR), so that the executables of the ops a solution to this
kind of problem uses, at the test set's shapes, are on disk in every container: the first call
at a known shape loads them instead of compiling.

What it runs is plain JAX/Flax work on fixed throw-away data (keys from seed 0, ones, a fixed
scale): random normal kernels, scaling, a small module with an `nnx.Param`, `nnx.state`,
a matrix-vector product, norms, a result vector, a gradient and one SGD step. It never reads
the problem's reference solution, its test data or its answers, and it computes no answer:
it only makes JAX compile.

In the sandbox the cache is read-only: `quiet_cache_writes()` must run before any learner
code, so that JAX never tries to add an entry (a new shape) and never warns that it could
not. In a prewarmed sandbox the runner also runs it in the learner's process, before the
learner's code exists, so those ops are ready in memory; every op run costs boot time in
each container, so it holds what solutions commonly use, not every variant. Only the standard
library and the locked NumPy, JAX, Flax and Optax are used.
"""

from __future__ import annotations

import gc
import itertools
import json
import math
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

# Throw-away values: what they are does not matter, only the shapes and dtypes do (JAX
# passes Python scalars to a compiled op as arguments, so any float compiles the same code).
_SEED = 0
_SCALE = 0.5
_LEARNING_RATE = 1e-3


def _layer(n_in: int, n_out: int, rngs: nnx.Rngs) -> Any:
    """A small module of the kind learners write: a trainable kernel, a plain-array vector.

    A bare `nnx.Module`, not a class of this file: Flax registers every Module class for good
    (a pytree), which would keep this module, dropped after the warm-up, alive for the
    learner's code to find."""
    layer: Any = nnx.Module()
    layer.kernel = nnx.Param(jax.random.normal(rngs.params(), (n_in, n_out)) * _SCALE)
    layer.offset = jnp.ones((n_out,)) * _SCALE
    return layer


def _squared_output(layer: Any, x: jax.Array) -> jax.Array:
    """A loss of the simplest kind, for a gradient with respect to the module's Params."""
    output = x @ layer.kernel[...] + layer.offset
    return jnp.sum(output**2)


def _as_judge_sends(length: int) -> jax.Array:
    """A float32 vector made the way the judge builds a vector argument (runner.py)."""
    return jnp.asarray(np.asarray(np.ones(length), dtype=np.float32))


def _warm_shape(n_in: int, n_out: int) -> None:
    """Run, once, each op such work uses at this shape; the results are thrown away."""
    rngs = nnx.Rngs(_SEED)
    kernel = jax.random.normal(rngs.params(), (n_in, n_out))
    scaled = kernel * _SCALE
    divided = kernel / (1.0 / _SCALE)
    filled = jnp.full((n_out,), _SCALE)
    layer = _layer(n_in, n_out, rngs)
    x = _as_judge_sends(n_in)
    product = x @ scaled + filled
    called = x @ layer.kernel[...] + layer.offset
    leaves = jax.tree_util.tree_leaves(nnx.state(layer, nnx.Param))
    kernel_norm = jnp.linalg.norm(layer.kernel[...])
    vector_norm = jnp.linalg.norm(layer.offset)
    filled_norm = jnp.linalg.norm(filled)  # jnp.full of a Python float is weakly typed
    squares = (
        jnp.sqrt(jnp.sum(divided**2)),
        jnp.sqrt(jnp.sum(jnp.square(product))),
        jnp.sqrt(jnp.sum(called * called)),
    )
    as_array = jnp.array([len(leaves), kernel_norm, vector_norm], dtype=jnp.float32)
    stacked = jnp.stack([jnp.float32(len(leaves)), kernel_norm, vector_norm])
    arrays = (layer.kernel[...], layer.offset, as_array, stacked)
    on_host = [np.asarray(a) for a in arrays]
    grads = nnx.grad(_squared_output)(layer, x)
    optimizer = nnx.Optimizer(layer, optax.sgd(_LEARNING_RATE), wrt=nnx.Param)
    optimizer.update(layer, grads)
    unchanged = jnp.all(layer.offset == layer.offset)
    del rngs, kernel, scaled, divided, filled, layer, x, product, called, leaves
    del kernel_norm, vector_norm, filled_norm, squares, as_array, stacked, arrays, on_host
    del grads, optimizer, unchanged


def layer_pairs(shape: Sequence[int]) -> list[tuple[int, int]]:
    """The (in_features, out_features) pairs a shape tuple is warmed for: each two adjacent
    lengths, as a layer from one dimension to the next would use them; a lone length n as
    (n, n). A problem's shape `(len(x), features)` is the one pair it names."""
    if len(shape) == 1:
        return [(shape[0], shape[0])]
    return list(itertools.pairwise(shape))


def warm_up(shapes: Sequence[Sequence[int]]) -> None:
    """Compile the ops for the layer pairs of every shape tuple in SHAPES; keep no data."""
    pairs = dict.fromkeys(pair for shape in shapes for pair in layer_pairs(shape))
    for n_in, n_out in pairs:
        _warm_shape(int(n_in), int(n_out))
    gc.collect()


def quiet_cache_writes() -> None:
    """Never write to the compilation cache, and never warn about it, in this process.

    JAX writes an entry after a compilation that took at least
    `jax_persistent_cache_min_compile_time_secs` (jax/_src/compiler.py, `_cache_write`); a
    failed write (the sandbox's cache is read-only) is a `warnings.warn` on stderr, which would
    land in the learner's output. At an infinite threshold no write is ever tried: only a
    DEBUG log record, which nothing prints. Reading the cache is unchanged (the threshold is
    not part of any cache key). Any other cache warning from JAX's compiler (a read of an
    entry that failed, which a sound image never has) is ignored: the op is then compiled.
    """
    # jax.config.update carries no annotations in jax 0.10.2.
    jax.config.update(  # type: ignore[no-untyped-call]
        "jax_persistent_cache_min_compile_time_secs", math.inf
    )
    warnings.filterwarnings(
        "ignore", message=r".*persistent compilation cache", module=r"jax\._src\.compiler"
    )


def read_shapes(path: Path) -> list[tuple[int, ...]]:
    """The shape tuples in PATH, a JSON list of non-empty lists of non-negative ints."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of shape tuples ([len(x), features], ...)")
    shapes = []
    for item in data:
        if not (
            isinstance(item, list)
            and item
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in item)
        ):
            raise ValueError(f"{path}: {item!r} is not a list of non-negative integers")
        shapes.append(tuple(item))
    return shapes


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print("usage: warmup.py SHAPES.json", file=sys.stderr)
        return 2
    shapes = read_shapes(Path(argv[0]))
    warm_up(shapes)
    print(f"warmed up {len(shapes)} shape(s) on {jax.devices()[0].platform}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
