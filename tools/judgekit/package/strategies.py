"""Hypothesis strategies for test inputs, mirroring the input domain in problem.yaml.

Shapes `(len(x), features)` are drawn once per recipe, a few of them from every band of the
domain: in a fresh process JAX compiles every op anew for each distinct shape, so a bounded set
keeps judging cheap, while seeds and values vary freely.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from random import Random
from typing import Any

import numpy as np
from hypothesis import strategies as st

from judgekit.package.problem import EntryPoint, Parameter, ParameterKind

Shape = tuple[int, int]
Band = tuple[int, int]

_FLOAT32 = np.finfo(np.float32)
SMALLEST_NORMAL = float(_FLOAT32.smallest_normal)
SMALLEST_SUBNORMAL = float(_FLOAT32.smallest_subnormal)
# The largest subnormal float32: one ulp below the smallest normal.
LARGEST_SUBNORMAL = float(np.nextafter(np.float32(SMALLEST_NORMAL), np.float32(0)))
MODERATE = (1e-3, 1e3)
# Every integer up to 2**24 is a float32.
_EXACT_INTEGERS = 2**24
# Out of about every 20 values drawn: 1 deliberate zero or subnormal, 5 integral, 7 of
# moderate magnitude, 7 of any normal float32 magnitude.
_KIND_SHARES = {"zero_or_subnormal": 1, "integral": 5, "moderate": 7, "any": 7}
MAX_SHAPE_ATTEMPTS = 1000


def draw_shapes(bands: Sequence[Band], count: int, seed: int) -> tuple[Shape, ...]:
    """COUNT distinct (length, size) pairs, both dimensions stratified over BANDS.

    Each dimension deals the bands out in turn (every band count // len(bands) times, the
    first count % len(bands) bands once more), in an order shuffled by SEED independently of
    the other dimension; within a band every value is equally likely. So every band holds a
    length and a size once COUNT is at least len(bands). Only `Random.random` is used: its
    sequence for a given seed is the part of `random` that Python promises to keep.
    """
    if count < len(bands):
        raise ValueError(f"{count} shapes cannot cover {len(bands)} bands")
    rng = Random(f"judgekit-shapes/{seed}")
    for _attempt in range(MAX_SHAPE_ATTEMPTS):
        lengths = [_in_band(rng, band) for band in _dealt(rng, bands, count)]
        sizes = [_in_band(rng, band) for band in _dealt(rng, bands, count)]
        shapes = tuple(zip(lengths, sizes, strict=True))
        if len(set(shapes)) == count:
            return shapes
    raise ValueError(f"cannot draw {count} distinct shapes from these bands")


def _below(rng: Random, bound: int) -> int:
    return min(int(rng.random() * bound), bound - 1)


def _dealt(rng: Random, bands: Sequence[Band], count: int) -> list[Band]:
    dealt = [bands[index % len(bands)] for index in range(count)]
    for index in range(len(dealt) - 1, 0, -1):  # Fisher-Yates
        other = _below(rng, index + 1)
        dealt[index], dealt[other] = dealt[other], dealt[index]
    return dealt


def _in_band(rng: Random, band: Band) -> int:
    low, high = band
    return low + _below(rng, high - low + 1)


def float32_reals(low: float, high: float) -> st.SearchStrategy[float]:
    """Values in [LOW, HIGH] that are float32 numbers already, so sending one as a float and
    storing it in a float32 array changes nothing: nonzero and normal, except for a small
    deliberate share of zeros and subnormals. The rest mixes integral values, moderate
    magnitudes (log-uniform in [1e-3, 1e3]) and any normal float32 magnitude."""
    top = max(abs(low), abs(high))
    largest_integer = max(1, min(math.floor(top), _EXACT_INTEGERS))
    kinds: dict[str, st.SearchStrategy[float]] = {
        "zero_or_subnormal": st.one_of(
            st.sampled_from([0.0, -0.0]),
            _signed(_float32_magnitudes(SMALLEST_SUBNORMAL, LARGEST_SUBNORMAL, subnormal=True)),
        ),
        "integral": _signed(st.integers(1, largest_integer).map(float)),
        "moderate": _signed(
            st.floats(math.log10(MODERATE[0]), math.log10(MODERATE[1])).map(_power_of_ten)
        ),
        "any": _signed(
            _float32_magnitudes(SMALLEST_NORMAL, _float32_toward(top, 0.0), subnormal=False)
        ),
    }
    weighted = [kind for kind, share in _KIND_SHARES.items() for _ in range(share)]
    return (
        st.sampled_from(weighted)
        .flatmap(lambda kind: kinds[kind])
        .map(lambda value: _clamped(value, low, high))
    )


def _float32_magnitudes(low: float, high: float, *, subnormal: bool) -> st.SearchStrategy[float]:
    return st.floats(
        low, high, width=32, allow_nan=False, allow_infinity=False, allow_subnormal=subnormal
    )


def _signed(magnitudes: st.SearchStrategy[float]) -> st.SearchStrategy[float]:
    return st.tuples(st.booleans(), magnitudes).map(lambda pair: -pair[1] if pair[0] else pair[1])


def _power_of_ten(exponent: float) -> float:
    return float(np.float32(10.0**exponent))


def _clamped(value: float, low: float, high: float) -> float:
    """VALUE moved inside [LOW, HIGH] if it is not (never, for a domain symmetric around 0)."""
    return min(max(value, _float32_toward(low, high)), _float32_toward(high, low))


def _float32_toward(bound: float, other: float) -> float:
    """BOUND as a float32, moved one ulp towards OTHER if rounding took it past BOUND."""
    rounded = np.float32(bound)
    if (float(rounded) - bound) * (other - bound) < 0:
        rounded = np.nextafter(rounded, np.float32(other))
    return float(rounded)


def _scalar(parameter: Parameter) -> st.SearchStrategy[Any]:
    if parameter.kind is ParameterKind.INTEGER:
        return st.integers(int(parameter.min), int(parameter.max))
    return float32_reals(parameter.min, parameter.max)


def case_strategy(
    entry_point: EntryPoint, shapes: Sequence[Shape], *, vector: str, size: str
) -> st.SearchStrategy[dict[str, Any]]:
    """Inputs whose (len(VECTOR), SIZE) pair is one of SHAPES; every other field free."""
    vector_parameter = entry_point.parameter(vector)
    if not shapes:
        raise ValueError("case_strategy needs at least one shape")
    element = float32_reals(vector_parameter.min, vector_parameter.max)

    @st.composite
    def draw_case(draw: st.DrawFn) -> dict[str, Any]:
        length, size_value = draw(st.sampled_from(list(shapes)))
        values: dict[str, Any] = {}
        for parameter in entry_point.parameters:
            if parameter.name == vector:
                values[vector] = draw(st.lists(element, min_size=length, max_size=length))
            elif parameter.name == size:
                values[size] = size_value
            else:
                values[parameter.name] = draw(_scalar(parameter))
        return values

    return draw_case()


def draw_examples(
    strategy: st.SearchStrategy[Any], seed: int, count: int, *, start: int = 0
) -> list[Any]:
    """Draw examples START..START+COUNT-1 of STRATEGY, each from its own seeded source.

    Unlike `@given`, whose examples mutate earlier ones and depend on what ran before in the
    process, example i here depends only on (seed, i) and the pinned hypothesis version: it
    keeps hypothesis' bias towards boundary and awkward values while staying reproducible
    byte for byte. This uses hypothesis' engine below its public API, which is why
    hypothesis is pinned exactly and recorded in the manifest.
    """
    from hypothesis.control import BuildContext
    from hypothesis.internal.conjecture.data import ConjectureData

    examples = []
    for index in range(start, start + count):
        data = ConjectureData(random=Random(f"{seed}/{index}"), provider=_reproducible_provider())
        with BuildContext(data, is_final=False, wrapped_test=_no_test):
            examples.append(data.draw(strategy))
    return examples


def _no_test() -> None:
    """BuildContext wants the test it runs under; these draws run under none."""


def _reproducible_provider() -> type[Any]:
    """Hypothesis' provider without the literals it harvests from every loaded module.

    Those "local constants" depend on which modules the process imported, so the same seed
    would draw different values in pytest than in `judgekit generate`.
    """
    from hypothesis.internal.conjecture.choice import choice_permitted
    from hypothesis.internal.conjecture.providers import GLOBAL_CONSTANTS, HypothesisProvider

    class ReproducibleProvider(HypothesisProvider):
        def _maybe_draw_constant(
            self, choice_type: Any, constraints: Any, *, p: float = 0.05
        ) -> Any:
            assert self._random is not None
            if self._random.random() > p:
                return None
            pool = [
                choice
                for choice in GLOBAL_CONSTANTS.set_for_type(choice_type)
                if choice_permitted(choice, constraints)
            ]
            return self._random.choice(pool) if pool else None

    return ReproducibleProvider
