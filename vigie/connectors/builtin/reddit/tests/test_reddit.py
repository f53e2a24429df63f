"""The Reddit connector against a local stand-in of Reddit's Data API replaying Reddit's payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from vigie.connectors.builtin.reddit.connector import RedditConfig, RedditConnector
from vigie.connectors.builtin.reddit.tests.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    QUERY,
    config,
    load,
    script_walk,
)
from vigie.connectors.contract import ConnectorError, MentionIn, RateLimited
from vigie.connectors.testing import FakePlatform


def walk(connector: RedditConnector, cursor: dict[str, Any]) -> tuple[list[MentionIn], dict[str, Any], int]:
    items: list[MentionIn] = []
    for calls in range(1, 30):
        page = connector.fetch(cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if not page.has_more:
            return items, cursor, calls
    raise AssertionError("the walk never ended")


def test_a_poll_reads_new_posts_comments_and_the_search_page_by_page(
    platform: FakePlatform, connector: RedditConnector
) -> None:
    script_walk(platform)
    items, cursor, calls = walk(connector, {})
    assert calls == 5
    live = {item.external_id: item for item in items if not item.deleted}
    # The first post is read live, then found deleted by the end-of-poll check (below).
    assert set(live) == {"t3_1h8k2qz", "t3_1h8ivb3", "t1_m0x7q1a", "t1_m0x9r7c", "t3_1h8m0ab"}

    post = next(item for item in items if item.external_id == "t3_1h8ivb3")
    assert (post.kind, post.title) == ("post", "Remboursement Acme Rail : mon expérience")
    assert post.author is not None
    # The stable t2_ id, never the display name.
    assert (post.author.external_id, post.author.handle) == ("t2_1xk9m4ab", "clementine_v")
    assert (post.likes, post.replies_count) == (8, 3)
    assert post.url == "https://www.reddit.com/r/france/comments/1h8ivb3/remboursement_acme_rail/"
    assert post.created_at == datetime.fromtimestamp(1764913400, tz=UTC)

    reply = live["t1_m0x9r7c"]
    assert (reply.kind, reply.parent_external_id) == ("reply", "t1_m0x7q1a")
    assert live["t1_m0x7q1a"].kind == "comment"

    # A post removed by the moderators and a comment deleted by its author: marked, no author.
    gone = {item.external_id: item for item in items if item.deleted}
    assert {"t3_1h8gq01", "t1_m0x6a2b"} <= set(gone)
    assert gone["t1_m0x6a2b"].author is None
    # The end-of-poll check found the first post deleted by its author since.
    assert "t3_1h8k2qz" in gone

    token_call = platform.requests_to("POST", "/api/v1/access_token")[0]
    assert token_call.form() == {"grant_type": "client_credentials"}
    assert token_call.headers["authorization"].startswith("Basic ")
    listing = platform.requests_to("GET", "/r/france/new")[0]
    assert listing.headers["authorization"].startswith("bearer ")
    assert listing.headers["user-agent"].startswith(f"server:vigie.{CLIENT_ID}:")
    search = platform.requests_to("GET", "/search")[0]
    assert (search.param("q"), search.param("sort")) == (QUERY, "new")
    assert cursor["since"]["new:france"] == 1764920000.0
    # One token for the whole poll.
    assert len(platform.requests_to("POST", "/api/v1/access_token")) == 1


def test_the_next_poll_reads_only_what_is_newer(platform: FakePlatform, connector: RedditConnector) -> None:
    script_walk(platform)
    _, cursor, _ = walk(connector, {})
    items, _, _ = walk(connector, cursor)
    assert [item.external_id for item in items if not item.deleted] == []
    # The first page already reached the known posts: no second page asked.
    assert len(platform.requests_to("GET", "/r/france/new")) == 3


def test_a_rate_limit_answer_waits_for_reddits_reset(
    platform: FakePlatform, connector: RedditConnector
) -> None:
    platform.add("POST", "/api/v1/access_token", json=load("token.json"))
    platform.add(
        "GET",
        "/r/france/new",
        status=429,
        json=load("too_many_requests.json"),
        headers={"x-ratelimit-remaining": "0.0", "x-ratelimit-used": "100", "x-ratelimit-reset": "312"},
    )
    with pytest.raises(RateLimited) as caught:
        connector.fetch({})
    assert caught.value.retry_after == 312


def test_an_expired_token_is_renewed_once_then_refused_credentials_need_reauth(
    platform: FakePlatform, connector: RedditConnector
) -> None:
    platform.add("POST", "/api/v1/access_token", json=load("token.json"))
    platform.add("POST", "/api/v1/access_token", status=401, json=load("unauthorized.json"))
    platform.add("GET", "/r/france/new", status=401, json=load("unauthorized.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.needs_reauth
    assert CLIENT_SECRET not in caught.value.message
    assert len(platform.requests_to("POST", "/api/v1/access_token")) == 2


def test_a_wrong_password_needs_reauthorisation(platform: FakePlatform) -> None:
    platform.add("POST", "/api/v1/access_token", json=load("invalid_grant.json"))
    connector = RedditConnector(
        RedditConfig.model_validate(config(platform, username="AcmeRail_officiel", password="wrong"))
    )
    with pytest.raises(ConnectorError) as caught:
        connector.test_connection()
    assert caught.value.needs_reauth
    assert "invalid_grant" in caught.value.message


def _mentions(platform: FakePlatform) -> dict[str, MentionIn]:
    script_walk(platform)
    items, _, _ = walk(RedditConnector(RedditConfig.model_validate(config(platform))), {})
    return {item.external_id: item for item in items}


def test_a_reply_is_sent_as_the_organisations_account(platform: FakePlatform) -> None:
    mentions = _mentions(platform)
    platform.add("POST", "/api/v1/access_token", json=load("user_token.json"), query={})
    platform.add("POST", "/api/comment", json=load("comment_created.json"))
    connector = RedditConnector(
        RedditConfig.model_validate(config(platform, username="AcmeRail_officiel", password=PASSWORD))
    )
    result = connector.publish_reply(mentions["t3_1h8ivb3"], "Merci pour votre retour !", idempotency_key="k")
    grant = platform.requests_to("POST", "/api/v1/access_token")[-1].form()
    assert grant == {"grant_type": "password", "username": "AcmeRail_officiel", "password": PASSWORD}
    sent = platform.requests_to("POST", "/api/comment")[0]
    assert sent.form() == {"api_type": "json", "thing_id": "t3_1h8ivb3", "text": "Merci pour votre retour !"}
    assert "(by /u/AcmeRail_officiel)" in sent.headers["user-agent"]
    assert result.external_id == "t1_m0xb3k9"
    assert result.url.startswith("https://www.reddit.com/r/france/comments/1h8k2qz/")


def test_a_reply_without_an_account_is_refused_before_sending(platform: FakePlatform) -> None:
    mentions = _mentions(platform)
    connector = RedditConnector(RedditConfig.model_validate(config(platform)))
    with pytest.raises(ConnectorError) as caught:
        connector.publish_reply(mentions["t3_1h8ivb3"], "Bonjour", idempotency_key="k")
    assert caught.value.permanent
    assert platform.requests_to("POST", "/api/comment") == []


def test_reddits_refusals_inside_a_200_answer_are_reported(platform: FakePlatform) -> None:
    mentions = _mentions(platform)
    platform.add("POST", "/api/comment", json=load("comment_ratelimited.json"))
    platform.add("POST", "/api/comment", json=load("comment_locked.json"))
    connector = RedditConnector(
        RedditConfig.model_validate(config(platform, username="AcmeRail_officiel", password=PASSWORD))
    )
    with pytest.raises(RateLimited) as throttled:
        connector.publish_reply(mentions["t3_1h8ivb3"], "Bonjour", idempotency_key="k")
    assert throttled.value.retry_after == 300
    with pytest.raises(ConnectorError) as locked:
        connector.publish_reply(mentions["t3_1h8ivb3"], "Bonjour", idempotency_key="k")
    assert locked.value.permanent
    assert "THREAD_LOCKED" in locked.value.message


def test_a_subreddit_name_is_checked() -> None:
    config_ok = RedditConfig.model_validate(
        {"client_id": "c", "client_secret": "s", "subreddits": ["r/france", "/r/AskFrance/"]}
    )
    assert config_ok.subreddits == ["france", "AskFrance"]
    with pytest.raises(ValueError, match="subreddit"):
        RedditConfig.model_validate({"client_id": "c", "client_secret": "s", "subreddits": ["no spaces"]})


def test_the_connection_test_names_the_account_or_says_it_only_reads(platform: FakePlatform) -> None:
    platform.add("POST", "/api/v1/access_token", json=load("user_token.json"))
    platform.add("GET", "/api/v1/me", json=load("me.json"))
    with_account = RedditConnector(
        RedditConfig.model_validate(config(platform, username="AcmeRail_officiel", password=PASSWORD))
    )
    assert with_account.test_connection() == "u/AcmeRail_officiel (1 subreddit(s), 1 recherche(s))"
    read_only = RedditConnector(RedditConfig.model_validate(config(platform)))
    assert "lecture seule" in read_only.test_connection()


def test_an_item_edited_since_it_was_read_comes_back_with_its_new_text(
    platform: FakePlatform, connector: RedditConnector
) -> None:
    info = load("info.json")
    for child in info["data"]["children"]:
        if child["data"]["name"] == "t1_m0x7q1a":
            child["data"]["body"] = "Édit : remboursé finalement, merci 🙏"
            child["data"]["body_html"] = None
            child["data"]["edited"] = 1764990000.0
    script_walk(platform)
    platform.add("GET", "/api/info", json=info)  # served after the recorded one: the second poll
    _, cursor, _ = walk(connector, {})
    items, cursor, _ = walk(connector, cursor)
    edited = [item for item in items if item.external_id == "t1_m0x7q1a"]
    assert [item.text for item in edited] == ["Édit : remboursé finalement, merci 🙏"]
    assert not edited[0].deleted
    assert edited[0].title  # the post's title, as when it was read first
    # Still watched: a later edit or deletion is seen too.
    assert "t1_m0x7q1a" in cursor["watch"]
