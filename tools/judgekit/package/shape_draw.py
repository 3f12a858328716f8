"""The fuzz cases' shapes: a fixed number of shape tuples, drawn once per recipe from bands.

Every dimension of the shape space has its own domain and its own bands. A recipe gives
`fuzz.shapes.bands` either as one list of [low, high] bands, applied to every dimension with
each band clipped to that dimension's domain (a band wholly outside it dropped), or as a
mapping from each dimension's key (`ShapeDimension.key`) to its own list. Within a band the
draw is stratified: its edges and both parities first (`draw_shapes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from random import Random

from judgekit.errors import ProblemFormatError
from judgekit.package.fields import Fields, integer_value
from judgekit.package.shape_space import Shape, ShapeDimension

Band = tuple[int, int]
MAX_SHAPE_ATTEMPTS = 1000


@dataclass(frozen=True)
class ShapeDraw:
    """How the fuzz cases' shapes are drawn: COUNT tuples from SEED, each dimension spread
    over its own BANDS (one tuple of bands per shape dimension, in the dimensions' order)."""

    count: int
    seed: int
    bands: tuple[tuple[Band, ...], ...]


STRATIFICATION = (
    "per dimension, each band dealt count // bands times (the first count % bands once more); "
    "a band's values: one edge, a value of the other parity, its other edge, then any value"
)
"""The draw's rule, as the manifest records it (a changed rule explains a changed fuzz set)."""


def draw_shapes(bands: Sequence[Sequence[Band]], count: int, seed: int) -> tuple[Shape, ...]:
    """COUNT distinct shape tuples, dimension i stratified over BANDS[i].

    Each dimension deals its bands out in turn (every band count // len(bands) times, the
    first count % len(bands) bands once more), in an order shuffled by SEED independently of
    the other dimensions. A band dealt k times takes, in this order while k lasts: one of its
    edges (either, by SEED), a value of the other parity, its other edge, then any values
    (`_band_values`), so every band that has both parities shows both once dealt twice, and its
    edges (the off-by-one boundaries) once dealt three times. Only `Random.random` is used:
    its sequence for a given seed is the part of `random` that Python promises to keep.
    """
    widest = max((len(dimension) for dimension in bands), default=0)
    if count < widest:
        raise ValueError(f"{count} shapes cannot cover {widest} bands")
    rng = Random(f"judgekit-shapes/{seed}")
    for _attempt in range(MAX_SHAPE_ATTEMPTS):
        columns = [_column(rng, dimension, count) for dimension in bands]
        shapes = tuple(zip(*columns, strict=True))
        if len(set(shapes)) == count:
            return shapes
    raise ValueError(f"cannot draw {count} distinct shapes from these bands")


def _column(rng: Random, bands: Sequence[Band], count: int) -> list[int]:
    dealt = _dealt(rng, bands, count)
    values = {band: _band_values(rng, band, dealt.count(band)) for band in bands}
    return [values[band].pop(0) for band in dealt]


def _band_values(rng: Random, band: Band, slots: int) -> list[int]:
    """SLOTS values of BAND: an edge, a value of the other parity, the other edge, any."""
    low, high = band
    if low == high:
        return [low] * slots
    first = low if rng.random() < 0.5 else high
    other_edge = low + high - first
    values = [first][:slots]
    if slots >= 2:
        values.append(_of_parity(rng, band, 1 - first % 2))
    if slots >= 3:
        values.append(other_edge if other_edge not in values else _in_band(rng, band))
    values += [_in_band(rng, band) for _ in range(slots - len(values))]
    return values


def _of_parity(rng: Random, band: Band, parity: int) -> int:
    low, high = band
    first = low if low % 2 == parity else low + 1
    return first + 2 * _below(rng, (high - first) // 2 + 1)


def stratification_problems(
    draw: ShapeDraw, dimensions: Sequence[ShapeDimension], shapes: Iterable[Shape]
) -> list[str]:
    """Where the distinct SHAPES break the draw's rule, per dimension and band: a band dealt
    at least once holds an edge, twice both parities (when it has them), three times both
    edges. Empty when they keep it."""
    distinct = set(shapes)
    problems = []
    for axis, (dimension, bands) in enumerate(zip(dimensions, draw.bands, strict=True)):
        column = [shape[axis] for shape in distinct]
        for index, (low, high) in enumerate(bands):
            held = [value for value in column if low <= value <= high]
            expected = draw.count // len(bands) + (index < draw.count % len(bands))
            where = f"{dimension.label} band [{low}, {high}]"
            if len(held) < expected:
                problems.append(f"{where}: holds {len(held)} shapes, the draw deals it {expected}")
            edges = {low, high} & set(held)
            if held and not edges:
                problems.append(f"{where}: no shape at either edge")
            if len(held) >= 2 and high > low and len({v % 2 for v in held}) < 2:
                parity = "even" if held[0] % 2 == 0 else "odd"
                problems.append(f"{where}: every one of its {len(held)} values is {parity}")
            if len(held) >= 3 and edges != {low, high}:
                problems.append(f"{where}: not at both edges ({low} and {high})")
    return problems


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


def _band(value: object, where: str) -> Band:
    if not isinstance(value, list) or len(value) != 2:
        raise ProblemFormatError(f"{where}: expected [low, high], got {value!r}")
    low, high = (integer_value(v, where) for v in value)
    if low > high:
        raise ProblemFormatError(f"{where}: low {low} is above high {high}")
    return low, high


def _band_list(raw: object, where: str) -> tuple[Band, ...]:
    """Ascending [low, high] pairs, each starting one above the previous band's high."""
    if not isinstance(raw, list) or not raw:
        raise ProblemFormatError(f"{where}: expected a non-empty list of [low, high]")
    bands = tuple(_band(band, f"{where}[{i}]") for i, band in enumerate(raw))
    for index in range(1, len(bands)):
        if bands[index][0] != bands[index - 1][1] + 1:
            raise ProblemFormatError(
                f"{where}[{index}]: starts at {bands[index][0]}, expected "
                f"{bands[index - 1][1] + 1} (bands must be ascending, without gaps or overlaps)"
            )
    return bands


def _clipped(bands: Sequence[Band], dimension: ShapeDimension) -> tuple[Band, ...]:
    return tuple(
        (max(low, dimension.low), min(high, dimension.high))
        for low, high in bands
        if high >= dimension.low and low <= dimension.high
    )


def _covering(bands: tuple[Band, ...], dimension: ShapeDimension, where: str) -> tuple[Band, ...]:
    covered = (bands[0][0], bands[-1][1]) if bands else None
    if covered != (dimension.low, dimension.high):
        shown = f"[{covered[0]}, {covered[1]}]" if covered else "nothing"
        raise ProblemFormatError(
            f"{where}: the bands cover {shown} but {dimension.label} ranges over "
            f"[{dimension.low}, {dimension.high}] in problem.yaml: make the first band start "
            "and the last band end at the domain's bounds"
        )
    return bands


def _per_dimension(
    raw: object, dimensions: Sequence[ShapeDimension], where: str
) -> tuple[tuple[Band, ...], ...]:
    if isinstance(raw, Mapping):
        keys = [d.key for d in dimensions]
        unknown = sorted(str(key) for key in set(raw) - set(keys))
        missing = [key for key in keys if key not in raw]
        if unknown or missing:
            raise ProblemFormatError(
                f"{where}: per-dimension bands need exactly the keys {', '.join(keys)} "
                f"(unknown: {', '.join(unknown) or 'none'}; "
                f"missing: {', '.join(missing) or 'none'})"
            )
        return tuple(
            _covering(_band_list(raw[d.key], f"{where}.{d.key}"), d, f"{where}.{d.key}")
            for d in dimensions
        )
    shared = _band_list(raw, where)
    return tuple(_covering(_clipped(shared, d), d, where) for d in dimensions)


def parse_shape_draw(data: object, where: str, dimensions: Sequence[ShapeDimension]) -> ShapeDraw:
    """`count`, `seed` and `bands` (one list for every dimension, or one per dimension)."""
    if not isinstance(data, Mapping):
        raise ProblemFormatError(
            f"{where}: expected a mapping with count, seed and bands (the shapes are drawn "
            f"from bands of the domain, not listed)"
        )
    fields = Fields(data, where)
    fields.refuse_unknown({"count", "seed", "bands"})
    bands = _per_dimension(fields.raw("bands"), dimensions, fields.name("bands"))
    count = fields.integer("count")
    widest = max((len(dimension) for dimension in bands), default=0)
    if count < widest:
        raise ProblemFormatError(
            f"{where}.count: {count} shapes cannot cover {widest} bands; "
            f"raise it to at least {widest} or merge bands"
        )
    return ShapeDraw(count=count, seed=fields.integer("seed"), bands=bands)
