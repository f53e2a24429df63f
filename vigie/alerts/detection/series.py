"""What the detector reads and answers: a series' configuration (``SeriesConfig``), its points
(``SeriesPoint``), the verdict on it (``Detection``), and how points become evenly spaced buckets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

KINDS = ("count", "mean", "share", "sum")


@dataclass(frozen=True)
class SeriesPoint:
    """One time bucket of one series."""

    start: datetime  # aware, UTC
    value: float
    # For "mean" and "share" series: how many observations (rated reviews) the value averages.
    # Given, a window must hold ``Thresholds.min_level_count`` of them, and its sampling error
    # widens the tail: one 1-star review in a quiet hour is a 100 % share, not a signal.
    weight: float | None = None


@dataclass(frozen=True)
class Detection:
    """The verdict on one series at one moment, with what was seen and what was expected."""

    series_key: str
    fired: bool
    observed: float
    expected: float
    since: datetime | None
    score: float
    explanation: str
    explanation_en: str


@dataclass(frozen=True)
class SeriesConfig:
    """What a series measures and how it is bucketed; ``sensitivity`` > 1 fires more easily."""

    key: str
    kind: str  # "count", "mean", "share" or "sum"
    bucket: timedelta = timedelta(minutes=5)
    sensitivity: float = 1.0
    timezone: str = "Europe/Paris"
    # What one unit is, for the explanation; derived from the key's last part when empty.
    label: str = ""
    label_en: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown series kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if self.bucket <= timedelta(0):
            raise ValueError("bucket must be a positive duration")
        if not (self.sensitivity > 0 and math.isfinite(self.sensitivity)):
            raise ValueError("sensitivity must be a positive number")
        ZoneInfo(self.timezone)  # raises on an unknown zone


def _epoch_seconds(bucket_starts: Sequence[datetime] | np.ndarray) -> IntArray:
    if isinstance(bucket_starts, np.ndarray) and bucket_starts.dtype.kind == "M":
        return np.asarray(bucket_starts.astype("datetime64[s]").astype(np.int64))
    if isinstance(bucket_starts, np.ndarray) and bucket_starts.dtype.kind in "iu":
        return np.asarray(bucket_starts, dtype=np.int64)
    out = []
    for start in bucket_starts:
        if not isinstance(start, datetime) or start.tzinfo is None:
            raise ValueError("bucket starts must be timezone-aware datetimes")
        out.append(int(start.timestamp()))
    return np.asarray(out, dtype=np.int64)


def _grid(
    config: SeriesConfig, history: Sequence[SeriesPoint], now: datetime
) -> tuple[IntArray, FloatArray, FloatArray]:
    """The history as evenly spaced buckets up to the one holding ``now``, and the weight of each.

    Points falling in the same bucket add up ("count", "sum") or are averaged ("mean",
    "share", weighted by their ``weight`` when given). A missing bucket is 0 for "count" and
    "sum" series and NaN (empty) for "mean" and "share" ones; a point whose value is NaN counts
    as missing. The weights are the observations per bucket of a level series whose points say
    how many they average, else NaN.
    """
    step = int(config.bucket.total_seconds())
    level = config.kind in ("mean", "share")
    cutoff = now.timestamp()
    epochs_list: list[int] = []
    values_list: list[float] = []
    weights_list: list[float] = []
    for point in history:
        start = point.start
        if start.tzinfo is None:
            raise ValueError("series points need timezone-aware starts")
        stamp = start.timestamp()
        # A bucket starting at ``now`` has not begun: the last one is the one that holds the
        # second before ``now``.
        if stamp < cutoff:
            epochs_list.append(int(stamp))
            values_list.append(float(point.value))
            weights_list.append(math.nan if point.weight is None else float(point.weight))
    if not epochs_list:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    epochs = np.array(epochs_list, dtype=np.int64)
    point_values = np.array(values_list, dtype=np.float64)
    point_weights = np.array(weights_list, dtype=np.float64)
    first = int(epochs.min())
    last = first + ((int(cutoff) - 1 - first) // step) * step
    count = (last - first) // step + 1
    index = (epochs - first) // step
    present = ~np.isnan(point_values)
    weighted = level and not np.isnan(point_weights).all()
    if weighted:
        # A point that does not say how many it averages counts as one observation.
        present &= np.nan_to_num(point_weights, nan=1.0) > 0
        w = np.nan_to_num(point_weights, nan=1.0)[present]
        totals = np.bincount(index[present], weights=w, minlength=count)[:count]
        sums = np.bincount(index[present], weights=point_values[present] * w, minlength=count)[:count]
        values = np.where(totals > 0, sums / np.maximum(totals, 1e-12), np.nan)
        weights = totals
    else:
        values = np.bincount(index[present], weights=point_values[present], minlength=count)[:count]
        if level:
            seen = np.bincount(index[present], minlength=count)[:count]
            values = np.where(seen > 0, values / np.maximum(seen, 1), np.nan)
        weights = np.full(count, np.nan)
    starts = first + step * np.arange(count, dtype=np.int64)
    return starts, np.asarray(values, dtype=np.float64), np.asarray(weights, dtype=np.float64)
