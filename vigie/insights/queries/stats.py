"""Small statistics shared by the insights queries: shares, median, nearest-rank percentile, NPS scores."""

from __future__ import annotations

import math


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def median(values: list[float]) -> float | None:
    """The median of ``values`` (mean of the two middle ones for an even count)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return float(ordered[rank - 1])


def nps_score(raw: str) -> int | None:
    """A 0-10 recommendation score read from a survey answer's raw rating ("9", "9/10"), else None."""
    text = raw.strip()
    if "/" in text:
        text, _sep, scale = text.partition("/")
        if scale.strip() != "10":
            return None
    try:
        score = int(text.strip())
    except ValueError:
        return None
    return score if 0 <= score <= 10 else None
