"""Generic JAX/Flax warm-up for the sandbox (placeholder until the cache work lands)."""

from __future__ import annotations

from collections.abc import Sequence


def quiet_cache_writes() -> None:
    """Keep JAX from writing to (and warning about) the read-only compilation cache."""


def warm_up(shapes: Sequence[Sequence[int]]) -> None:
    import jax.numpy as jnp
    from flax import nnx

    for n_in, n_out in shapes:
        model = nnx.Linear(n_in, n_out, rngs=nnx.Rngs(0))
        jnp.linalg.norm(model(jnp.ones((n_in,), jnp.float32)))
