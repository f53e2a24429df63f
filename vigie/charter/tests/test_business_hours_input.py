"""Opening hours as a careless admin or a client types them: overlapping spans, 24:00, garbage
sent through the API, and the nights the clocks change."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vigie.charter.actions import do_update_charter
from vigie.charter.calendar import WEEKDAYS, Calendar, business_seconds_between, due_at
from vigie.charter.document import BusinessHours, CharterDocument
from vigie.charter.models import CharterVersion
from vigie.charter.queries import current_charter
from vigie.charter.tests.test_views import sla_form
from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.tests.factories import make_case

Login = Callable[[Membership], Client]
ROUND_THE_CLOCK = BusinessHours.model_validate(
    {"days": {day: [("00:00", "24:00")] for day in WEEKDAYS}, "holidays_country": ""}
)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # Europe/Paris: the night of 28-29 March 2026 lasts 23 hours, 24-25 October 25 hours.
        (datetime(2026, 3, 28, 23, tzinfo=UTC), datetime(2026, 3, 29, 22, tzinfo=UTC), 23),
        (datetime(2026, 10, 24, 22, tzinfo=UTC), datetime(2026, 10, 25, 23, tzinfo=UTC), 25),
    ],
)
def test_a_desk_open_round_the_clock_counts_the_real_hours_when_the_clocks_change(
    start: datetime, end: datetime, hours: int
) -> None:
    calendar = Calendar.from_business_hours(ROUND_THE_CLOCK, "Europe/Paris")
    assert business_seconds_between(start, end, calendar) == hours * 3600
    assert due_at(start, hours, calendar) == end


def test_overlapping_spans_stored_earlier_count_each_hour_once() -> None:
    hours = BusinessHours(days={"mon": [("09:00", "12:00"), ("11:00", "14:00")]}, holidays_country="")
    calendar = Calendar.from_business_hours(hours, "Europe/Paris")
    assert calendar.hours[0] == ((time(9), time(14)),)
    monday = datetime(2026, 12, 7, 6, tzinfo=UTC)
    assert business_seconds_between(monday, datetime(2026, 12, 7, 20, tzinfo=UTC), calendar) == 5 * 3600


def test_the_form_refuses_overlapping_spans_and_takes_24_00(tenant: Tenant, login: Login) -> None:
    client = login(tenant.admin)
    edit = reverse("charter_edit", args=["sla"])
    refused = client.post(edit, sla_form(hours_mon="09:00-12:00, 11:00-14:00", hours_wed="08:00-24:30"))
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert "Ces plages se chevauchent : 09:00-12:00 et 11:00-14:00" in str(errors["hours_mon"])
    assert "Heure invalide" in str(errors["hours_wed"])
    assert not CharterVersion.objects.exists()
    assert client.post(edit, sla_form(hours_sun="00:00-24:00")).status_code == 302
    assert current_charter(tenant.organisation).sla.business_hours.days["sun"] == [("00:00", "24:00")]


@pytest.mark.parametrize(
    "spans",
    [
        [["ab", "cd"]],
        [["9", "18"]],
        [["25:00", "26:00"]],
        [["18:00", "09:00"]],
        [["09:00", "12:00"], ["11:00", "14:00"]],
    ],
)
def test_the_api_refuses_hours_a_clock_cannot_read(
    tenant: Tenant, api_client: Callable[[Membership], Client], spans: list[list[str]]
) -> None:
    client = api_client(tenant.admin)
    document = client.get("/api/v1/charter").json()["document"]
    document["sla"]["business_hours"]["days"]["tue"] = spans
    response = client.put(
        "/api/v1/charter", json.dumps({"document": document}), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "tue"
    assert not CharterVersion.objects.exists()


def test_hours_stored_before_the_check_do_not_break_the_pages(tenant: Tenant, login: Login) -> None:
    document: Any = json.loads(CharterDocument().model_dump_json())
    document["sla"]["business_hours"]["days"]["mon"] = [["ab", "cd"], ["9", "18"]]
    do_update_charter(tenant.organisation, CharterDocument.model_validate(document))
    case = make_case(tenant.organisation)
    client = login(tenant.agent)
    for page in (reverse("dashboard"), reverse("inbox"), reverse("case_detail", args=[case.pk])):
        assert client.get(page).status_code == 200, page


def test_a_delay_of_a_billion_hours_stored_before_the_limits_still_routes_mentions(tenant: Tenant) -> None:
    """The API took any positive delay; 10^9 hours reached past the year 9999 and every mention
    the charter applied to failed to route (OverflowError). The API now refuses such a delay
    (test_delay_limits); one stored before still gives a deadline years away."""
    from vigie.inbox.tests.test_case_handling import routed

    document: Any = json.loads(CharterDocument().model_dump_json())
    document["sla"]["first_response_hours"] = 1e9
    for response in document["responses"]:
        response["first_response_hours"] = 1e9
    do_update_charter(tenant.organisation, CharterDocument.model_validate(document))
    case = routed(tenant, "facebook", "complaint")
    assert case.sla_due_at is not None
    assert case.sla_due_at.year < 2100
