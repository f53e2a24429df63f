"""Bluesky through the framework's fetch run."""

from __future__ import annotations

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.bluesky.tests.conftest import load
from vigie.connectors.models import SourceState
from vigie.connectors.testing import FakePlatform
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

PASSWORD = "abcd-efgh-ijkl-SECRET"


def test_a_fetch_run_stores_threads_once(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add("POST", "/xrpc/com.atproto.server.createSession", json=load("session.json"))
    notifications = "/xrpc/app.bsky.notification.listNotifications"
    platform.add("GET", notifications, json=load("notifications_page1.json"))
    platform.add(
        "GET",
        notifications,
        json=load("notifications_page2.json"),
        query={"cursor": "2024-05-13T20:40:02.250Z"},
    )
    source = do_create_source(
        tenant.organisation,
        platform="bluesky",
        name="Bluesky",
        config={"base_url": platform.url, "handle": "acme.com", "app_password": PASSWORD},
    )
    report = do_fetch_source(source)
    assert (report.counts.new, report.pages, report.error) == (3, 2, "")
    assert do_fetch_source(source).counts.new == 0
    assert Mention.objects.filter(source=source).count() == 3


def test_a_wrong_app_password_needs_reauthorisation(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add(
        "POST", "/xrpc/com.atproto.server.createSession", status=401, json=load("error_bad_password.json")
    )
    source = do_create_source(
        tenant.organisation,
        platform="bluesky",
        name="Bluesky",
        config={"base_url": platform.url, "handle": "acme.com", "app_password": PASSWORD},
    )
    do_fetch_source(source)
    source.refresh_from_db()
    assert source.state == SourceState.NEEDS_REAUTH
    assert PASSWORD not in source.last_error
