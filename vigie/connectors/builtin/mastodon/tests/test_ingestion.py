"""Mastodon through the framework's fetch run: stored once, cursor kept, health recorded."""

from __future__ import annotations

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.mastodon.tests.conftest import load
from vigie.connectors.models import SourceState
from vigie.connectors.testing import FakePlatform
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

TOKEN = "mastodon-secret-token-123"


def test_a_fetch_run_stores_each_mention_once_and_keeps_the_cursor(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("GET", "/api/v1/notifications", json=load("notifications_page1.json"))
    source = do_create_source(
        tenant.organisation,
        platform="mastodon",
        name="Mastodon",
        config={"base_url": platform.url, "access_token": TOKEN},
    )
    first = do_fetch_source(source)
    assert (first.counts.new, first.error) == (2, "")
    source.refresh_from_db()
    assert source.cursor["since"] == {"mentions": "34975861"}
    second = do_fetch_source(source)
    assert second.counts.new == 0
    assert Mention.objects.filter(source=source).count() == 2
    assert platform.requests_to("GET", "/api/v1/notifications")[-1].param("since_id") == "34975861"


def test_a_revoked_token_puts_the_source_in_needs_reauthorisation(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("GET", "/api/v1/notifications", status=401, json={"error": "The access token was revoked"})
    source = do_create_source(
        tenant.organisation,
        platform="mastodon",
        name="Mastodon",
        config={"base_url": platform.url, "access_token": TOKEN},
    )
    do_fetch_source(source)
    source.refresh_from_db()
    assert source.state == SourceState.NEEDS_REAUTH
    assert "The access token was revoked" in source.last_error
    assert TOKEN not in source.last_error
