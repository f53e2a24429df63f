from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from vigie.charter.calendar import Calendar, business_seconds_between
from vigie.charter.document import BusinessHours
from vigie.insights.business_hours import BusinessCalendar, easter_sunday, french_holidays

PARIS = ZoneInfo("Europe/Paris")
# Written out by hand from the official calendar, not computed.
HOLIDAYS_2025 = {
    date(2025, 1, 1),
    date(2025, 4, 21),
    date(2025, 5, 1),
    date(2025, 5, 8),
    date(2025, 5, 29),
    date(2025, 6, 9),
    date(2025, 7, 14),
    date(2025, 8, 15),
    date(2025, 11, 1),
    date(2025, 11, 11),
    date(2025, 12, 25),
}


def minute_by_minute(start: datetime, end: datetime) -> int:
    """Business seconds counted the slow, obvious way: every minute, Mon-Fri 9:00-18:00 in Paris."""
    total = 0
    moment = start.astimezone(PARIS).replace(second=0, microsecond=0)
    end = end.astimezone(PARIS)
    while moment < end:
        local = moment.astimezone(PARIS)
        open_day = local.weekday() < 5 and local.date() not in HOLIDAYS_2025
        if open_day and 9 <= local.hour < 18:
            total += 60
        moment += timedelta(minutes=1)
    return total


def test_easter_and_french_holidays_match_the_calendar() -> None:
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert french_holidays(2025) == HOLIDAYS_2025


def test_a_weekend_and_a_holiday_count_no_business_time() -> None:
    calendar = BusinessCalendar(BusinessHours(), "Europe/Paris")
    friday_evening = datetime(2025, 3, 7, 17, 0, tzinfo=PARIS)
    monday_morning = datetime(2025, 3, 10, 10, 0, tzinfo=PARIS)
    assert calendar.seconds_between(friday_evening, monday_morning) == 2 * 3600
    # Easter Monday 21 April 2025 is a holiday.
    assert (
        calendar.seconds_between(
            datetime(2025, 4, 21, 9, tzinfo=PARIS), datetime(2025, 4, 21, 18, tzinfo=PARIS)
        )
        == 0
    )
    assert calendar.seconds_between(monday_morning, friday_evening) == 0


def test_business_seconds_equal_a_minute_by_minute_count() -> None:
    calendar = BusinessCalendar(BusinessHours(), "Europe/Paris")
    rng = random.Random(7)
    base = datetime(2025, 3, 20, tzinfo=PARIS)  # spans the DST change of 30 March and Easter
    for _ in range(40):
        start = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 40))
        end = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 9))
        assert calendar.seconds_between(start, end) == minute_by_minute(start, end), (start, end)


@pytest.mark.parametrize("tz_name", ["Europe/Paris", "America/Martinique"])
def test_dashboard_delays_agree_with_the_sla_clock(tz_name: str) -> None:
    """The KPIs' fast calendar and the SLA engine must count the same business time."""
    hours = BusinessHours()
    fast = BusinessCalendar(hours, tz_name)
    reference = Calendar.from_business_hours(hours, tz_name)
    rng = random.Random(7)
    origin = datetime(2025, 4, 1, tzinfo=ZoneInfo("UTC"))
    for _ in range(300):
        start = origin + timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        end = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 10))
        assert fast.seconds_between(start, end) == pytest.approx(
            business_seconds_between(start, end, reference)
        )


def test_the_dashboard_counts_delays_as_the_sla_clock_does_in_britain_and_across_clock_changes() -> None:
    """The dashboard's delays are the SLA clock's: a British desk's bank holidays are closed days
    (the dashboard counted them as business days), and a desk open round the clock counts 23 and
    25 hours on the nights the clocks change (the dashboard counted 24)."""
    london = ZoneInfo("Europe/London")
    weekdays = BusinessHours(
        days={d: [("09:00", "17:30")] for d in ("mon", "tue", "wed", "thu", "fri")}, holidays_country="GB"
    )
    fast = BusinessCalendar(weekdays, "Europe/London")
    slow = Calendar.from_business_hours(weekdays, "Europe/London")
    # Friday 22 August 2025, 17:00 -> Tuesday 26 August, 10:00: Monday 25 is the summer bank holiday.
    start, end = datetime(2025, 8, 22, 17, tzinfo=london), datetime(2025, 8, 26, 10, tzinfo=london)
    assert fast.seconds_between(start, end) == business_seconds_between(start, end, slow) == 1800 + 3600
    always = BusinessHours(
        days={d: [("00:00", "24:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    )
    fast = BusinessCalendar(always, "Europe/Paris")
    # Sunday 30 March 2025 has 23 hours in Paris, Sunday 26 October 25.
    for day, hours in ((date(2025, 3, 30), 23), (date(2025, 10, 26), 25)):
        start = datetime.combine(day, datetime.min.time(), tzinfo=PARIS)
        assert fast.day_seconds(day) == hours * 3600
        assert fast.seconds_between(start, start + timedelta(days=1)) == hours * 3600
        noon = datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=PARIS)
        # 11 hours of real time from midnight to noon in March, 13 in October.
        elapsed = noon.astimezone(UTC) - start.astimezone(UTC)
        assert fast.seconds_between(start, noon) == elapsed.total_seconds() == (hours - 12) * 3600
