"""The history of count series kept between runs as hourly totals, so that eight weeks of it cost
the detector little more than the last week in 5-minute buckets.

The seasonal baseline only needs hourly totals per local hour of the week (``baseline.py``); the
5-minute buckets are needed for the last week only (the dispersion is measured there) and for
the windows being judged. A caller that runs the detector every few minutes keeps an
``HourlyHistory`` per timezone, extends it with the hours that the recent part leaves behind
(``compact`` then ``extend``), drops what is older than eight weeks (``last``) and passes it to
``detect_matrix(..., history=...)`` with the recent buckets.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vigie.alerts.detection.calendar import _calendar
from vigie.alerts.detection.series import FloatArray, IntArray


@dataclass(frozen=True)
class HourlyHistory:
    """Totals of n series per local hour, oldest first, ending at ``end`` (epoch seconds)."""

    totals: FloatArray  # (n, hours) sum of the buckets of each local hour
    slots: IntArray  # (hours,) local hour-of-week of each column (Monday 00h = 0)
    buckets: FloatArray  # (hours,) buckets behind each column (fewer at the edges)
    end: int  # epoch seconds of the first bucket after the history
    timezone: str
    bucket_seconds: int

    @property
    def days(self) -> float:
        return float(self.buckets.sum()) * self.bucket_seconds / 86400

    def rows(self, index: Sequence[int] | slice) -> HourlyHistory:
        """The same history for some of the series."""
        return HourlyHistory(
            self.totals[index], self.slots, self.buckets, self.end, self.timezone, self.bucket_seconds
        )

    def extend(self, newer: HourlyHistory) -> HourlyHistory:
        """This history followed by ``newer``, which must start where this one ends."""
        if (newer.timezone, newer.bucket_seconds) != (self.timezone, self.bucket_seconds):
            raise ValueError("histories of different time zones or buckets cannot be joined")
        if newer.totals.shape[0] != self.totals.shape[0]:
            raise ValueError("histories must have the same series")
        first = newer.end - int(newer.buckets.sum()) * newer.bucket_seconds
        if first != self.end:
            raise ValueError("the newer history must start where this one ends")
        # An hour split between the two stays as two columns of the same slot: the baseline
        # weighs each by its buckets.
        return HourlyHistory(
            np.concatenate([self.totals, newer.totals], axis=1),
            np.r_[self.slots, newer.slots],
            np.r_[self.buckets, newer.buckets],
            newer.end,
            self.timezone,
            self.bucket_seconds,
        )

    @property
    def first(self) -> int:
        """Epoch seconds of the first bucket behind the history."""
        return self.end - int(self.buckets.sum()) * self.bucket_seconds

    def since_column(self, column: int) -> HourlyHistory:
        """The same history from its ``column``-th hour on."""
        return HourlyHistory(
            self.totals[:, column:],
            self.slots[column:],
            self.buckets[column:],
            self.end,
            self.timezone,
            self.bucket_seconds,
        )

    def with_rows(self, extra: int) -> HourlyHistory:
        """This history with ``extra`` series appended, zero all along (they had nothing yet)."""
        zeros = np.zeros((extra, self.totals.shape[1]))
        return HourlyHistory(
            np.concatenate([self.totals, zeros], axis=0),
            self.slots,
            self.buckets,
            self.end,
            self.timezone,
            self.bucket_seconds,
        )

    def to_bytes(self) -> bytes:
        """The arrays in numpy's ``.npz`` format (compressed; no pickle), for a table's column."""
        buffer = io.BytesIO()
        np.savez_compressed(buffer, totals=self.totals, slots=self.slots, buckets=self.buckets)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, end: int, timezone: str, bucket_seconds: int) -> HourlyHistory:
        """The history ``to_bytes`` wrote. Never unpickles: stored bytes are data, not code."""
        with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as arrays:
            totals = np.asarray(arrays["totals"], dtype=np.float64)
            slots = np.asarray(arrays["slots"], dtype=np.int64)
            buckets = np.asarray(arrays["buckets"], dtype=np.float64)
        if totals.ndim != 2 or slots.shape != buckets.shape or totals.shape[1] != len(slots):
            raise ValueError("the stored history's arrays do not fit together")
        return cls(totals, slots, buckets, end, timezone, bucket_seconds)

    def last(self, days: float) -> HourlyHistory:
        """The most recent ``days`` of this history (whole hours)."""
        keep = days * 86400 / self.bucket_seconds
        behind = np.cumsum(self.buckets[::-1])[::-1]  # buckets from each column to the end
        begin = int(np.searchsorted(-behind, -keep, side="left"))
        return HourlyHistory(
            self.totals[:, begin:],
            self.slots[begin:],
            self.buckets[begin:],
            self.end,
            self.timezone,
            self.bucket_seconds,
        )


def compact(values: FloatArray, first: int, bucket_seconds: int, timezone: str) -> HourlyHistory:
    """Hourly totals (local hours of ``timezone``) of ``values`` (n x buckets from epoch ``first``)."""
    matrix = np.nan_to_num(np.asarray(values, dtype=np.float64))
    length = matrix.shape[1]
    if length == 0:
        empty = np.zeros((matrix.shape[0], 0))
        return HourlyHistory(empty, np.zeros(0, dtype=np.int64), np.zeros(0), first, timezone, bucket_seconds)
    calendar = _calendar(timezone, first, length, bucket_seconds)
    boundaries = np.flatnonzero(np.r_[True, calendar.hour_ids[1:] != calendar.hour_ids[:-1]])
    return HourlyHistory(
        totals=np.add.reduceat(matrix, boundaries, axis=1),
        slots=calendar.slots[boundaries],
        buckets=np.diff(np.r_[boundaries, length]).astype(np.float64),
        end=first + length * bucket_seconds,
        timezone=timezone,
        bucket_seconds=bucket_seconds,
    )
