"""The YouTube connector against a local stand-in of the Data API v3 replaying YouTube's payloads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import translation

from vigie.connectors.builtin.youtube.connector import YoutubeConfig, YoutubeConnector, pacific_day
from vigie.connectors.builtin.youtube.tests.conftest import (
    ACCESS,
    API_KEY,
    CHANNEL,
    THREAD_A,
    THREAD_C,
    V3,
    config,
    load,
    script_walk,
)
from vigie.connectors.contract import ConnectorError, MentionIn, RateLimited
from vigie.connectors.testing import FakePlatform


def walk(connector: YoutubeConnector, cursor: dict[str, Any]) -> tuple[list[MentionIn], dict[str, Any], int]:
    items: list[MentionIn] = []
    for calls in range(1, 30):
        page = connector.fetch(cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if not page.has_more:
            return items, cursor, calls
    raise AssertionError("the walk never ended")


def test_a_poll_reads_threads_page_by_page_and_every_reply(
    platform: FakePlatform, connector: YoutubeConnector
) -> None:
    script_walk(platform)
    items, cursor, calls = walk(connector, {})
    by_id = {item.external_id: item for item in items}
    # The channel's own comment and own reply are not mentions; the replies under them are.
    assert set(by_id) == {
        THREAD_A,
        f"{THREAD_A}.A1bCdEfGhIj",
        f"{THREAD_A}.A1bCdEfGhNp",
        "UgxPn0dLr5sJ8eQv6Mw4AaABAg.Zz9Yy8Xx7Ww",
        THREAD_C,
    }
    # Two thread pages, the video without comments, one thread's replies, the deletion check.
    assert calls == 5
    top = by_id[THREAD_A]
    assert top.kind == "comment"
    assert top.text.startswith("L'appli plante")
    assert top.author is not None
    assert (top.author.external_id, top.author.display_name) == ("UCzx9Yw8Vu7Ts6Rq5Po4Nm3L", "@marc_dlv")
    assert (top.likes, top.replies_count) == (17, 3)
    assert top.created_at == datetime(2026, 12, 5, 8, 12, 55, tzinfo=UTC)
    assert top.url == f"https://www.youtube.com/watch?v=dQ7xK2mLp9A&lc={THREAD_A}"
    reply = by_id[f"{THREAD_A}.A1bCdEfGhNp"]
    assert (reply.kind, reply.parent_external_id) == ("reply", THREAD_A)

    first = platform.requests_to("GET", f"{V3}/commentThreads")[0]
    assert first.param("key") == API_KEY
    assert (first.param("part"), first.param("order"), first.param("maxResults")) == (
        "snippet,replies",
        "time",
        "100",
    )
    assert cursor["since"]["channel"] == "2026-12-05T08:12:55Z"
    assert cursor["quota"] == {"day": pacific_day().isoformat(), "used": 5}


def test_search_terms_are_passed_to_youtube(platform: FakePlatform) -> None:
    platform.add("GET", f"{V3}/commentThreads", json=load("threads_empty.json"))
    connector = YoutubeConnector(
        YoutubeConfig.model_validate(config(platform, video_ids=[], search_terms="paiement"))
    )
    walk(connector, {})
    assert platform.requests_to("GET", f"{V3}/commentThreads")[0].param("searchTerms") == "paiement"


def test_a_comment_youtube_no_longer_returns_comes_back_marked_deleted(
    platform: FakePlatform, connector: YoutubeConnector
) -> None:
    script_walk(platform)
    _, cursor, _ = walk(connector, {})
    # The next check finds only thread A: C was deleted by its author.
    platform.add(
        "GET", f"{V3}/comments", json=load("comments_check.json"), query={"id": f"{THREAD_C},{THREAD_A}"}
    )
    platform.add(
        "GET", f"{V3}/comments", json=load("comments_check.json"), query={"id": f"{THREAD_C},{THREAD_A}"}
    )
    items, cursor, _ = walk(connector, cursor)
    deleted = [item for item in items if item.deleted]
    assert [item.external_id for item in deleted] == [THREAD_C]
    assert THREAD_C not in cursor["watch"]


def test_a_poll_stops_when_the_sources_share_of_the_daily_quota_is_spent(
    platform: FakePlatform, connector: YoutubeConnector
) -> None:
    spent = {"quota": {"day": pacific_day().isoformat(), "used": 2000}}
    page = connector.fetch(spent)
    assert (page.items, page.has_more) == ([], False)
    assert platform.requests == []
    # A new Pacific day starts the count again.
    platform.add("GET", f"{V3}/commentThreads", json=load("threads_empty.json"))
    page = connector.fetch({"quota": {"day": "2026-01-01", "used": 2000}})
    assert page.next_cursor["quota"]["used"] == 1


def test_quota_exceeded_waits_until_midnight_pacific(
    platform: FakePlatform, connector: YoutubeConnector
) -> None:
    platform.add("GET", f"{V3}/commentThreads", status=403, json=load("quota_exceeded.json"))
    with pytest.raises(RateLimited) as caught:
        connector.fetch({})
    assert 60 <= caught.value.retry_after <= 25 * 3600
    assert "quotaExceeded" in caught.value.message
    assert "<a" not in caught.value.message or "quota" in caught.value.message


def test_an_invalid_api_key_needs_reauthorisation(
    platform: FakePlatform, connector: YoutubeConnector
) -> None:
    platform.add(
        "GET",
        f"{V3}/commentThreads",
        status=400,
        json={
            "error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "errors": [{"reason": "keyInvalid", "domain": "usageLimits", "message": "Bad Request"}],
            }
        },
    )
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.needs_reauth
    assert API_KEY not in caught.value.message


def test_the_connection_test_names_the_channel(platform: FakePlatform, connector: YoutubeConnector) -> None:
    platform.add("GET", f"{V3}/channels", json=load("channel.json"))
    assert connector.test_connection() == "Acme Shop (@acmeshop)"


def test_a_channel_not_found_is_said_in_the_reader_s_language(
    platform: FakePlatform, connector: YoutubeConnector
) -> None:
    for _ in range(2):
        platform.add("GET", f"{V3}/channels", json={"kind": "youtube#channelListResponse", "items": []})
    with pytest.raises(ConnectorError) as french:
        connector.test_connection()
    with translation.override("en"), pytest.raises(ConnectorError) as english:
        connector.test_connection()
    channel = connector.config.channel_id
    assert (french.value.message, english.value.message) == (
        f"YouTube: aucune chaîne {channel}",
        f"YouTube: no channel {channel}",
    )


def _thread_a(platform: FakePlatform) -> dict[str, MentionIn]:
    script_walk(platform)
    items, _, _ = walk(YoutubeConnector(YoutubeConfig.model_validate(config(platform))), {})
    return {item.external_id: item for item in items}


def test_a_reply_goes_to_the_top_level_comment_with_the_channels_token(platform: FakePlatform) -> None:
    mentions = _thread_a(platform)
    platform.add("POST", f"{V3}/comments", json=load("comment_inserted.json"))
    connector = YoutubeConnector(YoutubeConfig.model_validate(config(platform, access_token=ACCESS)))
    # Answering a reply answers its thread: YouTube has no replies to replies.
    result = connector.publish_reply(
        mentions[f"{THREAD_A}.A1bCdEfGhNp"], "Bonjour Marc !", idempotency_key="k"
    )
    sent = platform.requests_to("POST", f"{V3}/comments")[0]
    assert sent.headers["authorization"] == f"Bearer {ACCESS}"
    assert sent.param("part") == "snippet"
    assert sent.json() == {"snippet": {"parentId": THREAD_A, "textOriginal": "Bonjour Marc !"}}
    assert result.url == f"https://www.youtube.com/watch?v=dQ7xK2mLp9A&lc={result.external_id}"
    # The outbox's copy of a stored reply carries no parent id: its raw comment and its id say it.
    stored = replace(mentions[f"{THREAD_A}.A1bCdEfGhNp"], parent_external_id="")
    connector.publish_reply(stored, "Bonjour Marc !", idempotency_key="k2")
    again = replace(stored, raw={})
    connector.publish_reply(again, "Bonjour Marc !", idempotency_key="k3")
    assert [r.json()["snippet"]["parentId"] for r in platform.requests_to("POST", f"{V3}/comments")] == [
        THREAD_A
    ] * 3


def test_a_refused_reply_says_why_and_an_expired_token_is_renewed(platform: FakePlatform) -> None:
    mentions = _thread_a(platform)
    platform.add("POST", f"{V3}/comments", status=401, json=load("unauthorized.json"))
    platform.add("POST", f"{V3}/comments", status=403, json=load("forbidden.json"))
    platform.add("POST", "/oauth2/v4/token", json=load("oauth_token.json"))
    connector = YoutubeConnector(
        YoutubeConfig.model_validate(
            config(
                platform,
                access_token=ACCESS,
                refresh_token="1//0gRefresh",
                client_id="cid",
                client_secret="cs",
            )
        )
    )
    with pytest.raises(ConnectorError) as caught:
        connector.publish_reply(mentions[THREAD_A], "Bonjour", idempotency_key="k")
    assert caught.value.permanent
    assert not caught.value.needs_reauth
    assert "insufficient permissions" in caught.value.message
    retried = platform.requests_to("POST", f"{V3}/comments")[1]
    assert retried.headers["authorization"] == "Bearer ya29.a0AfB_byC-renewed-token"
    assert platform.requests_to("POST", "/oauth2/v4/token")[0].form()["grant_type"] == "refresh_token"


def test_a_reply_without_the_channels_oauth_needs_it_connected(platform: FakePlatform) -> None:
    mentions = _thread_a(platform)
    with pytest.raises(ConnectorError) as caught:
        YoutubeConnector(YoutubeConfig.model_validate(config(platform))).publish_reply(
            mentions[THREAD_A], "Bonjour", idempotency_key="k"
        )
    assert caught.value.needs_reauth


def test_hiding_holds_the_comment_for_review_and_showing_publishes_it(platform: FakePlatform) -> None:
    mentions = _thread_a(platform)
    platform.add("POST", f"{V3}/comments/setModerationStatus", status=204)
    connector = YoutubeConnector(YoutubeConfig.model_validate(config(platform, access_token=ACCESS)))
    connector.hide_item(mentions[THREAD_A])
    connector.hide_item(mentions[THREAD_A], hidden=False)
    connector.delete_item(mentions[THREAD_A])
    calls = platform.requests_to("POST", f"{V3}/comments/setModerationStatus")
    assert [(c.param("id"), c.param("moderationStatus")) for c in calls] == [
        (THREAD_A, "heldForReview"),
        (THREAD_A, "published"),
        (THREAD_A, "rejected"),
    ]


def test_a_channel_id_is_not_a_handle() -> None:
    with pytest.raises(ValueError, match="UC"):
        YoutubeConfig.model_validate({"api_key": "k", "channel_id": "@acmeshop"})


def test_the_channels_comments_are_recognised(connector: YoutubeConnector) -> None:
    assert connector.config.channel_id == CHANNEL


def test_a_page_token_that_comes_back_unchanged_ends_the_stream(platform: FakePlatform) -> None:
    platform.add(
        "GET",
        f"{V3}/commentThreads",
        json=load("threads_page1.json"),
        query={"allThreadsRelatedToChannelId": CHANNEL},
    )
    # The next page names the token it was asked with: it would be read again at every call.
    platform.add(
        "GET",
        f"{V3}/commentThreads",
        json=load("threads_page1.json"),
        query={"allThreadsRelatedToChannelId": CHANNEL, "pageToken": "QURTSl9pM2x3"},
    )
    source = YoutubeConnector(YoutubeConfig.model_validate(config(platform, video_ids=[])))
    first = source.fetch({"since": {"channel": "2000-01-01T00:00:00Z"}})
    assert first.next_cursor["page"]["token"] == "QURTSl9pM2x3"
    second = source.fetch(first.next_cursor)
    assert "page" not in second.next_cursor
    assert second.next_cursor["since"]["channel"] > "2000-01-01T00:00:00Z"
    assert len(platform.requests_to("GET", f"{V3}/commentThreads")) == 2
