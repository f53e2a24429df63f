"""The charter's business calendar: opening hours, public holidays, time zones.

A deadline such as "24 h for a first answer" counts only the organisation's opening hours (from the
charter) in the local time of the place the customer wrote about (the mention's location, else the
organisation), skipping public holidays. ``due_at`` adds business time, ``business_seconds_between``
measures it; both are pure functions of a ``Calendar`` so they are easy to test and reuse. The SLA
clock (``vigie.inbox.sla.clock``) and the insights' delays (``vigie.insights.business_hours``) both
count with it, so a delay means the same on a case and on the dashboard.

French public holidays are computed here (fixed days plus the Easter-based ones, and the day of the
abolition of slavery in the overseas departments, chosen from the time zone), which keeps the
dependency list short and works with no network.
"""

from __future__ import annotations

import itertools
import math
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext

from vigie.charter.document import BusinessHours, CharterDocument
from vigie.core.models import Location

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with opening hours can still be closed for a long run of holidays; a year ahead is
# far beyond any deadline a charter would set, and it bounds the loops.
MAX_DAYS = 3 * 366
MAX_SECONDS = MAX_DAYS * 24 * 3600.0

# Overseas departments have their own public holiday for the abolition of slavery.
_OVERSEAS_ABOLITION = {
    "America/Martinique": (5, 22),
    "America/Guadeloupe": (5, 27),
    "America/Cayenne": (6, 10),
    "Indian/Reunion": (12, 20),
    "Indian/Mayotte": (4, 27),
}


def easter_sunday(year: int) -> date:
    """Western Easter Sunday of ``year`` (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


# Alsace and Moselle keep two more public holidays from their local law (Bas-Rhin, Haut-Rhin,
# Moselle: postcodes 67, 68 and 57).
ALSACE_MOSELLE = "alsace-moselle"
_ALSACE_MOSELLE_DEPARTMENTS = ("57", "67", "68")


def holiday_region(postcode: str) -> str:
    """The local holiday rule of a French postcode: ``"alsace-moselle"`` or ``""``."""
    postcode = postcode.strip().replace(" ", "")
    if len(postcode) == 5 and postcode.isdigit() and postcode[:2] in _ALSACE_MOSELLE_DEPARTMENTS:
        return ALSACE_MOSELLE
    return ""


@lru_cache(maxsize=256)
def french_holidays(year: int, tz_name: str = "Europe/Paris", region: str = "") -> frozenset[date]:
    """Public holidays of France in ``year``; overseas ones are added for their time zone, and
    Good Friday and 26 December in Alsace-Moselle (``region``)."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1),  # Jour de l'an
        easter + timedelta(days=1),  # Lundi de Pâques
        date(year, 5, 1),  # Fête du travail
        date(year, 5, 8),  # Victoire 1945
        easter + timedelta(days=39),  # Ascension
        easter + timedelta(days=50),  # Lundi de Pentecôte
        date(year, 7, 14),  # Fête nationale
        date(year, 8, 15),  # Assomption
        date(year, 11, 1),  # Toussaint
        date(year, 11, 11),  # Armistice
        date(year, 12, 25),  # Noël
    }
    if tz_name in _OVERSEAS_ABOLITION:
        month, day = _OVERSEAS_ABOLITION[tz_name]
        days.add(date(year, month, day))
    if region == ALSACE_MOSELLE:
        days.add(easter - timedelta(days=2))  # Vendredi saint
        days.add(date(year, 12, 26))  # Saint-Étienne
    return frozenset(days)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=last.weekday())


@lru_cache(maxsize=256)
def uk_bank_holidays(year: int) -> frozenset[date]:
    """Bank holidays of England and Wales in ``year``: a fixed holiday on a weekend moves to the
    next working day (Boxing Day after a Christmas moved to Monday goes to Tuesday). The one-off
    days proclaimed for a royal event are not known in advance and not included."""
    easter = easter_sunday(year)
    days = {
        easter - timedelta(days=2),  # Good Friday
        easter + timedelta(days=1),  # Easter Monday
        _first_monday(year, 5),  # Early May bank holiday
        _last_monday(year, 5),  # Spring bank holiday
        _last_monday(year, 8),  # Summer bank holiday
    }
    for fixed in (date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)):
        day = fixed
        while day.weekday() >= 5 or day in days:
            day += timedelta(days=1)
        days.add(day)
    return frozenset(days)


_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def parse_hhmm(value: object) -> time | None:
    """``"09:30"`` as a time, ``"24:00"`` as the end of the day (``time.max``); None for anything
    else ("9", "25:00", "24:30", "ab": the API once stored such values and the clock then failed)."""
    match = _HHMM.match(str(value))
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24:
        return time.max if minutes == 0 else None
    return time(hours, minutes)


def merged_spans(spans: Iterable[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """``spans`` in order with the overlapping or touching ones joined: "09:00-12:00, 11:00-14:00"
    is open from 9 to 14, five hours, not six (each hour counted once)."""
    merged: list[tuple[time, time]] = []
    for opening, closing in sorted(spans):
        if merged and opening <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closing))
        else:
            merged.append((opening, closing))
    return tuple(merged)


def span_problems(days: Mapping[Any, Iterable[Sequence[str]]]) -> list[tuple[str, str]]:
    """``(day, message)`` for each day whose spans a clock cannot use: a time that is not HH:MM
    (00:00 to 24:00), an end not after its start, spans that overlap. Messages in the active
    language; the charter's form and the API both refuse on them."""
    problems: list[tuple[str, str]] = []
    for day, raw_spans in days.items():
        problem = _day_problem([list(raw) for raw in raw_spans])
        if problem:
            problems.append((str(day), problem))
    return problems


