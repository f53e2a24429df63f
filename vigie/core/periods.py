"""Whole-day periods in an organisation's time zone: what "this month" or "the last 30 days" mean
for KPIs, exports and the API's date filters."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from vigie.core.models import Organisation


@dataclass(frozen=True)
class Period:
    """Whole days ``first_day``..``last_day`` in the organisation's time zone; ``end`` is exclusive."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def organisation_today(organisation: Organisation) -> date:
    """Today's date where the organisation is."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(organisation.timezone)).date()


def period_between(organisation: Organisation, first_day: date, last_day: date) -> Period:
    """The period from the start of ``first_day`` to the end of ``last_day``, both included."""
    if last_day < first_day:
        raise ValueError("last_day is before first_day")
    tz = zoneinfo.ZoneInfo(organisation.timezone)
    start = datetime.combine(first_day, time.min, tzinfo=tz)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
    return Period(first_day, last_day, start, end)


def outside(organisation: Organisation, period: Period, first_day: date, last_day: date) -> list[Period]:
    """The parts of ``period`` before ``first_day`` and after ``last_day`` (none, one or two): what
    a reader of a rollup covering ``first_day``..``last_day`` must still read from the rows."""
    parts = []
    if period.first_day < first_day:
        parts.append(period_between(organisation, period.first_day, first_day - timedelta(days=1)))
    if last_day < period.last_day:
        parts.append(period_between(organisation, last_day + timedelta(days=1), period.last_day))
    return parts


def last_days(organisation: Organisation, days: int, *, today: date | None = None) -> Period:
    """The last ``days`` days, today included."""
    today = today or organisation_today(organisation)
    return period_between(organisation, today - timedelta(days=days - 1), today)
