"""Percentages read as the reader's language writes them: "50 %" in French, "50%" in English."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language
from vigie.core.models import Membership
from vigie.inbox.tests.factories import make_case
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_mention

Login = Callable[[Membership], Client]

# A number followed by a space of any kind and the percent sign: French typography.
SPACED_PERCENT = re.compile(r"\d[ \u00a0\u202f]%")


def _mentions(tenant: Tenant) -> None:
    org = tenant.organisation
    now = timezone.now()
    answered = make_mention(
        org, created_at=now - timedelta(days=2), rating=5, sentiment=Sentiment.POSITIVE, themes=["accueil"]
    )
    make_case(org, answered, first_response_at=answered.created_at + timedelta(hours=2))
    make_case(
        org,
        make_mention(
            org, created_at=now - timedelta(days=3), rating=2, sentiment=Sentiment.NEGATIVE, themes=["prix"]
        ),
    )


def _visible(html: str) -> str:
    """The page's text outside its style attributes and style sheets (CSS widths say "50%")."""
    return re.sub(r'style="[^"]*"|<style.*?</style>', "", html, flags=re.S)


def test_an_english_reader_reads_percentages_without_a_space(tenant: Tenant, login: Login) -> None:
    _mentions(tenant)
    do_set_user_language(tenant.viewer.user, "en")
    client = login(tenant.viewer)
    dashboard = _visible(client.get(reverse("dashboard")).content.decode())
    assert "50%" in dashboard  # response rate, the sentiment split, the themes' shares
    assert "3.50 / 5" in dashboard  # a decimal point in English
    assert not SPACED_PERCENT.search(dashboard), SPACED_PERCENT.findall(dashboard)
    themes = _visible(client.get(reverse("insights-themes")).content.decode())
    assert "100%" in themes  # the negative share of the "prix" theme
    assert not SPACED_PERCENT.search(themes)


def test_a_french_reader_keeps_the_no_break_space(tenant: Tenant, login: Login) -> None:
    _mentions(tenant)
    client = login(tenant.viewer)
    dashboard = _visible(client.get(reverse("dashboard")).content.decode())
    assert "50\u00a0%" in dashboard
    assert "3,50 / 5" in dashboard  # a decimal comma in French
    assert not re.search(r"\d%", dashboard)
    themes = _visible(client.get(reverse("insights-themes")).content.decode())
    assert "100\u00a0%" in themes
