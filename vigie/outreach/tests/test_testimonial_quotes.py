"""A quoted testimonial reads with the reader's quotation marks: « … » in French, “…” in English
(the English page showed French guillemets), and what the customer wrote stays escaped."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from django.test import Client

from vigie.core.models import Membership
from vigie.mentions.tests.factories import make_mention
from vigie.outreach.tests.conftest import World

pytestmark = pytest.mark.django_db


def test_quotes_follow_the_reader_and_stay_escaped(
    world: World, login: Callable[[Membership], Client]
) -> None:
    make_mention(world.tenant.organisation, rating="5", text="Parfait <script>alert(1)</script>")
    manager = world.tenant.manager
    page = login(manager).get("/outreach/testimonials/").content.decode()
    assert "<script>alert(1)" not in page
    assert "« Parfait <script>alert(1)</script> »" in html.unescape(page)
    manager.user.language = "en"
    manager.user.save(update_fields=["language"])
    page = login(manager).get("/outreach/testimonials/").content.decode()
    assert "<script>alert(1)" not in page
    assert "“Parfait <script>alert(1)</script>”" in html.unescape(page)
