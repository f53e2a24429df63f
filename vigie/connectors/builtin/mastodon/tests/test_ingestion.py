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


def test_a_deleted_mention_is_marked_deleted_and_an_edited_one_updated(
    tenant: Tenant, platform: FakePlatform
) -> None:
    """Notifications never show a status again: the end of each poll asks for the newest ones read,
    and the instance answers 404 for a deleted status, the edited text for an edited one."""
    page = load("notifications_page1.json")
    platform.add("GET", "/api/v1/notifications", json=page)
    platform.add("GET", "/api/v1/notifications", json=[])
    source = do_create_source(
        tenant.organisation,
        platform="mastodon",
        name="Mastodon",
        config={"base_url": platform.url, "access_token": TOKEN},
    )
    do_fetch_source(source)
    newest, older = (note["status"] for note in page)
    platform.add("GET", f"/api/v1/statuses/{newest['id']}", status=404, json={"error": "Record not found"})
    edited = {
        **older,
        "content": "<p>@acme finalement livré 🎉, merci</p>",
        "edited_at": "2026-12-06T09:00:00.000Z",
    }
    platform.add("GET", f"/api/v1/statuses/{older['id']}", json=edited)
    report = do_fetch_source(source)
    assert (report.error, report.counts.new) == ("", 0)

    gone = Mention.objects.get(source=source, external_id=newest["id"])
    assert gone.deleted_at is not None
    assert gone.text  # kept as last read
    changed = Mention.objects.get(source=source, external_id=older["id"])
    assert changed.deleted_at is None
    assert changed.text == "@acme finalement livré 🎉, merci"
    assert changed.revisions.count() == 1
    source.refresh_from_db()
    assert list(source.cursor["watch"]) == [older["id"]]

    # A throttled check does not fail the poll: the status stays watched for the next one.
    platform.add("GET", f"/api/v1/statuses/{older['id']}", status=429, json={"error": "Too many requests"})
    report = do_fetch_source(source)
    assert report.error == ""
    source.refresh_from_db()
    assert source.state == SourceState.OK
    assert list(source.cursor["watch"]) == [older["id"]]
