"""Where each bucket falls in the local week (hour-of-week slot, and the neighbouring hour it is
interpolated with), for one time zone and one bucket grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from vigie.alerts.detection.series import FloatArray, IntArray

SLOTS = 168  # local hours in a week


@dataclass(frozen=True)
class Calendar:
    """Where each bucket falls in the local week, for one time zone and one bucket grid."""

    slots: IntArray  # local hour-of-week (Monday 00h = 0)
    hour_ids: IntArray  # local hours since the epoch (consecutive buckets of one hour share it)
    neighbour: IntArray  # the slot before or after, whichever the bucket's middle is closer to
    blend: FloatArray  # weight of that neighbour (0 at the middle of the hour, 0.5 at its edge)

    def __getitem__(self, part: slice) -> Calendar:
        return Calendar(self.slots[part], self.hour_ids[part], self.neighbour[part], self.blend[part])

    def __len__(self) -> int:
        return len(self.slots)

    def expected(self, rate: FloatArray) -> FloatArray:
        """(n, buckets) expected values from (n, 168) slot rates, interpolated between hours.

        A flat rate per hour would be wrong by a factor of two in the morning rise; the error
        would pass for noise and blunt the detector.
        """
        return np.asarray(
            rate[:, self.slots] * (1.0 - self.blend) + rate[:, self.neighbour] * self.blend, dtype=np.float64
        )


@lru_cache(maxsize=64)
def _calendar(timezone: str, first: int, count: int, step: int) -> Calendar:
    """The local calendar of ``count`` buckets of ``step`` seconds from epoch second ``first``."""
    starts = first + step * np.arange(count, dtype=np.int64)
    zone = ZoneInfo(timezone)
    hours = starts // 3600
    unique_hours, inverse = np.unique(hours, return_inverse=True)
    # Offsets change on whole UTC hours in every zone we care about, so one lookup per hour.
    offsets = np.array(
        [
            int(datetime.fromtimestamp(int(h) * 3600, UTC).astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]
            for h in unique_hours
        ],
        dtype=np.int64,
    )
    local = starts + offsets[inverse]
    day = local // 86400
    slots = ((day + 3) % 7) * 24 + (local % 86400) // 3600  # 1970-01-01 was a Thursday
    # Where the bucket's middle sits in its hour: -0.5 .. 0.5 around the hour's middle.
    position = ((local % 3600) + step / 2) / 3600 - 0.5 if step < 3600 else np.zeros(count)
    neighbour = (slots + np.where(position < 0, -1, 1)) % SLOTS
    return Calendar(
        slots=slots.astype(np.int64),
        hour_ids=(local // 3600).astype(np.int64),
        neighbour=neighbour.astype(np.int64),
        blend=np.abs(position).astype(np.float64),
    )
