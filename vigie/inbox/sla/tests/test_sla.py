"""SLA arithmetic in business hours: nights, weekends, French holidays, time zones, pauses."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

import pytest

from vigie.charter.actions import do_update_charter
from vigie.charter.calendar import (
    Calendar,
    business_seconds_between,
    due_at,
    easter_sunday,
    french_holidays,
    holiday_region,
    uk_bank_holidays,
)
from vigie.charter.document import BusinessHours, CharterDocument, SlaPolicy
from vigie.conftest import Tenant
from vigie.core.models import AuditEvent
from vigie.inbox.models import Case
from vigie.inbox.sla.clock import calendar_for, do_pause_sla, do_resume_sla, first_response_hours
from vigie.inbox.tests.factories import make_case
from vigie.mentions.tests.factories import make_location, make_mention

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MARTINIQUE = zoneinfo.ZoneInfo("America/Martinique")
UTC = zoneinfo.ZoneInfo("UTC")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def nine_to_six(tz: str = "Europe/Paris") -> Calendar:
    return Calendar.from_business_hours(BusinessHours(), tz)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
    ],
)
def test_easter_sunday_is_computed_for_any_year(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_french_holidays_include_fixed_and_easter_based_days() -> None:
    days = french_holidays(2026)
    assert date(2026, 7, 14) in days
    assert date(2026, 4, 6) in days  # Easter Monday
    assert date(2026, 5, 14) in days  # Ascension
    assert date(2026, 5, 25) in days  # Whit Monday
    assert date(2026, 7, 13) not in days
    assert len(days) == 11


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # gov.uk's published bank holidays for England and Wales (one-off royal days aside).
        (2021, ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"]),
        (2026, ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"]),
        (2027, ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"]),
    ],
)
def test_uk_bank_holidays_move_off_the_weekend(year: int, expected: list[str]) -> None:
    assert sorted(day.strftime("%m-%d") for day in uk_bank_holidays(year)) == expected


def test_a_london_organisation_does_not_count_boxing_day_as_a_working_day(tenant: Tenant) -> None:
    """A London coffee shop's SLA counted Boxing Day as a working day: only France's holidays
    (or none) could be chosen, and France's applied by default."""
    from vigie.charter.queries import current_charter
    from vigie.core.models import Organisation

    Organisation.objects.filter(pk=tenant.organisation.pk).update(language="en", timezone="Europe/London")
    tenant.organisation.refresh_from_db()
    hours = current_charter(tenant.organisation).sla.business_hours
    assert hours.holidays_country == "GB"
    london = Calendar.from_business_hours(hours, "Europe/London")
    assert london.is_holiday(date(2026, 12, 28))  # Boxing Day, moved from Saturday
    assert not london.is_holiday(date(2026, 7, 14))  # France's national day is not London's
    # Christmas Eve 17:00 + 2 working hours: Christmas, the weekend and Boxing Day's Monday skipped.
    eve = datetime(2026, 12, 24, 17, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    assert due_at(eve, 2, london) == datetime(2026, 12, 29, 10, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


def test_overseas_departments_get_their_abolition_day() -> None:
    assert date(2026, 5, 22) in french_holidays(2026, "America/Martinique")
    assert date(2026, 5, 22) not in french_holidays(2026, "Europe/Paris")


def test_a_deadline_inside_one_working_day() -> None:
    assert due_at(paris(2026, 3, 2, 10), 3, nine_to_six()) == paris(2026, 3, 2, 13)


def test_the_night_does_not_count() -> None:
    # Monday 17:00 + 2 h: one hour on Monday, one on Tuesday morning.
    assert due_at(paris(2026, 3, 2, 17), 2, nine_to_six()) == paris(2026, 3, 3, 10)


def test_a_message_received_at_night_starts_counting_at_opening() -> None:
    assert due_at(paris(2026, 3, 2, 22, 30), 1, nine_to_six()) == paris(2026, 3, 3, 10)


def test_the_weekend_does_not_count() -> None:
    # Friday 17:00 + 2 h lands on Monday 10:00.
    assert due_at(paris(2026, 3, 6, 17), 2, nine_to_six()) == paris(2026, 3, 9, 10)
    assert business_seconds_between(paris(2026, 3, 6, 17), paris(2026, 3, 9, 10), nine_to_six()) == 2 * 3600


def test_twenty_four_business_hours_span_three_days() -> None:
    # Monday 10:00: 8 h on Monday, 9 h on Tuesday, 7 h on Wednesday.
    assert due_at(paris(2026, 3, 2, 10), 24, nine_to_six()) == paris(2026, 3, 4, 16)


def test_the_fourteenth_of_july_is_skipped() -> None:
    # Monday 13 July 17:00 + 2 h: Tuesday 14 July is a public holiday.
    assert due_at(paris(2026, 7, 13, 17), 2, nine_to_six()) == paris(2026, 7, 15, 10)


def test_easter_monday_is_skipped() -> None:
    # Friday 3 April 2026 17:30 + 1 h: the weekend and Easter Monday pass, Tuesday 09:30.
    assert due_at(paris(2026, 4, 3, 17, 30), 1, nine_to_six()) == paris(2026, 4, 7, 9, 30)


def test_without_a_holiday_calendar_the_fourteenth_of_july_counts() -> None:
    calendar = Calendar.from_business_hours(BusinessHours(holidays_country=""), "Europe/Paris")
    assert due_at(paris(2026, 7, 13, 17), 2, calendar) == paris(2026, 7, 14, 10)


def test_split_opening_hours_skip_the_lunch_break() -> None:
    hours = BusinessHours(days={"mon": [("09:00", "12:00"), ("14:00", "18:00")]})
    calendar = Calendar.from_business_hours(hours, "Europe/Paris")
    assert due_at(paris(2026, 3, 2, 11), 2, calendar) == paris(2026, 3, 2, 15)


def test_the_same_instant_runs_on_each_locations_clock() -> None:
    received = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday: 16:00 in Paris, 11:00 in Martinique
    in_paris = due_at(received, 4, nine_to_six("Europe/Paris"))
    in_martinique = due_at(received, 4, nine_to_six("America/Martinique"))
    assert in_paris == paris(2026, 3, 3, 11)  # 2 h on Monday, 2 h on Tuesday
    assert in_martinique == datetime(2026, 3, 2, 15, tzinfo=MARTINIQUE)  # same afternoon, local time
    assert in_martinique.astimezone(UTC) == datetime(2026, 3, 2, 19, tzinfo=UTC)


def test_a_local_holiday_only_stops_the_clock_where_it_applies() -> None:
    # Friday 22 May 2026 is closed in Martinique, and Monday 25 is Whit Monday everywhere.
    friday = datetime(2026, 5, 22, 10, tzinfo=MARTINIQUE)
    assert due_at(friday, 2, nine_to_six("America/Martinique")) == datetime(
        2026, 5, 26, 11, tzinfo=MARTINIQUE
    )
    paris_friday = paris(2026, 5, 22, 10)
    assert due_at(paris_friday, 2, nine_to_six()) == paris(2026, 5, 22, 12)


def test_daylight_saving_change_keeps_local_opening_hours() -> None:
    # Paris moves to summer time on Sunday 29 March 2026; Monday still opens at 09:00 local.
    assert due_at(paris(2026, 3, 27, 17), 2, nine_to_six()) == paris(2026, 3, 30, 10)


def test_a_calendar_with_no_opening_hours_runs_round_the_clock() -> None:
    calendar = Calendar.from_business_hours(BusinessHours(days={}), "Europe/Paris")
    assert due_at(paris(2026, 3, 7, 22), 5, calendar) == paris(2026, 3, 8, 3)


def test_first_response_delay_is_the_shortest_of_general_type_and_platform() -> None:
    charter = CharterDocument(sla=SlaPolicy(first_response_hours=24, per_platform_hours={"twitter": 2}))
    charter.responses[1].first_response_hours = 8  # questions
    assert charter.responses[1].type == "question"
    assert first_response_hours(charter, platform="twitter", comment_type="question") == 2
    assert first_response_hours(charter, platform="google", comment_type="question") == 8
    assert first_response_hours(charter, platform="google", comment_type="unknown") == 24
    charter.sla.first_response_hours = 6  # the general commitment is a ceiling for every type
    assert first_response_hours(charter, platform="google", comment_type="question") == 6
    assert first_response_hours(charter, platform="twitter", comment_type="question") == 2


# --- with the database: the case's calendar, pause and resume ------------------------------------------


def test_a_cases_calendar_uses_its_locations_time_zone(tenant: Tenant) -> None:
    org = tenant.organisation
    case = make_case(
        org, make_mention(org, location=make_location(org, "Fort-de-France", timezone="America/Martinique"))
    )
    assert calendar_for(case).tz_name == "America/Martinique"
    other = make_case(org, make_mention(org))
    assert calendar_for(other).tz_name == org.timezone


@pytest.mark.parametrize(
    ("postcode", "region"),
    [("67000", "alsace-moselle"), ("68 100", "alsace-moselle"), ("57000", "alsace-moselle"),
     ("75011", ""), ("06700", ""), ("", ""), ("6700", ""), ("B-6700", "")],
)  # fmt: skip
def test_alsace_and_moselle_are_told_by_their_postcode(postcode: str, region: str) -> None:
    assert holiday_region(postcode) == region


def test_good_friday_and_saint_stephens_day_close_alsace_moselle_only() -> None:
    # Thursday 25 March 2027 17:00 + 2 h: Good Friday is a holiday in Strasbourg, not in Paris.
    strasbourg = Calendar.from_business_hours(BusinessHours(), "Europe/Paris", "alsace-moselle")
    assert due_at(paris(2027, 3, 25, 17), 2, nine_to_six()) == paris(2027, 3, 26, 10)
    # Then the weekend and Easter Monday: Tuesday 30 March.
    assert due_at(paris(2027, 3, 25, 17), 2, strasbourg) == paris(2027, 3, 30, 10)
    assert date(2026, 12, 26) in french_holidays(2026, "Europe/Paris", "alsace-moselle")
    assert date(2026, 12, 26) not in french_holidays(2026)


def test_a_cases_calendar_knows_its_locations_local_holidays(tenant: Tenant) -> None:
    org = tenant.organisation
    case = make_case(org, make_mention(org, location=make_location(org, "Strasbourg", postcode="67000")))
    assert calendar_for(case).is_holiday(date(2027, 3, 26))
    other = make_case(org, make_mention(org, location=make_location(org, "Lyon", postcode="69003")))
    assert not calendar_for(other).is_holiday(date(2027, 3, 26))


def test_a_cases_calendar_follows_the_charters_opening_hours(tenant: Tenant) -> None:
    org = tenant.organisation
    do_update_charter(
        org, CharterDocument(sla=SlaPolicy(business_hours=BusinessHours(days={"sat": [("10:00", "12:00")]})))
    )
    calendar = calendar_for(make_case(org))
    assert calendar.spans(date(2026, 3, 7)) == [(paris(2026, 3, 7, 10), paris(2026, 3, 7, 12))]
    assert calendar.spans(date(2026, 3, 9)) == []


def test_pausing_overnight_pushes_the_deadline_by_the_business_time_paused(tenant: Tenant) -> None:
    org = tenant.organisation
    case = make_case(org, sla_due_at=paris(2026, 3, 4, 12), sla_warned_at=paris(2026, 3, 2, 16))
    do_pause_sla(case, at=paris(2026, 3, 2, 17))
    do_pause_sla(case, at=paris(2026, 3, 2, 17, 30))  # twice: the first pause stands
    case = do_resume_sla(case, at=paris(2026, 3, 3, 11))  # 1 h Monday + 2 h Tuesday
    stored = Case.objects.get(pk=case.pk)
    assert stored.sla_paused_at is None
    assert stored.sla_paused_seconds == 3 * 3600
    assert stored.sla_due_at == paris(2026, 3, 4, 15)
    assert stored.sla_warned_at is None  # the pushed-back deadline will be warned about again
    assert do_resume_sla(stored, at=paris(2026, 3, 3, 12)).sla_due_at == paris(2026, 3, 4, 15)
    verbs = list(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("verb", flat=True))
    assert verbs.count("case.sla_paused") == 1
    assert verbs.count("case.sla_resumed") == 1


def test_a_pause_over_a_weekend_costs_nothing(tenant: Tenant) -> None:
    org = tenant.organisation
    case = make_case(org, sla_due_at=paris(2026, 3, 9, 12))
    do_pause_sla(case, at=paris(2026, 3, 6, 18, 30))
    do_resume_sla(case, at=paris(2026, 3, 9, 8) + timedelta(minutes=30))
    case.refresh_from_db()
    assert case.sla_due_at == paris(2026, 3, 9, 12)
    assert case.sla_paused_seconds == 0


def test_the_clock_stops_as_soon_as_the_case_waits_for_the_customer(tenant: Tenant) -> None:
    from vigie.inbox.actions import do_set_case_status
    from vigie.inbox.models import CaseStatus

    case = make_case(tenant.organisation, sla_due_at=paris(2026, 3, 4, 12))
    do_set_case_status(case, CaseStatus.WAITING_CUSTOMER, actor=tenant.agent.user)
    assert Case.objects.get(pk=case.pk).sla_paused_at is not None  # not five minutes later

    do_set_case_status(case, CaseStatus.IN_PROGRESS, actor=tenant.agent.user)
    stored = Case.objects.get(pk=case.pk)
    assert stored.sla_paused_at is None
    verbs = list(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("verb", flat=True))
    assert verbs.count("case.sla_paused") == 1
    assert verbs.count("case.sla_resumed") == 1


def test_closing_a_case_waiting_for_the_customer_ends_the_pause_without_saying_delay_resumed(
    tenant: Tenant,
) -> None:
    from vigie.inbox.actions import do_set_case_status
    from vigie.inbox.models import CaseStatus

    case = make_case(tenant.organisation, sla_due_at=paris(2026, 3, 4, 12))
    do_set_case_status(case, CaseStatus.WAITING_CUSTOMER, actor=tenant.agent.user)
    do_set_case_status(case, CaseStatus.RESOLVED, actor=tenant.agent.user)
    stored = Case.objects.get(pk=case.pk)
    assert stored.sla_paused_at is None  # the pause is counted and over
    verbs = list(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("verb", flat=True))
    assert verbs.count("case.sla_paused") == 1
    # Nothing restarts on a closed case: its history must not read "Délai repris".
    assert "case.sla_resumed" not in verbs


def test_a_charter_without_pause_keeps_the_clock_running(tenant: Tenant) -> None:
    from vigie.inbox.actions import do_set_case_status
    from vigie.inbox.models import CaseStatus

    do_update_charter(tenant.organisation, CharterDocument(sla=SlaPolicy(pause_while_waiting_customer=False)))
    case = make_case(tenant.organisation, sla_due_at=paris(2026, 3, 4, 12))
    do_set_case_status(case, CaseStatus.WAITING_CUSTOMER, actor=tenant.agent.user)
    assert Case.objects.get(pk=case.pk).sla_paused_at is None
