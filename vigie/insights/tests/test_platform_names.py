"""A platform has one name on the dashboard's pages: the connector's. Google reviews imported as
"google" count in the "Google Business Profile" row, so the mention list, the export and the
alerts name them so too (they read "Google" beside the row's "Google Business Profile"), and items
imported under X's older name "twitter" read "X" as their row does."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.alerts.queries import incident_breakdown
from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language
from vigie.core.models import Membership
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_location, make_mention, make_source

Login = Callable[[Membership], Client]


def _world(tenant: Tenant) -> None:
    org = tenant.organisation
    now = timezone.now()
    for platform, count in (("google", 6), ("google_business", 2), ("twitter", 1)):
        source = make_source(org, platform=platform)
        for n in range(count):
            make_mention(
                org,
                source=source,
                created_at=now - timedelta(hours=2 + n),
                text=f"Toujours pas remboursé, {platform} {n}",
                sentiment=Sentiment.NEGATIVE,
            )


def test_the_mention_list_names_an_imported_google_review_as_its_row_does(
    tenant: Tenant, login: Login
) -> None:
    _world(tenant)
    client = login(tenant.manager)
    listing = client.get(reverse("insights-mentions"), {"period": "7", "platform": "google_business"})
    page = listing.content.decode()
    assert listing.context["page"].paginator.count == 8
    assert page.count("<td>Google Business Profile</td>") == 8
    assert "<td>Google</td>" not in page
    page = client.get(reverse("insights-mentions"), {"period": "7", "platform": "x"}).content.decode()
    assert "<td>X</td>" in page
    assert "Twitter" not in page


def test_the_export_names_each_platform_as_the_dashboard_does(tenant: Tenant, login: Login) -> None:
    _world(tenant)
    response = login(tenant.manager).get(reverse("insights-export", args=["mentions", "csv"]), {"period": 7})
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("Plateforme")
    names = sorted({row[column] for row in rows[1:]})
    assert names == ["Google Business Profile", "X"]


def test_an_incident_names_the_platform_its_complaints_come_from_once(tenant: Tenant) -> None:
    _world(tenant)
    now = timezone.now()
    breakdown = incident_breakdown(tenant.organisation, now - timedelta(days=1), now)
    # 8 of 9 negative mentions are Google's, under either slug: one platform, by its one name.
    assert breakdown.platform == "Google Business Profile"


def test_the_dashboard_writes_every_average_rating_with_two_decimals(tenant: Tenant, login: Login) -> None:
    """A location at 2,8 beside one at 2,78 read as a different precision (the rounding dropped
    the trailing zero): every row's average reads as the KPI card's, "2,80"."""
    org = tenant.organisation
    now = timezone.now()
    place = make_location(org, "Agence Lyon")
    source = make_source(org, platform="trustpilot")
    for n, rating in enumerate((3, 3, 3, 2, 3)):
        make_mention(
            org, source=source, location=place, rating=rating, created_at=now - timedelta(hours=1 + n)
        )
    page = login(tenant.manager).get(reverse("dashboard"), {"period": "7"}).content.decode()
    locations = page.split('aria-labelledby="locations-title"', 1)[1].split("</section>", 1)[0]
    platforms = page.split('aria-labelledby="platforms-title"', 1)[1].split("</section>", 1)[0]
    assert '<td class="num">2,80</td>' in locations
    assert '<td class="num">2,80</td>' in platforms
    assert '<td class="num">2,8</td>' not in page


def test_the_default_themes_are_named_in_the_readers_language(tenant: Tenant, login: Login) -> None:
    """An English reader of a French organisation read "Remboursements" on the dashboard and the
    theme board, and "Refunds" in the English report: the default taxonomy is named in the
    reader's language; an organisation's own theme keeps its own label."""
    org = tenant.organisation
    now = timezone.now()
    source = make_source(org, platform="trustpilot")
    for n in range(3):
        make_mention(
            org,
            source=source,
            created_at=now - timedelta(hours=1 + n),
            sentiment=Sentiment.NEGATIVE,
            themes=["remboursement"],
            text=f"Toujours pas remboursé {n}",
        )
    client = login(tenant.manager)
    french = client.get(reverse("insights-themes"), {"period": "7"}).content.decode()
    assert "Remboursements" in french
    do_set_user_language(tenant.manager.user, "en")
    for page in ("dashboard", "insights-themes"):
        english = client.get(reverse(page), {"period": "7"}).content.decode()
        assert "Refunds" in english, page
        assert "Remboursements" not in english, page
