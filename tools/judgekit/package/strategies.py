"""Hypothesis strategies for test inputs, mirroring the input domain in problem.yaml.

Shapes (a tuple of every array dimension and size, `package/shape_space.py`) are drawn once
per recipe (`package/shape_draw.py`), a few from every band of each dimension's domain: in a
fresh process JAX compiles every op anew for each distinct shape, so a bounded set keeps
judging cheap, while seeds and values vary freely.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from random import Random
from typing import Any

import numpy as np
from hypothesis import strategies as st

from judgekit.package.parameters import Parameter
from judgekit.package.problem import EntryPoint
from judgekit.package.shape_space import Shape, ShapeDimension

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


def _element(parameter: Parameter) -> st.SearchStrategy[Any]:
    """A scalar parameter's value, or one element of an array parameter."""
    if parameter.integral:
        return st.integers(int(parameter.min), int(parameter.max))
    return float32_reals(parameter.min, parameter.max)


def _nested(flat: list[Any], lengths: Sequence[int]) -> list[Any]:
    """FLAT (row-major) as nested lists of LENGTHS."""
    if len(lengths) <= 1:
        return flat
    step = math.prod(lengths[1:])
    return [_nested(flat[i * step : (i + 1) * step], lengths[1:]) for i in range(lengths[0])]


def case_strategy(
    entry_point: EntryPoint, shapes: Sequence[Shape], dimensions: Sequence[ShapeDimension]
) -> st.SearchStrategy[dict[str, Any]]:
    """Inputs whose shape (along DIMENSIONS) is one of SHAPES; every other field free."""
    if not shapes:
        raise ValueError("case_strategy needs at least one shape")
    elements = {p.name: _element(p) for p in entry_point.parameters if p.is_array}

    @st.composite
    def draw_case(draw: st.DrawFn) -> dict[str, Any]:
        shape = draw(st.sampled_from(list(shapes)))
        lengths: dict[str, list[int]] = {}
        sizes: dict[str, int] = {}
        for dimension, length in zip(dimensions, shape, strict=True):
            if dimension.axis is None:
                sizes[dimension.parameter] = length
            else:
                lengths.setdefault(dimension.parameter, []).append(length)
        values: dict[str, Any] = {}
        for parameter in entry_point.parameters:
            if parameter.name in lengths:
                count = math.prod(lengths[parameter.name])
                flat = draw(st.lists(elements[parameter.name], min_size=count, max_size=count))
                values[parameter.name] = _nested(flat, lengths[parameter.name])
            elif parameter.name in sizes:
                values[parameter.name] = sizes[parameter.name]
            else:
                values[parameter.name] = draw(_element(parameter))
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
