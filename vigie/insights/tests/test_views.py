from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.tests.factories import make_case
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_location, make_mention, make_source

Login = Callable[[Membership], Client]


def test_anonymous_visitors_are_sent_to_the_login_page(db: None) -> None:
    response = Client().get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_dashboard_shows_the_periods_numbers(tenant: Tenant, other_tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    now = timezone.now()
    answered = make_mention(
        org, created_at=now - timedelta(days=2), rating=5, sentiment=Sentiment.POSITIVE, themes=["accueil"]
    )
    make_case(org, answered, first_response_at=answered.created_at + timedelta(hours=2))
    make_case(
        org, make_mention(org, created_at=now - timedelta(days=3), rating=2, sentiment=Sentiment.NEGATIVE)
    )
    make_mention(org, created_at=now - timedelta(days=3), rating=4, themes=["accueil", "prix"])
    make_mention(org, created_at=now - timedelta(days=50), rating=1)  # outside 30 days
    make_mention(
        other_tenant.organisation, created_at=now - timedelta(days=1), rating=1, themes=["globex-secret"]
    )

    response = login(tenant.viewer).get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.context["nav"] == "dashboard"
    assert response.context["days"] == 30
    report = response.context["report"]
    # Counted by hand from the rows above.
    assert report.review_count == 3
    assert report.average_rating == round((5 + 2 + 4) / 3, 2)
    assert (report.cases_answered, report.cases_needing_answer) == (1, 2)
    assert report.response_rate == 0.5
    assert report.median_first_response_seconds == 2 * 3600

    html = response.content.decode()
    assert "50\u00a0%" in html  # response rate, a no-break space before the sign in French
    assert "3,67 / 5" in html  # average rating, French decimals
    assert 'class="card kpi met" data-kpi="first_response_time"' in html  # 2 h <= 24 h
    assert 'class="card kpi missed" data-kpi="response_rate"' in html  # 50 % < 80 %
    assert 'class="card kpi missed" data-kpi="average_rating"' in html  # 3.67 < 4
    assert "accueil" in html
    assert "globex-secret" not in html
    assert "<svg" in html


@pytest.mark.parametrize(("period", "days"), [("7", 7), ("90", 90), ("12", 30), ("x", 30)])
def test_the_period_is_7_30_or_90_days(tenant: Tenant, login: Login, period: str, days: int) -> None:
    response = login(tenant.viewer).get(reverse("dashboard"), {"period": period})
    assert response.status_code == 200
    assert response.context["days"] == days
    assert response.context["period"].days == days


def test_the_period_selector_narrows_the_counts(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    now = timezone.now()
    make_mention(org, created_at=now - timedelta(days=1))
    make_mention(org, created_at=now - timedelta(days=20))
    client = login(tenant.viewer)
    assert client.get(reverse("dashboard"), {"period": 7}).context["report"].mention_volume == 1
    assert client.get(reverse("dashboard"), {"period": 30}).context["report"].mention_volume == 2


def test_the_dashboard_can_focus_on_one_location(tenant: Tenant, other_tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    lyon = make_location(org, "Lyon")
    theirs = make_location(other_tenant.organisation, "Lille")
    make_mention(org, location=lyon, rating=1)
    make_mention(org, rating=5)
    client = login(tenant.viewer)
    assert client.get(reverse("dashboard"), {"location": lyon.pk}).context["report"].average_rating == 1.0
    # Another organisation's location is ignored rather than used.
    response = client.get(reverse("dashboard"), {"location": theirs.pk})
    assert response.context["report"].filters.location_id is None
    assert response.context["report"].average_rating == 3.0


def test_the_dashboard_names_themes_platforms_and_the_missing_location(tenant: Tenant, login: Login) -> None:
    org = tenant.organisation
    now = timezone.now()
    google = make_source(org, "google_business")
    make_mention(org, source=google, created_at=now - timedelta(days=1), themes=["remboursement"], rating=2)
    make_mention(org, source=google, created_at=now - timedelta(days=2), themes=["remboursement"])
    page = login(tenant.viewer).get(reverse("dashboard")).content.decode()
    # The default taxonomy's label for an organisation that kept it, the connector's name, and a
    # readable row for mentions that no location claims.
    assert ">Remboursements</a>" in page
    assert ">Google Business Profile</a>" in page
    assert "Sans lieu" in page
    assert ">remboursement</a>" not in page


def test_a_kpis_change_reads_with_its_unit_its_plural_and_a_true_minus_sign() -> None:
    """Found walking the demo: "+1 pts", "-0.12" with a hyphen, and a response-time change
    without any unit."""
    from django.utils import translation

    from vigie.insights.queries.kpis import Kpi
    from vigie.insights.views import kpi_display

    def change(unit: str, value: float, previous: float) -> str:
        kpi = Kpi("k", "K", value, 0.5, unit, unit != "hours", previous)
        return str(kpi_display(kpi)["change_text"])

    with translation.override("fr"):
        assert change("ratio", 0.51, 0.50) == "+1\u00a0pt"
        assert change("ratio", 0.50, 0.51) == "\u22121\u00a0pt"
        assert change("ratio", 0.50, 0.50) == "0\u00a0pt"
        assert change("ratio", 0.50, 0.62) == "\u221212\u00a0pts"
        assert change("stars", 3.88, 4.0) == "\u22120,12"
        assert change("hours", 2.0, 2.0 + 13 / 6) == "\u22122,2\u00a0h"
        assert change("hours", 1.0, 1.0 - 35 / 60) == "+35\u00a0min"
    with translation.override("en"):
        assert change("ratio", 0.51, 0.50) == "+1\u00a0pt"
        assert change("ratio", 0.50, 0.50) == "0\u00a0pts"
        assert change("ratio", 0.55, 0.50) == "+5\u00a0pts"
        assert change("stars", 3.88, 4.0) == "\u22120.12"
        assert change("hours", 2.0, 2.0 + 13 / 6) == "\u22122.2\u00a0h"


def test_the_dashboard_writes_each_change_with_its_unit(tenant: Tenant, login: Login) -> None:
    import re
    from zoneinfo import ZoneInfo

    org = tenant.organisation
    now = timezone.now()

    def morning(days_ago: int) -> datetime:
        # 10:00 on a weekday, local time: the response delays are counted in business hours, so
        # "now - 3 days" late in the evening made both answers take 0 min (a test that failed
        # after 17:00).
        day = (now - timedelta(days=days_ago)).astimezone(ZoneInfo(org.timezone))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day.replace(hour=10, minute=0, second=0, microsecond=0)

    # The previous 30 days: one review of 5 answered after 4 h; these 30 days: 4 and 3 stars,
    # one of the two answered after 1 h.
    before = make_mention(org, created_at=morning(40), rating=5, themes=["prix"])
    make_case(org, before, first_response_at=before.created_at + timedelta(hours=4))
    make_mention(org, created_at=morning(41), themes=["prix"])
    make_mention(org, created_at=morning(42), themes=["prix"])
    make_mention(org, created_at=morning(4), themes=["prix"], sentiment=Sentiment.NEGATIVE)
    answered = make_mention(org, created_at=morning(3), rating=4)
    make_case(org, answered, first_response_at=answered.created_at + timedelta(hours=1))
    make_case(org, make_mention(org, created_at=morning(2), rating=3))

    html = login(tenant.viewer).get(reverse("dashboard")).content.decode()
    changes = dict(
        re.findall(r'data-kpi="(\w+)">.*?vs période précédente\s*:\s*([^<]*)</p>', html, flags=re.S)
    )
    assert changes["average_rating"] == "\u22121,50"
    assert changes["response_rate"] == "\u221250\u00a0pts"
    assert re.fullmatch(r"[+\u2212]\d+(,\d)?\u00a0(h|min|j)", changes["first_response_time"]), changes
    assert not any("-" in text for text in changes.values())
    # The themes' changes too: "prix" went from 3 mentions to 1.
    assert re.search(
        r'theme=prix">prix</a></td><td class="num">1</td><td class="num">[^<]*</td><td class="num">\u22122</td>',
        html,
    )
    board = login(tenant.viewer).get(reverse("insights-themes")).content.decode()
    assert "(\u22122)</span>" in board
    assert "(-2)" not in board
