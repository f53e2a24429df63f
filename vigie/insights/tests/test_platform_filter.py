"""The dashboard's "Plateforme" menu names each platform once, as the dashboard's rows do: the
survey tool's answers as "Enquête de satisfaction" (not "Webhook signé"), X once for x and the
imported twitter, Google once for google_business and the imported google."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html import unescape

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language
from vigie.core.models import Membership
from vigie.mentions.models import MentionKind
from vigie.mentions.tests.factories import make_mention, make_source

Login = Callable[[Membership], Client]


def _platform_menu(page: str) -> list[tuple[str, str]]:
    """The filter bar's platform menu as a reader sees it: (value, name) per option."""
    menu = re.search(r'<select name="platform"[^>]*>(.*?)</select>', page, re.S)
    assert menu is not None, page
    return [
        (value, unescape(text).strip())
        for value, text in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', menu.group(1))
    ]


def _platform_table(page: str) -> dict[str, int]:
    """The dashboard's platform split as a reader sees it: mentions per row's name."""
    section = page.split('aria-labelledby="platforms-title"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a></td><td class="num">(\d+)</td>', section)
    return {unescape(name): int(count) for name, count in rows}


def _world(tenant: Tenant) -> None:
    org = tenant.organisation
    now = timezone.now()
    survey_tool = make_source(org, platform="webhook", name="Enquête après contact")
    for hours in (2, 3, 4):
        make_mention(
            org,
            source=survey_tool,
            kind=MentionKind.SURVEY_ANSWER,
            created_at=now - timedelta(hours=hours),
            text=f"Réponse à l'enquête {hours}",
        )
    for platform, count in (("x", 2), ("twitter", 1), ("google_business", 1), ("google", 2)):
        source = make_source(org, platform=platform)
        for n in range(count):
            make_mention(org, source=source, created_at=now - timedelta(hours=5 + n), text=f"{platform} {n}")


def test_the_platform_menu_names_each_platform_once_as_the_rows_do(tenant: Tenant, login: Login) -> None:
    _world(tenant)
    client = login(tenant.viewer)
    page = client.get(reverse("dashboard"), {"period": 7}).content.decode()
    menu = _platform_menu(page)
    assert menu == [
        ("", "Toutes"),
        ("survey", "Enquête de satisfaction"),
        ("google_business", "Google Business Profile"),
        ("x", "X"),
    ]
    names = [name for _value, name in menu]
    assert "Webhook signé" not in names
    assert "X (Twitter, fichiers importés)" not in names
    # The rows read as the menu does, each platform once.
    assert _platform_table(page) == {"Enquête de satisfaction": 3, "Google Business Profile": 3, "X": 3}

    # Each choice narrows the dashboard to what its row counts.
    for value, name, count in (
        ("survey", "Enquête de satisfaction", 3),
        ("x", "X", 3),
        ("google_business", "Google Business Profile", 3),
    ):
        filtered = client.get(reverse("dashboard"), {"period": 7, "platform": value}).content.decode()
        assert _platform_table(filtered) == {name: count}, value
        listing = client.get(reverse("insights-mentions"), {"period": 7, "platform": value})
        assert listing.context["page"].paginator.count == count, value
    # A link naming the older slug filters by the same platform.
    filtered = client.get(reverse("dashboard"), {"period": 7, "platform": "twitter"}).content.decode()
    assert _platform_table(filtered) == {"X": 3}

    do_set_user_language(tenant.viewer.user, "en")
    page = client.get(reverse("dashboard"), {"period": 7}).content.decode()
    assert [name for _value, name in _platform_menu(page)] == [
        "All",
        "Google Business Profile",
        "Satisfaction survey",
        "X",
    ]


def test_a_webhook_bringing_other_mentions_too_keeps_its_own_name(tenant: Tenant, login: Login) -> None:
    _world(tenant)
    org = tenant.organisation
    crm = make_source(org, platform="webhook", name="CRM")
    make_mention(org, source=crm, created_at=timezone.now() - timedelta(hours=1), text="Poussé par le CRM")
    page = login(tenant.viewer).get(reverse("dashboard"), {"period": 7}).content.decode()
    names = [name for _value, name in _platform_menu(page)]
    assert names.count("Webhook signé") == 1
    assert names.count("Enquête de satisfaction") == 1
