from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.core.periods import period_between
from vigie.inbox.tests.factories import make_case
from vigie.insights.queries.kpis import kpi_report
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_location, make_mention

ApiClient = Callable[[Membership], Client]
PARIS = ZoneInfo("Europe/Paris")


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=PARIS)


def kpis(client: Client, **params: object) -> dict[str, object]:
    response = client.get("/api/v1/kpis", params)
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def test_kpis_of_a_period_are_counted_from_its_rows(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient
) -> None:
    org = tenant.organisation
    five = make_mention(
        org, created_at=at(3), rating=5, sentiment=Sentiment.POSITIVE, reach=10, themes=["accueil"]
    )
    three = make_mention(
        org, created_at=at(4), rating=3, sentiment=Sentiment.NEGATIVE, reach=5, themes=["accueil"]
    )
    make_mention(org, created_at=at(5), rating=4, sentiment=Sentiment.POSITIVE)
    make_mention(org, created_at=datetime(2025, 2, 28, 23, 59, tzinfo=PARIS), rating=1)  # the day before
    make_mention(other_tenant.organisation, created_at=at(3), rating=1)
    make_case(org, five, first_response_at=five.created_at + timedelta(hours=3))
    make_case(org, three)

    body = kpis(api_client(tenant.viewer), **{"from": "2025-03-01", "to": "2025-03-07"})
    assert body["period"] == {
        "first_day": "2025-03-01",
        "last_day": "2025-03-07",
        "start": "2025-02-28T23:00:00+00:00",
        "end": "2025-03-07T23:00:00+00:00",
        "days": 7,
    }
    assert body["review_count"] == 3
    assert body["average_rating"] == 4.0
    assert {s["key"]: s["count"] for s in body["rating_distribution"]} == {
        "5": 1,
        "4": 1,
        "3": 1,
        "2": 0,
        "1": 0,
    }
    assert body["mention_volume"] == 3
    assert body["total_reach"] == 15
    assert body["cases_needing_answer"] == 2
    assert body["cases_answered"] == 1
    assert body["response_rate"] == 0.5
    assert body["median_first_response_seconds"] == 3 * 3600
    by_key = {k["key"]: k for k in body["kpis"]}
    assert by_key["average_rating"]["met"] is True
    assert by_key["response_rate"]["met"] is False
    assert by_key["first_response_time"]["value"] == 3.0
    assert by_key["first_response_time"]["met"] is True
    assert body["top_themes"] == [{"theme": "accueil", "count": 2}]
    assert sum(w["count"] for w in body["weekly_volume"]) == 3

    # The dashboard reads the same function: the API repeats its numbers.
    report = kpi_report(org, period_between(org, date(2025, 3, 1), date(2025, 3, 7)))
    assert body["response_rate"] == report.response_rate
    assert body["average_rating"] == report.average_rating


def test_kpis_accept_location_and_platform_filters(tenant: Tenant, api_client: ApiClient) -> None:
    org = tenant.organisation
    lyon = make_location(org, "Lyon")
    make_mention(org, created_at=at(3), rating=2, location=lyon)
    make_mention(org, created_at=at(3), rating=5)
    client = api_client(tenant.viewer)
    period = {"from": "2025-03-01", "to": "2025-03-31"}
    assert kpis(client, **period, location=lyon.pk)["average_rating"] == 2.0
    assert kpis(client, **period, platform="facebook")["mention_volume"] == 0
    assert kpis(client, **period)["mention_volume"] == 2


def test_kpis_default_to_the_last_30_days(tenant: Tenant, api_client: ApiClient) -> None:
    period = kpis(api_client(tenant.viewer))["period"]
    assert period["days"] == 30  # type: ignore[index]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-13-01"}, "from"),
        ({"to": "tomorrow"}, "to"),
        ({"from": "2025-03-10", "to": "2025-03-01"}, "to"),
        ({"from": "2015-01-01", "to": "2025-01-01"}, "from"),
        ({"location": "x"}, "location"),
    ],
)
def test_bad_kpi_parameters_are_a_422_naming_them(
    tenant: Tenant, api_client: ApiClient, params: dict[str, str], field: str
) -> None:
    response = api_client(tenant.viewer).get("/api/v1/kpis", params)
    assert response.status_code == 422
    assert [item["loc"][-1] for item in response.json()["detail"]] == [field]


def test_kpis_never_count_another_organisations_rows(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient
) -> None:
    make_mention(other_tenant.organisation, created_at=at(3), rating=1, reach=99)
    body = kpis(api_client(tenant.viewer), **{"from": "2025-03-01", "to": "2025-03-31"})
    assert (body["mention_volume"], body["total_reach"], body["average_rating"]) == (0, 0, None)


def test_the_api_gives_the_same_numbers_as_the_dashboard_with_an_agent_filter(
    tenant: Tenant, api_client: ApiClient, login: Callable[[Membership], Client]
) -> None:
    from django.urls import reverse
    from django.utils import timezone

    org = tenant.organisation
    now = timezone.now()
    for hours, assignee in ((1, tenant.agent.user), (5, tenant.agent.user), (3, tenant.manager.user)):
        mention = make_mention(org, created_at=now - timedelta(days=2), rating=4)
        make_case(
            org, mention, assignee=assignee, first_response_at=mention.created_at + timedelta(hours=hours)
        )
    query = {
        "agent": tenant.agent.user_id,
        "from": (now - timedelta(days=6)).date().isoformat(),
        "to": now.date().isoformat(),
    }
    api = api_client(tenant.viewer).get("/api/v1/kpis", query).json()
    page = login(tenant.viewer).get(reverse("dashboard"), query).context["report"]
    assert api["cases_answered"] == page.cases_answered == 2
    assert api["mention_volume"] == page.mention_volume == 2
    assert api["p90_first_response_business_seconds"] == page.p90_first_response_business_seconds
    assert api["sla_compliance"] is None  # no deadline on these cases
    assert {k["key"] for k in api["kpis"]} == {
        "average_rating",
        "response_rate",
        "first_response_time",
        "sla_compliance",
    }
