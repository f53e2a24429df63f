"""SLA arithmetic in business hours: opening hours, public holidays, time zones, pauses.

A deadline such as "24 h for a first answer" counts only the organisation's opening hours (from the
charter) in the local time of the place the customer wrote about (the mention's location, else the
organisation), skipping public holidays. ``due_at`` adds business time, ``business_seconds_between``
measures it; both are pure functions of a ``Calendar`` so they are easy to test and reuse.

French public holidays are computed here (fixed days plus the Easter-based ones, and the day of the
abolition of slavery in the overseas departments, chosen from the time zone), which keeps the
dependency list short and works with no network.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from vigie.charter.document import BusinessHours, CharterDocument
from vigie.charter.queries import current_charter
from vigie.core.actions import do_record_audit_event
from vigie.core.models import Location
from vigie.inbox.models import Case

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with opening hours can still be closed for a long run of holidays; a year ahead is
# far beyond any deadline a charter would set, and it bounds the loops.
MAX_DAYS = 3 * 366

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


def _parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    if hours == "24" and minutes == "00":
        return time.max
    return time(int(hours), int(minutes))


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
                opening, closing = _parse_hhmm(start), _parse_hhmm(end)
                if closing > opening:
                    spans.append((opening, closing))
            days.append(tuple(sorted(spans)))
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
        if self.holidays_country.upper() == "FR":
            return day in french_holidays(day.year, self.tz_name, self.region)
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
            result.append((start, end))
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
    """The moment when ``seconds`` of opening hours have passed since ``start``."""
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


def calendar_for(case: Case, charter: CharterDocument | None = None) -> Calendar:
    """The calendar that runs ``case``'s SLA clock."""
    mention = case.mention
    organisation = case.organisation
    charter = charter or current_charter(organisation)
    location = mention.location if mention.location_id else None
    return calendar_for_organisation(charter, organisation.timezone, location=location)


def first_response_hours(charter: CharterDocument, *, platform: str, comment_type: str) -> float:
    """The first-answer delay the charter sets for a platform and comment type (business hours).

    The shortest that applies: the general commitment, the comment type's delay and the platform's
    delay. The general delay is a ceiling, so shortening it shortens every type's.
    """
    delays = [charter.sla.first_response_hours]
    for policy in charter.responses:
        if policy.type == comment_type:
            delays.append(policy.first_response_hours)
    if platform in charter.sla.per_platform_hours:
        delays.append(charter.sla.per_platform_hours[platform])
    return min(delays)


# --- pause while waiting for the customer ----------------------------------------------------------


@transaction.atomic
def do_pause_sla(case: Case, *, at: datetime | None = None) -> Case:
    """Stop ``case``'s SLA clock (the case now waits for the customer). Idempotent."""
    at = at or timezone.now()
    claimed = Case.objects.filter(pk=case.pk, sla_paused_at__isnull=True).update(sla_paused_at=at)
    if not claimed:
        case.refresh_from_db(fields=["sla_paused_at"])
        return case
    case.sla_paused_at = at
    do_record_audit_event(case.organisation, "case.sla_paused", obj=case, data={"at": at.isoformat()})
    return case


@transaction.atomic
def do_resume_sla(case: Case, *, at: datetime | None = None) -> Case:
    """Restart ``case``'s SLA clock; the deadline moves by the business time spent paused. Idempotent."""
    at = at or timezone.now()
    current = Case.objects.select_for_update(of=("self",)).select_related("mention__location", "organisation")
    locked = current.get(pk=case.pk)
    if locked.sla_paused_at is None:
        return locked
    calendar = calendar_for(locked)
    paused = business_seconds_between(locked.sla_paused_at, at, calendar)
    due = locked.sla_due_at
    new_due = add_business_seconds(due, paused, calendar) if due is not None and paused > 0 else due
    total = locked.sla_paused_seconds + round(paused)
    # A deadline pushed back deserves a fresh warning when it nears again.
    warned_at = None if new_due != due else locked.sla_warned_at
    Case.objects.filter(pk=case.pk).update(
        sla_paused_at=None, sla_paused_seconds=total, sla_due_at=new_due, sla_warned_at=warned_at
    )
    case.sla_paused_at = None
    case.sla_paused_seconds = total
    case.sla_due_at = new_due
    case.sla_warned_at = warned_at
    do_record_audit_event(
        case.organisation,
        "case.sla_resumed",
        obj=case,
        data={
            "paused_business_seconds": round(paused),
            "sla_due_at": new_due.isoformat() if new_due else None,
        },
    )
    return case
