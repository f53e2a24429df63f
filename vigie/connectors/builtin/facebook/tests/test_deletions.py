"""A comment deleted on Facebook is found by polling too, not only by webhook: missing from the
complete listing of its post's comments, it is marked deleted (kept), and shown again if listed."""

from __future__ import annotations

import copy
from typing import Any

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.facebook.tests.conftest import config, load
from vigie.connectors.builtin.facebook.tests.test_facebook import PAGE_ID, POST_1, V, script_full_walk
from vigie.connectors.testing import FakePlatform
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

AFTER = "WTI5dGJXVnVkRjlqZAFhKemIzSTZAO"
REPLY = "560011223344_998877665702"
OTHER_POST_COMMENT = "559900112233_887766554433"


def feed_with_post_1_updated(at: str) -> dict[str, Any]:
    """The first feed page once someone commented again under post 1 (Meta moves its
    ``updated_time``): the next poll reads its comments again. The last page of the feed."""
    feed = copy.deepcopy(load("feed_page1.json"))
    feed["data"][0]["updated_time"] = at
    del feed["paging"]["next"]
    return feed


def second_page_without_the_reply() -> dict[str, Any]:
    page = copy.deepcopy(load("comments_post1_page2.json"))
    page["data"] = [c for c in page["data"] if c["id"] != REPLY]
    return page


def read(source: Any) -> dict[str, bool]:
    return {m.external_id: m.deleted_at is not None for m in Mention.objects.filter(source=source)}


def test_a_comment_missing_from_its_posts_whole_listing_is_marked_deleted_then_restored(
    tenant: Tenant, platform: FakePlatform
) -> None:
    script_full_walk(platform)
    source = do_create_source(tenant.organisation, platform="facebook", name="Page", config=config(platform))
    do_fetch_source(source)
    assert read(source)[REPLY] is False
    assert not any(read(source).values())

    # The reply was deleted on Facebook; no webhook came. The next poll reads post 1's comments
    # again, both pages: the reply is not among them any more.
    platform.add("GET", f"{V}/{PAGE_ID}/feed", json=feed_with_post_1_updated("2026-12-03T08:00:00+0000"))
    platform.add(
        "GET", f"{V}/{POST_1}/comments", json=second_page_without_the_reply(), query={"after": AFTER}
    )
    report = do_fetch_source(source)
    assert report.error == "" or report.error is None
    gone = Mention.objects.get(source=source, external_id=REPLY)
    assert gone.deleted_at is not None
    assert gone.text == "Pareil pour moi, 5 semaines d'attente."  # kept as last read
    # The first comment of the post was listed; the comment under post 3, not re-read, is untouched.
    assert read(source)["560011223344_998877665544"] is False
    assert read(source)[OTHER_POST_COMMENT] is False

    # Listed again (the author's account came back): shown again.
    platform.add("GET", f"{V}/{PAGE_ID}/feed", json=feed_with_post_1_updated("2026-12-03T09:00:00+0000"))
    platform.add(
        "GET", f"{V}/{POST_1}/comments", json=load("comments_post1_page2.json"), query={"after": AFTER}
    )
    do_fetch_source(source)
    assert not any(read(source).values())


def test_a_listing_cut_short_by_an_error_marks_nothing(tenant: Tenant, platform: FakePlatform) -> None:
    script_full_walk(platform)
    source = do_create_source(tenant.organisation, platform="facebook", name="Page", config=config(platform))
    do_fetch_source(source)

    # Post 1's first page is read, its second page fails: the reply was never proven missing.
    platform.add("GET", f"{V}/{PAGE_ID}/feed", json=feed_with_post_1_updated("2026-12-03T08:00:00+0000"))
    failure = {"error": {"message": "An unexpected error has occurred.", "type": "OAuthException", "code": 2}}
    platform.add("GET", f"{V}/{POST_1}/comments", json=failure, status=500, query={"after": AFTER})
    do_fetch_source(source)
    source.refresh_from_db()
    assert source.last_error
    assert not any(read(source).values())

    # The next poll goes on from the second page: the listing is whole again, and the reply is there.
    platform.add(
        "GET", f"{V}/{POST_1}/comments", json=load("comments_post1_page2.json"), query={"after": AFTER}
    )
    do_fetch_source(source)
    assert not any(read(source).values())


def test_an_empty_listing_marks_nothing(tenant: Tenant, platform: FakePlatform) -> None:
    script_full_walk(platform)
    source = do_create_source(tenant.organisation, platform="facebook", name="Page", config=config(platform))
    do_fetch_source(source)
    platform.add("GET", f"{V}/{PAGE_ID}/feed", json=feed_with_post_1_updated("2026-12-03T08:00:00+0000"))
    empty = {"data": [], "summary": {"order": "chronological", "total_count": 3, "can_comment": True}}
    platform.add("GET", f"{V}/{POST_1}/comments", json=empty)
    do_fetch_source(source)
    assert not any(read(source).values())


def test_a_listing_whose_cursor_repeats_proves_nothing(tenant: Tenant, platform: FakePlatform) -> None:
    script_full_walk(platform)
    source = do_create_source(tenant.organisation, platform="facebook", name="Page", config=config(platform))
    do_fetch_source(source)
    # Meta answers the second page with the very cursor it was asked with: the walk stops there,
    # and what lay beyond was never read.
    stuck = second_page_without_the_reply()
    stuck["paging"] = {
        "cursors": {"before": "x", "after": AFTER},
        "next": f"https://graph.facebook.com{V}/{POST_1}/comments?after={AFTER}",
    }
    platform.add("GET", f"{V}/{PAGE_ID}/feed", json=feed_with_post_1_updated("2026-12-03T08:00:00+0000"))
    platform.add("GET", f"{V}/{POST_1}/comments", json=stuck, query={"after": AFTER})
    do_fetch_source(source)
    assert not any(read(source).values())
