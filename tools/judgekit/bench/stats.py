"""The arithmetic of a benchmark, pure: percentiles, ratios, extrapolation, throughput."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The Q-th percentile (0..100) of VALUES, interpolated linearly between the closest ranks
    (numpy's default), so that the 50th of an even count is the mean of the middle two."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(seconds: float, floor_s: float) -> float | None:
    """SECONDS as a multiple of the floor; None when the floor is not a positive time."""
    if floor_s <= 0 or not math.isfinite(floor_s):
        return None
    return seconds / floor_s


def extrapolate(measured_s: Sequence[float], total_count: int) -> float:
    """The time of TOTAL_COUNT items from a sample of per-item times: their mean, times the
    count (each item pays its own start-up, so the sample's mean stands for every item)."""
    if not measured_s:
        raise ValueError("nothing measured to extrapolate from")
    return sum(measured_s) / len(measured_s) * total_count


def per_minute(count: int, seconds: float) -> float:
    """COUNT things done in SECONDS, as a rate per minute."""
    if seconds <= 0:
        raise ValueError("a rate needs a positive time")
    return count * 60.0 / seconds
