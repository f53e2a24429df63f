"""YouTube through the framework: the CLI adds the source and fetches it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.youtube.tests.conftest import (
    API_KEY,
    CHANNEL,
    THREAD_A,
    THREAD_C,
    V3,
    config,
    load,
    script_walk,
)
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.models import Membership
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention


def test_source_add_then_fetch_from_the_command_line(tenant: Tenant, platform: FakePlatform) -> None:
    script_walk(platform)
    out = io.StringIO()
    call_command(
        "source", "add", "--org", "acme", "--platform", "youtube", "--name", "Chaîne YouTube",
        "--config", json.dumps(config(platform)), stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert out.getvalue().startswith("created source Chaîne YouTube (youtube)")
    source = Source.objects.get(name="Chaîne YouTube")
    assert API_KEY not in json.dumps(source.config)
    call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    assert Mention.objects.filter(source=source).count() == 5
    call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    assert Mention.objects.filter(source=source).count() == 5


def test_a_manager_adds_the_channel_from_the_sources_page(
    tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    client = login(tenant.manager)
    page = client.get(reverse("source_add", args=["youtube"])).content.decode()
    for key in ("base_url", "channel_id", "video_ids", "search_terms"):
        assert f'name="config-{key}"' in page, key
    for key in ("api_key", "access_token", "refresh_token", "client_secret"):
        assert f'type="password" name="config-{key}"' in page, key
    response = client.post(
        reverse("source_add", args=["youtube"]),
        {
            "source-name": "Chaîne",
            "source-poll_interval_minutes": "30",
            "config-api_key": API_KEY,
            "config-channel_id": "UCq3Lm4uN8dFf0XbG7pRkZ2w",
            "config-video_ids": "dQ7xK2mLp9A\nHh3nR8tYq1Z",
            "config-search_terms": "paiement",
            "config-daily_units": "2000",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get(name="Chaîne")
    assert source.config["video_ids"] == ["dQ7xK2mLp9A", "Hh3nR8tYq1Z"]
    assert API_KEY not in json.dumps(source.config)


def edited(comment: dict[str, Any], text: str, updated_at: str) -> dict[str, Any]:
    """``comment`` as YouTube returns it once its author edited it: same id, new text, ``updatedAt``
    moved (``textDisplay`` holds the same text, HTML-escaped)."""
    snippet = {**comment["snippet"], "textOriginal": text, "textDisplay": text, "updatedAt": updated_at}
    return {**comment, "snippet": snippet}


def test_an_older_comment_edited_since_is_updated_with_its_previous_version_kept(
    tenant: Tenant, platform: FakePlatform
) -> None:
    """Thread C is on the second page: a usual poll stops at the first page, which it already
    knows. The check at the end of the poll reads C again and finds it edited."""
    script_walk(platform)
    source = do_create_source(tenant.organisation, platform="youtube", name="Chaîne", config=config(platform))
    do_fetch_source(source)
    mention = Mention.objects.get(source=source, external_id=THREAD_C)
    before = mention.text
    assert mention.replies_count == 0

    top_c = load("threads_page2.json")["items"][0]["snippet"]["topLevelComment"]
    check = load("comments_check.json")
    check["items"].append(edited(top_c, "Finalement remboursé 😀 merci !", "2026-12-06T11:00:00Z"))
    platform.add("GET", f"{V3}/comments", json=check, query={"id": f"{THREAD_C},{THREAD_A}"})
    do_fetch_source(source)

    # A usual poll: the second page of threads was not asked for again.
    pages = platform.requests_to("GET", f"{V3}/commentThreads")
    assert [r.param("pageToken") for r in pages if r.param("allThreadsRelatedToChannelId") == CHANNEL] == [
        None,
        "QURTSl9pM2x3",
        None,
    ]
    mention.refresh_from_db()
    assert mention.text == "Finalement remboursé 😀 merci !"
    assert mention.deleted_at is None
    assert list(mention.revisions.values_list("text", flat=True)) == [before]
    # Thread A, unchanged, and its reply count (the check's comments carry none) are left as they were.
    thread_a = Mention.objects.get(source=source, external_id=THREAD_A)
    assert thread_a.replies_count == 3
    assert not thread_a.revisions.exists()


def test_a_daily_deep_read_finds_edits_beyond_the_first_page(tenant: Tenant, platform: FakePlatform) -> None:
    """An edited comment too old to be among the comments checked each poll is read again by the
    daily deep read, which goes past the threads already known."""
    script_walk(platform)
    source = do_create_source(tenant.organisation, platform="youtube", name="Chaîne", config=config(platform))
    do_fetch_source(source)
    source.refresh_from_db()
    # C is no longer among the watched comments (newer ones took its place), and the day has passed.
    cursor = dict(source.cursor)
    cursor["watch"] = {k: v for k, v in cursor["watch"].items() if k != THREAD_C}
    cursor["deep_at"] = "2026-01-01T00:00:00+00:00"
    source.cursor = cursor
    source.save(update_fields=["cursor"])

    page2 = load("threads_page2.json")
    thread = page2["items"][0]
    thread["snippet"]["topLevelComment"] = edited(
        thread["snippet"]["topLevelComment"], "Remboursement reçu, merci", "2026-12-06T11:00:00Z"
    )
    platform.add(
        "GET",
        f"{V3}/commentThreads",
        json=page2,
        query={"allThreadsRelatedToChannelId": CHANNEL, "pageToken": "QURTSl9pM2x3"},
    )
    # The check at the end of the poll sees C as it now is, too.
    check = load("comments_check.json")
    check["items"].append(thread["snippet"]["topLevelComment"])
    platform.add("GET", f"{V3}/comments", json=check, query={"id": f"{THREAD_C},{THREAD_A}"})
    do_fetch_source(source)
    assert [r.param("pageToken") for r in platform.requests_to("GET", f"{V3}/commentThreads")][-2] == (
        "QURTSl9pM2x3"
    )
    mention = Mention.objects.get(source=source, external_id=THREAD_C)
    assert mention.text == "Remboursement reçu, merci"
    assert mention.revisions.count() == 1
    source.refresh_from_db()
    assert source.cursor["deep_at"] > "2026-01-01"
    assert "deep" not in source.cursor