def _day_problem(raw_spans: list[list[str]]) -> str:
    parsed: list[tuple[time, time, str]] = []
    for pair in raw_spans:
        text = "-".join(str(part) for part in pair)
        opening = parse_hhmm(pair[0]) if len(pair) == 2 else None
        closing = parse_hhmm(pair[1]) if len(pair) == 2 else None
        if opening is None or closing is None:
            return gettext("Heure invalide : %(span)s") % {"span": text}
        if closing <= opening:
            return gettext("La fin doit suivre le début : %(span)s") % {"span": text}
        parsed.append((opening, closing, text))
    parsed.sort()
    for (_opening, previous_end, previous), (opening, _closing, text) in itertools.pairwise(parsed):
        if opening < previous_end:
            return gettext("Ces plages se chevauchent : %(first)s et %(second)s") % {
                "first": previous,
                "second": text,
            }
    return ""


@dataclass(frozen=True)
class Calendar:
    """Opening hours per weekday, in one time zone, with a public-holiday rule."""

    tz_name: str = "Europe/Paris"
    # Index 0 is Monday; each day holds (start, end) local times.
    hours: tuple[tuple[tuple[time, time], ...], ...] = field(
        default_factory=lambda: tuple(((time(9), time(18)),) if i < 5 else () for i in range(7))
    )
    holidays_country: str = "FR"
    region: str = ""  # a local holiday rule inside the country (see ``holiday_region``)

    @classmethod
    def from_business_hours(cls, business_hours: BusinessHours, tz_name: str, region: str = "") -> Calendar:
        """The calendar the charter's opening hours describe, in ``tz_name``."""
        days = []
        for name in WEEKDAYS:
            spans = []
            for start, end in business_hours.days.get(name, []):  # type: ignore[call-overload]
                opening, closing = parse_hhmm(start), parse_hhmm(end)
                # A span a clock cannot read (stored before the API checked them) is left out
                # rather than failing every page that shows a deadline.
                if opening is not None and closing is not None and closing > opening:
                    spans.append((opening, closing))
            days.append(merged_spans(spans))
        return cls(
            tz_name=tz_name,
            hours=tuple(days),
            holidays_country=business_hours.holidays_country,
            region=region,
        )

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.tz_name)

    @property
    def always_closed(self) -> bool:
        return not any(self.hours)

    def is_holiday(self, day: date) -> bool:
        """True when ``day`` is a public holiday of the calendar's country (and zone)."""
        country = self.holidays_country.upper()
        if country == "FR":
            return day in french_holidays(day.year, self.tz_name, self.region)
        if country == "GB":
            return day in uk_bank_holidays(day.year)
        return False

    def spans(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open periods of local ``day`` as aware datetimes (empty on holidays and closed days)."""
        if self.is_holiday(day):
            return []
        tz = self.tz
        result = []
        for opening, closing in self.hours[day.weekday()]:
            start = datetime.combine(day, opening, tzinfo=tz)
            end = (
                datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
                if closing == time.max
                else datetime.combine(day, closing, tzinfo=tz)
            )
            # In UTC: Python subtracts and adds two times of one zone on the wall clock, so on
            # the nights the clocks change a day open round the clock counted 24 hours instead of
            # 23 or 25 (deadlines an hour early in March, an hour late in October).
            result.append((start.astimezone(UTC), end.astimezone(UTC)))
        return result


def business_seconds_between(start: datetime, end: datetime, calendar: Calendar) -> float:
    """Opening-hours seconds from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0.0
    if calendar.always_closed:
        # No opening hours written: the clock runs round the clock rather than never.
        return (end - start).total_seconds()
    tz = calendar.tz
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    total = 0.0
    while day <= last:
        for opening, closing in calendar.spans(day):
            lo, hi = max(opening, start), min(closing, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def add_business_seconds(start: datetime, seconds: float, calendar: Calendar) -> datetime:
    """The moment when ``seconds`` of opening hours have passed since ``start``.

    A delay past what the loop covers (10^8 hours, or infinity, written through the API in a
    charter or a routing rule) ends ``MAX_DAYS`` later: it was an OverflowError (past the year
    9999) that stopped the routing of every mention it applied to."""
    if not math.isfinite(seconds) or seconds > MAX_SECONDS:
        seconds = MAX_SECONDS
    if seconds <= 0 or calendar.always_closed:
        return start + timedelta(seconds=max(0.0, seconds))
    tz = calendar.tz
    remaining = max(0.0, seconds)
    day = start.astimezone(tz).date()
    for _ in range(MAX_DAYS):
        for opening, closing in calendar.spans(day):
            lo = max(opening, start)
            if closing <= lo:
                continue
            available = (closing - lo).total_seconds()
            if remaining <= available:
                return lo + timedelta(seconds=remaining)
            remaining -= available
        day += timedelta(days=1)
    # Only a calendar closed all year (every day a holiday) gets here: fall back to wall time.
    return start + timedelta(seconds=seconds)


def due_at(start: datetime, hours: float, calendar: Calendar) -> datetime:
    """The deadline ``hours`` business hours after ``start``."""
    return add_business_seconds(start, hours * 3600, calendar)


def calendar_for_organisation(
    charter: CharterDocument, tz_name: str, *, location: Location | None = None
) -> Calendar:
    """The calendar of a place: the charter's opening hours in the location's (or organisation's)
    zone, with the location's local holidays."""
    if location is None:
        return Calendar.from_business_hours(charter.sla.business_hours, tz_name)
    return Calendar.from_business_hours(
        charter.sla.business_hours, location.timezone or tz_name, holiday_region(location.postcode)
    )
