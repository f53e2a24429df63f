"""Business hours for the insights' delays: opening hours per weekday and public holidays.

The rules are those of the SLA clock (``vigie.charter.calendar``: the charter's opening hours, French
public holidays including the overseas ones of the time zone), so a review posted on Friday
evening and answered on Monday morning counts as a short delay on the dashboard exactly as it does
for the SLA. This module only changes the arithmetic, because KPIs sum millions of delays.

Delays are computed as ``B(end) - B(start)`` where ``B(t)`` is the number of business seconds
from a fixed origin to ``t``; per-day totals are cached, so each delay costs O(1) after warm-up.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from vigie.charter.calendar import Calendar, easter_sunday, french_holidays
from vigie.charter.document import BusinessHours

__all__ = ["BusinessCalendar", "business_calendar", "easter_sunday", "french_holidays"]


class BusinessCalendar:
    """Opening hours in one time zone; answers "how many business seconds between a and b"."""

    def __init__(self, hours: BusinessHours, tz_name: str) -> None:
        self.tz = zoneinfo.ZoneInfo(tz_name)
        self.tz_name = tz_name
        # The SLA clock's calendar (spans it cannot read left out, overlapping ones joined, the
        # country's public holidays): the dashboard counted only French holidays (a British desk's
        # bank holidays were business days there and not for the SLA) and wall-clock hours (a desk
        # open round the clock counted 24 hours on the nights the clocks change).
        self.calendar = Calendar.from_business_hours(hours, tz_name)
        # Each day's open periods as UTC timestamps, read once per day.
        self._spans: dict[int, tuple[tuple[float, float], ...]] = {}
        # Cumulated business seconds before each day, from an origin day, filled lazily.
        self._origin = date(2000, 1, 3)
        self._before: dict[int, int] = {}

    def is_holiday(self, day: date) -> bool:
        return self.calendar.is_holiday(day)

    def _day_spans(self, day: date) -> tuple[tuple[float, float], ...]:
        ordinal = day.toordinal()
        spans = self._spans.get(ordinal)
        if spans is None:
            spans = tuple((start.timestamp(), end.timestamp()) for start, end in self.calendar.spans(day))
            self._spans[ordinal] = spans
        return spans

    def day_seconds(self, day: date) -> int:
        """Business seconds in the whole of ``day``."""
        return round(sum(end - start for start, end in self._day_spans(day)))

    def _seconds_before(self, day: date) -> int:
        """Business seconds from the origin to the start of ``day`` (negative before the origin)."""
        ordinal = day.toordinal()
        cached = self._before.get(ordinal)
        if cached is not None:
            return cached
        # Walk from the nearest cached day so a run of nearby delays costs a few steps each.
        origin = self._origin.toordinal()
        nearest = max((o for o in self._before if o <= ordinal), default=None) if self._before else None
        if nearest is None:
            start, total = origin, 0
            if ordinal < origin:
                total = -sum(self.day_seconds(date.fromordinal(o)) for o in range(ordinal, origin))
                self._before[ordinal] = total
                return total
        else:
            start, total = nearest, self._before[nearest]
        for o in range(start, ordinal):
            total += self.day_seconds(date.fromordinal(o))
            self._before[o + 1] = total
        self._before[ordinal] = total
        return total

    def position(self, moment: datetime) -> int:
        """Business seconds from the origin to ``moment``."""
        day = moment.astimezone(self.tz).date()
        total = self._seconds_before(day)
        now = int(moment.timestamp())  # whole seconds, as the rollup stores delays
        for start, end in self._day_spans(day):
            if now <= start:
                break
            total += round(min(now, end) - start)
        return total

    def seconds_between(self, start: datetime, end: datetime) -> int:
        """Business seconds from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
        if end <= start:
            return 0
        return max(self.position(end) - self.position(start), 0)


def business_calendar(hours: BusinessHours, tz_name: str) -> BusinessCalendar:
    """A calendar for the charter's business hours in the organisation's time zone."""
    return BusinessCalendar(hours, tz_name)
