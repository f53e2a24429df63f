"""Bluesky against a fake PDS: session and refresh, searches, paging, replies and failures."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from vigie.connectors.builtin.bluesky.connector import BlueskyConfig, BlueskyConnector, full_text
from vigie.connectors.builtin.bluesky.schemas import PostRecord
from vigie.connectors.builtin.bluesky.tests.conftest import load
from vigie.connectors.contract import ConnectorError, MentionIn, RateLimited
from vigie.connectors.testing import FakePlatform

PASSWORD = "abcd-efgh-ijkl-SECRET"
CREATE_SESSION = "/xrpc/com.atproto.server.createSession"
REFRESH_SESSION = "/xrpc/com.atproto.server.refreshSession"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"
CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
DELETE_RECORD = "/xrpc/com.atproto.repo.deleteRecord"


def connector(platform: FakePlatform, **config: Any) -> BlueskyConnector:
    # Unless a test says otherwise, one keyword search and no notifications.
    values: dict[str, Any] = {
        "base_url": platform.url,
        "handle": "@acme.com",
        "app_password": PASSWORD,
        "include_mentions": False,
        "keywords": ["acme.com"],
        **config,
    }
    return BlueskyConnector(BlueskyConfig(**values))


def bearer(session: str, field: str = "accessJwt") -> str:
    return f"Bearer {load(session)[field]}"


def posts(platform: FakePlatform) -> list[MentionIn]:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", SEARCH, json=load("search_page1.json"))
    return connector(platform).fetch({}).items


def test_test_connection_opens_a_session_with_the_app_password(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    assert connector(platform).test_connection() == "@acme.com (did:plc:ourbrand123)"
    assert platform.requests[0].json() == {"identifier": "acme.com", "password": PASSWORD}
    assert "authorization" not in platform.requests[0].headers


def test_mentions_replies_and_quotes_come_from_notifications_then_keywords(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", NOTIFICATIONS, json=load("notifications_page1.json"))
    platform.add(
        "GET",
        NOTIFICATIONS,
        json=load("notifications_page2.json"),
        query={"cursor": "2024-05-13T20:40:02.250Z"},
    )
    platform.add("GET", SEARCH, json=load("search_empty.json"), query={"q": "acme checkout"})
    source = connector(platform, include_mentions=True, keywords=["acme checkout"])

    pages = []
    cursor: dict[str, Any] = {}
    for _ in range(3):
        page = source.fetch(cursor)
        pages.append(page)
        cursor = page.next_cursor
    # The like is not a mention; the reply and the quote never spell out the handle.
    assert [[m.external_id.rsplit("/", 1)[-1] for m in p.items] for p in pages] == [
        ["3kt2reply000b", "3kt1quote000d"],
        ["3kt0ment000e"],
        [],
    ]
    assert [p.has_more for p in pages] == [True, True, False]
    assert cursor == {"stream": 0, "since": {"mentions": "2024-05-14T09:12:31.512000+00:00"}}

    calls = platform.requests_to("GET", NOTIFICATIONS)
    assert calls[0].query["reasons"] == ["mention", "reply", "quote"]
    assert calls[0].param("cursor") is None
    assert calls[1].param("cursor") == "2024-05-13T20:40:02.250Z"
    assert all(c.headers["authorization"] == bearer("session.json") for c in calls)
    assert platform.requests_to("GET", SEARCH)[0].param("q") == "acme checkout"
    assert len(platform.requests_to("POST", CREATE_SESSION)) == 1


def test_notifications_are_read_down_to_the_newest_already_seen(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", NOTIFICATIONS, json=load("notifications_page1.json"))
    seen = {"mentions": "2024-05-14T08:00:01+00:00"}
    page = connector(platform, include_mentions=True, keywords=[]).fetch({"since": seen})
    assert [m.external_id.rsplit("/", 1)[-1] for m in page.items] == ["3kt2reply000b"]
    assert not page.has_more  # the rest is older than what was read: no second page
    assert page.next_cursor["since"] == {"mentions": "2024-05-14T09:12:31.512000+00:00"}
    assert len(platform.requests_to("GET", NOTIFICATIONS)) == 1


def test_a_reply_notification_reads_as_a_post_with_its_links_in_full(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", NOTIFICATIONS, json=load("notifications_page1.json"))
    reply, quote = connector(platform, include_mentions=True, keywords=[]).fetch({}).items
    assert reply.kind == "reply"
    assert reply.text == (
        "Déçu : la page https://acme.com/promo-ete-2024-livraison-offerte?utm_source=bsky"
        " renvoie une erreur 404"
    )
    assert reply.parent_external_id == "at://did:plc:ourbrand123/app.bsky.feed.post/3ksroot0000a"
    assert reply.created_at == datetime(2024, 5, 14, 9, 12, 30, 100000, tzinfo=UTC)
    assert reply.url == "https://bsky.app/profile/lea.bsky.social/post/3kt2reply000b"
    assert reply.author is not None
    assert (reply.author.external_id, reply.author.display_name) == ("did:plc:cust0001", "Léa")
    assert reply.language == "fr"
    assert quote.kind == "post"
    assert quote.author is not None
    assert quote.author.display_name == "nico.example.org"


def test_a_reply_to_a_notification_names_its_thread(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", NOTIFICATIONS, json=load("notifications_page1.json"))
    platform.add("POST", CREATE_RECORD, json=load("create_record.json"))
    source = connector(platform, include_mentions=True, keywords=[])
    reply = source.fetch({}).items[0]
    source.publish_reply(reply, "Bonjour Léa, le lien est réparé.", idempotency_key="k")
    record = platform.requests_to("POST", CREATE_RECORD)[0].json()["record"]
    assert record["reply"]["parent"]["uri"] == "at://did:plc:cust0001/app.bsky.feed.post/3kt2reply000b"
    assert record["reply"]["root"]["uri"] == "at://did:plc:ourbrand123/app.bsky.feed.post/3ksroot0000a"


def test_the_next_poll_asks_only_for_posts_since_the_newest_minus_an_overlap(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", SEARCH, json=load("search_empty.json"))
    page = connector(platform).fetch({"since": {"q:acme.com": "2024-05-13T18:02:11.512000+00:00"}})
    assert page.items == []
    assert not page.has_more
    assert page.next_cursor["since"] == {"q:acme.com": "2024-05-13T18:02:11.512000+00:00"}
    assert platform.requests_to("GET", SEARCH)[0].param("since") == "2024-05-13T17:47:11.512Z"


def test_a_post_is_mapped_with_author_engagement_and_thread(platform: FakePlatform) -> None:
    mira, tom = posts(platform)
    assert mira.kind == "post"
    assert mira.external_id == "at://did:plc:abc123/app.bsky.feed.post/3ksr5wq2abc2x"
    assert mira.text == "@acme.com checkout keeps failing on mobile"
    assert mira.created_at == datetime(2024, 5, 13, 18, 2, 11, 512000, tzinfo=UTC)
    assert mira.url == "https://bsky.app/profile/mira.bsky.social/post/3ksr5wq2abc2x"
    assert mira.language == "en"
    assert mira.author is not None
    assert (mira.author.external_id, mira.author.handle, mira.author.display_name) == (
        "did:plc:abc123",
        "mira.bsky.social",
        "Mira",
    )
    assert mira.author.profile_url == "https://bsky.app/profile/mira.bsky.social"
    assert mira.author.followers_count is None
    assert (mira.likes, mira.shares, mira.replies_count) == (4, 0, 1)
    assert mira.reach > 0
    assert tom.kind == "reply"
    assert tom.parent_external_id == "at://did:plc:par222/app.bsky.feed.post/3ksr2parentpo"
    assert tom.shares == 3  # reposts and quotes
    assert tom.author is not None
    assert tom.author.display_name == "tom.example.org"


def test_a_reply_names_the_post_as_parent_and_its_thread_as_root(platform: FakePlatform) -> None:
    mira, tom = posts(platform)
    platform.add("POST", CREATE_RECORD, json=load("create_record.json"))
    source = connector(platform)
    result = source.publish_reply(mira, "Sorry about that! Can you DM us?", idempotency_key="k")
    assert result.external_id == "at://did:plc:ourbrand123/app.bsky.feed.post/3ksr6abcd2k2y"
    assert result.url == "https://bsky.app/profile/acme.com/post/3ksr6abcd2k2y"
    source.publish_reply(tom, "On regarde.", idempotency_key="k2")

    first, second = (r.json() for r in platform.requests_to("POST", CREATE_RECORD))
    parent = {"uri": mira.external_id, "cid": "bafyreia6p2example"}
    assert first["repo"] == "did:plc:ourbrand123"
    assert first["collection"] == "app.bsky.feed.post"
    assert first["record"]["$type"] == "app.bsky.feed.post"
    assert first["record"]["text"] == "Sorry about that! Can you DM us?"
    assert first["record"]["reply"] == {"root": parent, "parent": parent}
    assert first["record"]["langs"] == ["en"]
    assert first["record"]["createdAt"].endswith("Z")
    assert second["record"]["reply"] == {
        "root": {"uri": "at://did:plc:root111/app.bsky.feed.post/3ksr1rootpost", "cid": "bafyreiroot1"},
        "parent": {"uri": tom.external_id, "cid": "bafyreib7q3example"},
    }


def test_a_reply_the_thread_settings_forbid_is_refused_before_sending(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", SEARCH, json=load("search_page2.json"))
    (lena,) = connector(platform).fetch({}).items
    with pytest.raises(ConnectorError, match="thread settings") as caught:
        connector(platform).publish_reply(lena, "Merci !", idempotency_key="k")
    assert caught.value.permanent
    assert platform.requests_to("POST", CREATE_RECORD) == []


def test_a_refused_reply_is_permanent_and_carries_the_platform_message(platform: FakePlatform) -> None:
    mira, _ = posts(platform)
    platform.add("POST", CREATE_RECORD, status=400, json=load("error_reply_refused.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).publish_reply(mira, "Hello", idempotency_key="k")
    assert caught.value.permanent
    assert not caught.value.needs_reauth
    assert "Reply is not allowed by the thread's reply rules" in caught.value.message


def test_a_reply_is_deleted_by_its_record_key(platform: FakePlatform) -> None:
    mira, _ = posts(platform)
    platform.add("POST", DELETE_RECORD, json={"commit": {"cid": "bafyreicommit2", "rev": "3ksr7"}})
    connector(platform).delete_reply(mira, "at://did:plc:ourbrand123/app.bsky.feed.post/3ksr6abcd2k2y")
    assert platform.requests_to("POST", DELETE_RECORD)[0].json() == {
        "repo": "did:plc:ourbrand123",
        "collection": "app.bsky.feed.post",
        "rkey": "3ksr6abcd2k2y",
    }


def test_an_access_jwt_past_its_expiry_is_refreshed_before_the_call(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session_expired_access.json"))
    platform.add("POST", REFRESH_SESSION, json=load("session_refreshed.json"))
    platform.add("GET", SEARCH, json=load("search_empty.json"))
    connector(platform).fetch({})
    refresh = platform.requests_to("POST", REFRESH_SESSION)[0]
    assert refresh.headers["authorization"] == bearer("session_expired_access.json", "refreshJwt")
    assert platform.requests_to("GET", SEARCH)[0].headers["authorization"] == bearer("session_refreshed.json")


def test_an_expired_token_answer_triggers_one_refresh(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", SEARCH, status=400, json=load("error_expired_token.json"))
    platform.add("GET", SEARCH, json=load("search_empty.json"))
    platform.add("POST", REFRESH_SESSION, json=load("session_refreshed.json"))
    assert connector(platform).fetch({}).items == []
    calls = platform.requests_to("GET", SEARCH)
    assert [c.headers["authorization"] for c in calls] == [
        bearer("session.json"),
        bearer("session_refreshed.json"),
    ]


def test_a_refused_refresh_opens_a_new_session_once(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", SEARCH, status=400, json=load("error_expired_token.json"))
    platform.add("GET", SEARCH, json=load("search_empty.json"))
    platform.add("POST", REFRESH_SESSION, status=400, json=load("error_expired_token.json"))
    connector(platform).fetch({})
    assert len(platform.requests_to("POST", CREATE_SESSION)) == 2


def test_a_token_refused_after_a_refresh_asks_for_reauthorisation(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", SEARCH, status=400, json=load("error_expired_token.json"))
    platform.add("POST", REFRESH_SESSION, json=load("session_refreshed.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.needs_reauth
    assert len(platform.requests_to("GET", SEARCH)) == 2


def test_a_wrong_app_password_asks_for_reauthorisation_without_leaking_it(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, status=401, json=load("error_bad_password.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.needs_reauth
    assert "Invalid identifier or password" in caught.value.message
    assert PASSWORD not in str(caught.value)


def test_429_with_retry_after_is_rate_limited(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add(
        "GET", SEARCH, status=429, json=load("error_rate_limited.json"), headers={"Retry-After": "12"}
    )
    with pytest.raises(RateLimited) as caught:
        connector(platform).fetch({})
    assert caught.value.retry_after == 12


def test_429_without_retry_after_waits_until_ratelimit_reset(platform: FakePlatform) -> None:
    reset = int(time.time()) + 90
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add(
        "GET",
        SEARCH,
        status=429,
        json=load("error_rate_limited.json"),
        headers={"ratelimit-limit": "3000", "ratelimit-remaining": "0", "ratelimit-reset": str(reset)},
    )
    with pytest.raises(RateLimited) as caught:
        connector(platform).fetch({})
    assert 80 < caught.value.retry_after <= 90


def test_a_server_error_is_temporary(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", SEARCH, status=502, json={"error": "UpstreamFailure", "message": "Upstream Failure"})
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert not caught.value.permanent
    assert "UpstreamFailure" in caught.value.message


def test_a_body_that_is_not_json_is_reported_clearly(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add(
        "GET", SEARCH, body="<html>Service Unavailable</html>", headers={"Content-Type": "text/html"}
    )
    with pytest.raises(ConnectorError, match="not valid JSON"):
        connector(platform).fetch({})


def test_the_config_needs_a_handle_and_marks_the_password_secret() -> None:
    with pytest.raises(ValidationError):
        BlueskyConfig(handle=" ", app_password="x")
    config = BlueskyConfig(handle="@acme.com", app_password="x", keywords=["a", " a ", ""])
    assert (config.handle, config.keywords) == ("acme.com", ["a"])
    assert BlueskyConnector(config).base_url == "https://bsky.social"
    properties = BlueskyConfig.model_json_schema()["properties"]
    assert properties["app_password"]["secret"] is True


def test_a_session_is_reused_by_the_next_run(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", SEARCH, json=load("search_empty.json"))
    connector(platform).fetch({})
    connector(platform).fetch({})
    assert len(platform.requests_to("POST", CREATE_SESSION)) == 1
    connector(platform, app_password="another-password").fetch({})
    assert len(platform.requests_to("POST", CREATE_SESSION)) == 2


def test_link_facets_out_of_range_or_overlapping_leave_the_text_as_written() -> None:
    def link(start: int, end: int, uri: str) -> dict[str, Any]:
        return {
            "index": {"byteStart": start, "byteEnd": end},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
        }

    text = "voir a.fr/x... et b.fr/y..."
    record = PostRecord.model_validate(
        {
            "text": text,
            "facets": [
                link(5, 14, "https://a.fr/xyz"),
                link(9, 20, "https://overlap.example"),  # overlaps the first: ignored
                link(18, 99, "https://b.fr/yyy"),  # beyond the text: ignored
                link(18, 27, "javascript:alert(1)"),  # not a web address: ignored
            ],
        }
    )
    assert full_text(record) == "voir https://a.fr/xyz et b.fr/y..."


def test_a_statement_is_a_post_of_the_account_outside_any_thread(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("POST", CREATE_RECORD, json=load("create_record.json"))
    result = connector(platform).publish_post("Nous sommes mobilisés.", idempotency_key="statement-3-9")
    assert result.url == "https://bsky.app/profile/acme.com/post/3ksr6abcd2k2y"
    (sent,) = (request.json() for request in platform.requests_to("POST", CREATE_RECORD))
    assert sent["repo"] == "did:plc:ourbrand123"
    assert sent["record"]["text"] == "Nous sommes mobilisés."
    assert "reply" not in sent["record"]
    with pytest.raises(ConnectorError) as refused:
        connector(platform).publish_post("x" * 301, idempotency_key="k")
    assert refused.value.permanent


def test_a_search_cursor_that_comes_back_unchanged_ends_the_walk(platform: FakePlatform) -> None:
    # An AppView may answer the last page with the cursor it was given: the walk stops there
    # instead of reading the same page at every call and never finishing the poll.
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", SEARCH, json=load("search_page1.json"))
    platform.add("GET", SEARCH, json=load("search_page1.json"), query={"cursor": "25"})
    source = connector(platform)
    first = source.fetch({})
    assert first.has_more
    second = source.fetch(first.next_cursor)
    assert not second.has_more
    assert "page" not in second.next_cursor
    assert second.next_cursor["since"]["q:acme.com"]
    assert len(platform.requests_to("GET", SEARCH)) == 2


def test_a_notifications_cursor_that_comes_back_unchanged_ends_the_walk(platform: FakePlatform) -> None:
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    looping = load("notifications_page1.json")
    platform.add("GET", NOTIFICATIONS, json=looping)
    platform.add("GET", NOTIFICATIONS, json=looping, query={"cursor": looping["cursor"]})
    source = connector(platform, include_mentions=True, keywords=[])
    first = source.fetch({})
    assert first.has_more
    second = source.fetch(first.next_cursor)
    assert not second.has_more
    assert second.next_cursor["since"]["mentions"]


def test_an_author_whose_handle_bluesky_cannot_verify_links_by_did(platform: FakePlatform) -> None:
    page = load("search_page1.json")
    post = page["posts"][0]
    post["author"]["handle"] = "handle.invalid"
    post["author"].pop("displayName", None)
    page.pop("cursor", None)
    platform.add("POST", CREATE_SESSION, json=load("session.json"))
    platform.add("GET", SEARCH, json=page)
    item = connector(platform).fetch({}).items[0]
    did = post["author"]["did"]
    assert item.url == f"https://bsky.app/profile/{did}/post/{post['uri'].rsplit('/', 1)[-1]}"
    assert item.author is not None
    assert (item.author.external_id, item.author.handle, item.author.display_name) == (did, "", "")
    assert item.author.profile_url == f"https://bsky.app/profile/{did}"
