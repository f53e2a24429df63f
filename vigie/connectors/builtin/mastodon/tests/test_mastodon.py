"""Mastodon against a fake instance: mentions, searches, paging, replies and every failure mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from vigie.connectors.builtin.mastodon.connector import MastodonConfig, MastodonConnector
from vigie.connectors.builtin.mastodon.tests.conftest import load
from vigie.connectors.contract import ConnectorError, MentionIn, RateLimited
from vigie.connectors.testing import FakePlatform

TOKEN = "mastodon-secret-token-123"
NOTIFICATIONS = "/api/v1/notifications"
SEARCH = "/api/v2/search"
TAG = "/api/v1/timelines/tag/acmebistro"


def connector(platform: FakePlatform, **config: Any) -> MastodonConnector:
    values: dict[str, Any] = {"base_url": platform.url, "access_token": TOKEN, **config}
    return MastodonConnector(MastodonConfig(**values))


def next_link(platform: FakePlatform, max_id: str) -> dict[str, str]:
    return {
        "Link": f'<{platform.url}{NOTIFICATIONS}?max_id={max_id}>; rel="next", '
        f'<{platform.url}{NOTIFICATIONS}?min_id=34975861>; rel="prev"'
    }


def test_test_connection_names_the_account_and_sends_the_token(platform: FakePlatform) -> None:
    platform.add("GET", "/api/v1/accounts/verify_credentials", json=load("verify_credentials.json"))
    description = connector(platform).test_connection()
    assert description.startswith("@acme sur 127.0.0.1")
    assert description.endswith(", 3120 abonnés")
    # In the language of the page that asked (it said "on … followers" to French users).
    from django.utils import translation

    with translation.override("en"):
        english = connector(platform).test_connection()
    assert english.startswith("@acme on 127.0.0.1")
    assert english.endswith(", 3120 followers")
    assert platform.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_mentions_are_read_across_pages_then_only_newer_ones(platform: FakePlatform) -> None:
    platform.add(
        "GET", NOTIFICATIONS, json=load("notifications_page1.json"), headers=next_link(platform, "34975850")
    )
    platform.add(
        "GET",
        NOTIFICATIONS,
        json=load("notifications_page2.json"),
        query={"max_id": "34975850"},
        headers=next_link(platform, "34975800"),
    )
    platform.add("GET", NOTIFICATIONS, json=[], query={"max_id": "34975800"})
    source = connector(platform)

    first = source.fetch({})
    assert [m.external_id for m in first.items] == ["112382926728896492", "112382850011122233"]
    assert first.has_more
    second = source.fetch(first.next_cursor)
    assert [m.external_id for m in second.items] == ["112380000000000777"]
    assert second.has_more  # the Link header still points further back
    third = source.fetch(second.next_cursor)
    assert third.items == []
    assert not third.has_more
    assert third.next_cursor["since"] == {"mentions": "34975861"}

    calls = platform.requests_to("GET", NOTIFICATIONS)
    assert calls[0].query["types[]"] == ["mention"]
    assert calls[0].param("since_id") is None
    assert calls[1].param("max_id") == "34975850"

    platform.add("GET", NOTIFICATIONS, json=[], query={"since_id": "34975861"})
    later = source.fetch(third.next_cursor)
    assert later.items == []
    assert platform.requests_to("GET", NOTIFICATIONS)[-1].param("since_id") == "34975861"


def test_a_mention_is_mapped_with_author_engagement_and_reach(platform: FakePlatform) -> None:
    platform.add("GET", NOTIFICATIONS, json=load("notifications_page1.json"))
    mention = connector(platform).fetch({}).items[0]
    assert mention.kind == "post"
    assert mention.text == "@acme your app logged me out three times today"
    assert mention.created_at == datetime(2024, 5, 2, 7, 49, 1, 940000, tzinfo=UTC)
    assert mention.url == "https://fosstodon.org/@zsc/112382926700000000"
    assert mention.author is not None
    assert mention.author.handle == "zsc@fosstodon.org"
    assert mention.author.display_name == "Zoe S."
    assert mention.author.profile_url == "https://fosstodon.org/@zsc"
    assert mention.author.followers_count == 412
    assert (mention.likes, mention.shares, mention.replies_count) == (7, 3, 0)
    assert mention.reach > 412
    assert mention.language == "en"
    assert mention.raw["id"] == "112382926728896492"


def test_html_content_is_sanitised_to_text_and_safe_html(platform: FakePlatform) -> None:
    platform.add("GET", NOTIFICATIONS, json=load("notifications_page1.json"))
    mention = connector(platform).fetch({}).items[1]
    assert mention.kind == "reply"
    assert mention.parent_external_id == "112382800000000001"
    assert "<" not in mention.text
    assert "commande & du SAV" in mention.text
    assert "alert(1)" not in mention.text
    assert "<script" not in mention.html
    assert "javascript:" not in mention.html
    assert "onclick" not in mention.html
    assert "<p>merci</p>" in mention.html
    assert mention.author is not None
    assert mention.author.display_name == "paul"  # empty display name falls back to the username


def test_hashtags_are_read_from_the_tag_timeline_then_keywords_searched(platform: FakePlatform) -> None:
    platform.add("GET", NOTIFICATIONS, json=[])
    platform.add("GET", TAG, json=load("timeline_tag.json"))
    platform.add("GET", SEARCH, json=load("search_empty.json"), query={"q": "acme bistro"})
    source = connector(platform, hashtags=["#acmebistro"], keywords=["acme bistro"])

    pages = []
    cursor: dict[str, Any] = {}
    for _ in range(3):
        page = source.fetch(cursor)
        pages.append(page)
        cursor = page.next_cursor
    # Every tagged status arrives, not only those of accounts that opted in to search.
    assert [len(p.items) for p in pages] == [0, 3, 0]
    assert [p.has_more for p in pages] == [True, True, False]
    assert pages[1].items[2].text == "Nouvelle carte chez #acmebistro, top !"
    assert pages[1].items[0].author is not None
    assert pages[1].items[0].author.handle == "julie@fosstodon.org"
    assert cursor["since"] == {"#acmebistro": "112390000000000006"}
    assert not [call for call in platform.requests_to("GET", SEARCH) if call.param("q") == "#acmebistro"]

    [timeline] = platform.requests_to("GET", TAG)
    assert timeline.param("since_id") is None
    assert timeline.param("limit") == "40"
    source.fetch({"stream": 1, "since": cursor["since"]})
    assert platform.requests_to("GET", TAG)[-1].param("since_id") == "112390000000000006"
    search = platform.requests_to("GET", SEARCH)
    assert search[0].param("type") == "statuses"
    assert search[0].param("min_id") is None


def test_a_tag_timeline_follows_its_link_header_and_a_first_read_stops_after_five_pages(
    platform: FakePlatform,
) -> None:
    status = load("timeline_tag.json")[0]
    for page in range(8):
        newest = 112390000000009000 - 40 * page
        platform.add(
            "GET",
            TAG,
            json=[{**status, "id": str(newest - n)} for n in range(40)],
            query={"max_id": str(newest + 1)} if page else None,
            headers={"Link": f'<{platform.url}{TAG}?max_id={newest - 39}>; rel="next"'},
        )
    source = connector(platform, include_mentions=False, hashtags=["acmebistro"])
    cursor: dict[str, Any] = {}
    read = 0
    for _ in range(6):
        page = source.fetch(cursor)
        read += len(page.items)
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert read == 200
    assert not page.has_more
    assert cursor["since"] == {"#acmebistro": "112390000000009000"}
    assert [call.param("max_id") for call in platform.requests_to("GET", TAG)][1:] == [
        str(112390000000009000 - 40 * n - 39) for n in range(4)
    ]


def test_a_full_search_page_asks_for_the_next_offset(platform: FakePlatform) -> None:
    status = load("search_hashtag.json")["statuses"][0]
    full = {
        "accounts": [],
        "hashtags": [],
        "statuses": [{**status, "id": str(112390000000000100 - n)} for n in range(40)],
    }
    platform.add("GET", SEARCH, json=full, query={"offset": "0"})
    platform.add("GET", SEARCH, json=load("search_empty.json"), query={"offset": "40"})
    source = connector(platform, include_mentions=False, keywords=["acme"])
    first = source.fetch({})
    assert len(first.items) == 40
    assert first.has_more
    second = source.fetch(first.next_cursor)
    assert second.items == []
    assert not second.has_more
    assert second.next_cursor["since"] == {"q:acme": "112390000000000100"}


def mention_from(platform: FakePlatform, index: int = 0) -> MentionIn:
    platform.add("GET", NOTIFICATIONS, json=load("notifications_page1.json"))
    return connector(platform).fetch({}).items[index]


def test_a_reply_answers_the_status_with_an_idempotency_key(platform: FakePlatform) -> None:
    mention = mention_from(platform)
    platform.add("POST", "/api/v1/statuses", json=load("status_created.json"))
    result = connector(platform).publish_reply(mention, "sorry, we are on it", idempotency_key="reply-7")
    assert result.external_id == "112383000000000042"
    assert result.url == "https://mastodon.social/@acme/112383000000000042"
    sent = platform.requests_to("POST", "/api/v1/statuses")[0]
    assert sent.headers["idempotency-key"] == "reply-7"
    assert sent.json() == {
        "status": "@zsc@fosstodon.org sorry, we are on it",
        "in_reply_to_id": "112382926728896492",
        "visibility": "public",
        "language": "en",
    }


def test_a_direct_message_is_answered_privately(platform: FakePlatform) -> None:
    mention = mention_from(platform, index=1)
    platform.add("POST", "/api/v1/statuses", json=load("status_created.json"))
    connector(platform).publish_reply(mention, "@paul on regarde", idempotency_key="k")
    sent = platform.requests_to("POST", "/api/v1/statuses")[0].json()
    assert sent["visibility"] == "direct"
    assert sent["status"] == "@paul on regarde"


def test_a_refused_reply_is_permanent_and_carries_the_platform_message(platform: FakePlatform) -> None:
    mention = mention_from(platform)
    platform.add(
        "POST",
        "/api/v1/statuses",
        status=422,
        json={"error": "Validation failed: Text character limit of 500 exceeded"},
    )
    with pytest.raises(ConnectorError) as caught:
        connector(platform).publish_reply(mention, "x" * 600, idempotency_key="k")
    assert caught.value.permanent
    assert not caught.value.needs_reauth
    assert "character limit of 500 exceeded" in caught.value.message


def test_deleting_a_reply_already_gone_is_not_an_error(platform: FakePlatform) -> None:
    mention = mention_from(platform)
    platform.add("DELETE", "/api/v1/statuses/1", json=load("status_created.json"))
    platform.add("DELETE", "/api/v1/statuses/2", status=404, json={"error": "Record not found"})
    connector(platform).delete_reply(mention, "1")
    connector(platform).delete_reply(mention, "2")
    assert len(platform.requests) == 3


def test_an_invalid_token_asks_for_reauthorisation_without_leaking_it(platform: FakePlatform) -> None:
    platform.add("GET", NOTIFICATIONS, status=401, json={"error": "The access token is invalid"})
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.needs_reauth
    assert caught.value.permanent
    assert "access token is invalid" in caught.value.message
    assert TOKEN not in str(caught.value)


def test_429_with_retry_after_is_rate_limited(platform: FakePlatform) -> None:
    platform.add(
        "GET", NOTIFICATIONS, status=429, json={"error": "Too many requests"}, headers={"Retry-After": "42"}
    )
    with pytest.raises(RateLimited) as caught:
        connector(platform).fetch({})
    assert caught.value.retry_after == 42


def test_429_without_retry_after_waits_until_the_rate_limit_reset(platform: FakePlatform) -> None:
    reset = (datetime.now(tz=UTC) + timedelta(seconds=120)).isoformat().replace("+00:00", "Z")
    platform.add(
        "GET",
        NOTIFICATIONS,
        status=429,
        json={"error": "Too many requests"},
        headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
    )
    with pytest.raises(RateLimited) as caught:
        connector(platform).fetch({})
    assert 100 < caught.value.retry_after <= 120


def test_a_server_error_is_temporary(platform: FakePlatform) -> None:
    platform.add(
        "GET",
        NOTIFICATIONS,
        status=503,
        body="<html>upstream down</html>",
        headers={"Content-Type": "text/html"},
    )
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert not caught.value.permanent
    assert "HTTP 503" in caught.value.message


def test_a_body_that_is_not_json_is_reported_clearly(platform: FakePlatform) -> None:
    platform.add("GET", NOTIFICATIONS, body="<html>maintenance</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert "not valid JSON" in caught.value.message
    assert "text/html" in caught.value.message


def test_a_payload_of_the_wrong_shape_is_reported_clearly(platform: FakePlatform) -> None:
    platform.add("GET", NOTIFICATIONS, json=[{"id": "1", "type": "mention"}])
    with pytest.raises(ConnectorError, match="unexpected Notification"):
        connector(platform).fetch({})


def test_an_unreachable_instance_is_a_temporary_error() -> None:
    with FakePlatform() as gone:
        url = gone.url
    source = MastodonConnector(MastodonConfig(base_url=url, access_token=TOKEN))
    with pytest.raises(ConnectorError) as caught:
        source.fetch({})
    assert not caught.value.permanent
    assert TOKEN not in caught.value.message


def test_the_config_needs_an_instance_and_marks_the_token_secret() -> None:
    with pytest.raises(ValidationError):
        MastodonConfig(base_url="mastodon.social", access_token="t")
    config = MastodonConfig(base_url="https://mastodon.social/", access_token="t", hashtags=["#a", "a", " "])
    assert config.base_url == "https://mastodon.social"
    assert config.hashtags == ["a"]
    schema = MastodonConfig.model_json_schema()
    assert schema["properties"]["access_token"]["secret"] is True
    assert "secret" not in schema["properties"]["base_url"]


def test_a_post_of_the_organisation_is_a_public_status_sent_with_an_idempotency_key(
    platform: FakePlatform,
) -> None:
    platform.add("POST", "/api/v1/statuses", json=load("status_created.json"))
    result = connector(platform).publish_post("Nous sommes mobilisés.", idempotency_key="statement-3-9")
    assert result.external_id == "112383000000000042"
    sent = platform.requests_to("POST", "/api/v1/statuses")[0]
    assert sent.headers["idempotency-key"] == "statement-3-9"
    assert sent.json() == {"status": "Nous sommes mobilisés.", "visibility": "public"}


def test_a_next_link_that_comes_back_unchanged_ends_the_stream(platform: FakePlatform) -> None:
    """A server (a proxy, another fediverse software) that answers the same ``next`` link again
    must not keep the source on that page for ever: the stream ends and its newest id is kept."""
    platform.add(
        "GET", NOTIFICATIONS, json=load("notifications_page1.json"), headers=next_link(platform, "34975850")
    )
    platform.add(
        "GET",
        NOTIFICATIONS,
        json=load("notifications_page2.json"),
        query={"max_id": "34975850"},
        headers=next_link(platform, "34975850"),
    )
    source = connector(platform)
    cursor: dict[str, Any] = {}
    for _ in range(5):
        page = source.fetch(cursor)
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert not page.has_more
    assert len(platform.requests_to("GET", NOTIFICATIONS)) == 2
    assert cursor["since"] == {"mentions": "34975861"}
    # A first poll asks for nothing again: everything it watches, it has just read.
    assert [r.path for r in platform.requests if r.path.startswith("/api/v1/statuses/")] == []
