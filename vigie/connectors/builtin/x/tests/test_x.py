"""The X connector against a local stand-in of the X API v2 replaying X's payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import translation

from vigie.connectors.builtin.x.connector import XConfig, XConnector
from vigie.connectors.builtin.x.tests.conftest import (
    ACCOUNT_ID,
    BEARER,
    MENTION_A,
    MENTION_B,
    MENTION_C,
    NO_MENTION,
    QUOTE,
    REFRESH,
    USER_TOKEN,
    config,
    load,
    script_walk,
)
from vigie.connectors.contract import AuthorIn, ConnectorError, MentionIn, RateLimited
from vigie.connectors.normalise import snowflake_time
from vigie.connectors.testing import FakePlatform

MENTIONS = f"/2/users/{ACCOUNT_ID}/mentions"


def walk(connector: XConnector, cursor: dict[str, Any]) -> tuple[list[MentionIn], dict[str, Any], int]:
    items: list[MentionIn] = []
    for calls in range(1, 20):
        page = connector.fetch(cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if not page.has_more:
            return items, cursor, calls
    raise AssertionError("the walk never ended")


def test_a_poll_reads_mentions_page_by_page_then_the_search(
    platform: FakePlatform, connector: XConnector
) -> None:
    script_walk(platform)
    items, cursor, calls = walk(connector, {})
    by_id = {item.external_id: item for item in items}
    # The account's own reply is recognised and left out.
    assert set(by_id) == {MENTION_A, MENTION_B, MENTION_C, QUOTE, NO_MENTION}
    assert calls == 3

    first = by_id[MENTION_A]
    assert first.created_at == datetime(2026, 12, 5, 9, 14, 2, tzinfo=UTC)
    assert first.author is not None
    assert (first.author.external_id, first.author.handle, first.author.display_name) == (
        "1520098765432109056",
        "camille_rx",
        "Camille Roux",
    )
    assert first.author.followers_count == 412
    assert (first.likes, first.shares, first.replies_count) == (14, 4, 2)
    assert first.reach >= 2210
    assert first.url == f"https://x.com/camille_rx/status/{MENTION_A}"
    assert first.language == "fr"

    # X sent only id and text: the time comes from the snowflake id, not from "now".
    bare = by_id[MENTION_C]
    assert bare.created_at.replace(microsecond=0) == datetime(2026, 12, 5, 7, 30, 11, tzinfo=UTC)
    assert bare.author is None

    quote = by_id[QUOTE]
    assert quote.raw["quoted_tweets"][0]["author_id"] == ACCOUNT_ID

    request = platform.requests_to("GET", MENTIONS)[0]
    assert request.headers["authorization"] == f"Bearer {BEARER}"
    assert request.param("tweet.fields") == (
        "created_at,author_id,public_metrics,conversation_id,in_reply_to_user_id,referenced_tweets,lang,"
        "note_tweet"
    )
    assert "author_id" in (request.param("expansions") or "")
    assert request.param("user.fields") == "username,name,public_metrics"
    search = platform.requests_to("GET", "/2/tweets/search/recent")[0]
    assert search.param("query") == '"acme rail" -is:retweet lang:fr'
    assert cursor["since"] == {"mentions": "2129143740625846371", "search": NO_MENTION}

    # The next poll asks only for newer posts.
    items, cursor, _ = walk(connector, cursor)
    assert items == []
    assert platform.requests_to("GET", MENTIONS)[-1].param("since_id") == "2129143740625846371"
    assert platform.requests_to("GET", "/2/tweets/search/recent")[-1].param("since_id") == NO_MENTION


def test_an_edited_post_keeps_the_id_of_its_first_version(
    platform: FakePlatform, connector: XConnector
) -> None:
    edited = load("mentions_page2.json")
    post = edited["data"][0]
    post["edit_history_tweet_ids"] = [MENTION_C, "2129116999999999999"]
    post["id"] = "2129116999999999999"
    post["text"] = "@AcmeRail wifi en panne dans le TGV (corrigé : le 6211)"
    platform.add("GET", MENTIONS, json=edited)
    page = XConnector(XConfig.model_validate(config(platform, query=""))).fetch({})
    assert [item.external_id for item in page.items] == [MENTION_C]
    assert page.items[0].url.endswith("/status/2129116999999999999")


def test_a_rate_limit_answer_waits_until_xs_reset(platform: FakePlatform, connector: XConnector) -> None:
    reset = int(datetime.now(tz=UTC).timestamp()) + 600
    platform.add(
        "GET",
        MENTIONS,
        status=429,
        json=load("too_many_requests.json"),
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )
    with pytest.raises(RateLimited) as caught:
        connector.fetch({})
    assert 590 <= caught.value.retry_after <= 600


def test_a_refused_bearer_token_needs_reauthorisation(platform: FakePlatform, connector: XConnector) -> None:
    platform.add("GET", MENTIONS, status=401, json=load("unauthorized.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.needs_reauth
    assert BEARER not in caught.value.message


def test_the_connection_test_names_the_account(platform: FakePlatform, connector: XConnector) -> None:
    platform.add("GET", f"/2/users/{ACCOUNT_ID}", json=load("user.json"))
    assert connector.test_connection() == "@AcmeRail (Acme Rail), 48211 abonnés"


def test_the_connection_test_speaks_english_to_an_english_reader(
    platform: FakePlatform, connector: XConnector
) -> None:
    platform.add("GET", f"/2/users/{ACCOUNT_ID}", json=load("user.json"))
    with translation.override("en"):
        assert connector.test_connection() == "@AcmeRail (Acme Rail), 48211 followers"


def _mentions_by_id(platform: FakePlatform) -> dict[str, MentionIn]:
    script_walk(platform)
    items, _, _ = walk(XConnector(XConfig.model_validate(config(platform))), {})
    return {item.external_id: item for item in items}


def test_a_reply_to_a_post_that_mentions_the_account_is_sent_with_the_user_token(
    platform: FakePlatform,
) -> None:
    mentions = _mentions_by_id(platform)
    platform.add("POST", "/2/tweets", status=201, json=load("tweet_created.json"))
    connector = XConnector(XConfig.model_validate(config(platform, access_token=USER_TOKEN)))
    result = connector.publish_reply(
        mentions[MENTION_A], "Bonjour Camille, écrivez-nous en privé ?", idempotency_key="k"
    )
    sent = platform.requests_to("POST", "/2/tweets")[0]
    assert sent.headers["authorization"] == f"Bearer {USER_TOKEN}"
    assert sent.json()["reply"] == {"in_reply_to_tweet_id": MENTION_A}
    assert result.external_id == load("tweet_created.json")["data"]["id"]
    assert result.url == f"https://x.com/AcmeRail/status/{result.external_id}"


def test_a_reply_to_a_quote_of_the_account_is_allowed(platform: FakePlatform) -> None:
    mentions = _mentions_by_id(platform)
    platform.add("POST", "/2/tweets", status=201, json=load("tweet_created.json"))
    connector = XConnector(XConfig.model_validate(config(platform, access_token=USER_TOKEN)))
    connector.publish_reply(mentions[QUOTE], "Bonjour, quelle ligne ?", idempotency_key="k")
    assert platform.requests_to("POST", "/2/tweets")[0].json()["reply"]["in_reply_to_tweet_id"] == QUOTE


def test_a_reply_to_a_post_that_neither_mentions_nor_quotes_is_refused_before_sending(
    platform: FakePlatform,
) -> None:
    mentions = _mentions_by_id(platform)
    connector = XConnector(XConfig.model_validate(config(platform, access_token=USER_TOKEN)))
    with pytest.raises(ConnectorError) as caught:
        connector.publish_reply(mentions[NO_MENTION], "Bonjour !", idempotency_key="k")
    assert caught.value.permanent
    assert "@AcmeRail" in caught.value.message
    assert "février 2026" in caught.value.message
    assert platform.requests_to("POST", "/2/tweets") == []


def test_an_expired_user_token_is_renewed_once_with_the_refresh_token(platform: FakePlatform) -> None:
    mentions = _mentions_by_id(platform)
    platform.add("POST", "/2/tweets", status=401, json=load("unauthorized.json"))
    platform.add("POST", "/2/tweets", status=201, json=load("tweet_created.json"))
    platform.add("POST", "/2/oauth2/token", json=load("oauth2_token.json"))
    connector = XConnector(
        XConfig.model_validate(
            config(
                platform, access_token=USER_TOKEN, refresh_token=REFRESH, client_id="cid", client_secret="cs"
            )
        )
    )
    connector.publish_reply(mentions[MENTION_B], "Merci Léo !", idempotency_key="k")
    renewal = platform.requests_to("POST", "/2/oauth2/token")[0]
    assert renewal.form() == {"grant_type": "refresh_token", "refresh_token": REFRESH}
    assert renewal.headers["authorization"].startswith("Basic ")
    retried = platform.requests_to("POST", "/2/tweets")[1]
    assert retried.headers["authorization"] == f"Bearer {load('oauth2_token.json')['access_token']}"


def test_a_reply_without_a_user_token_needs_the_account_connected(platform: FakePlatform) -> None:
    mentions = _mentions_by_id(platform)
    with pytest.raises(ConnectorError) as caught:
        XConnector(XConfig.model_validate(config(platform))).publish_reply(
            mentions[MENTION_A], "Bonjour", idempotency_key="k"
        )
    assert caught.value.needs_reauth


def test_a_reply_to_a_deleted_post_fails_for_good_with_xs_reason(platform: FakePlatform) -> None:
    mentions = _mentions_by_id(platform)
    platform.add("POST", "/2/tweets", status=400, json=load("reply_to_deleted.json"))
    connector = XConnector(XConfig.model_validate(config(platform, access_token=USER_TOKEN)))
    with pytest.raises(ConnectorError) as caught:
        connector.publish_reply(mentions[MENTION_A], "Bonjour", idempotency_key="k")
    assert caught.value.permanent
    assert "deleted or not visible" in caught.value.message


def test_the_account_id_must_be_a_number() -> None:
    with pytest.raises(ValueError, match="number"):
        XConfig.model_validate({"bearer_token": "b", "user_id": "@AcmeRail"})


def test_a_source_without_a_bearer_token_reads_nothing_and_needs_one(platform: FakePlatform) -> None:
    connector = XConnector(XConfig.model_validate({"base_url": platform.url, "user_id": ACCOUNT_ID}))
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.needs_reauth
    assert platform.requests == []


def test_a_search_since_id_older_than_seven_days_starts_again_from_the_newest(
    platform: FakePlatform, connector: XConnector
) -> None:
    old_id = "1990000000000000000"
    platform.add(
        "GET",
        "/2/tweets/search/recent",
        status=400,
        json={
            "errors": [
                {
                    "parameters": {"since_id": [old_id]},
                    "message": f"Invalid 'since_id':'{old_id}'. 'since_id' must be a tweet id created after 2026-11-28T10:00:00Z.",
                }
            ],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
        query={"since_id": old_id},
    )
    platform.add("GET", "/2/tweets/search/recent", json=load("search_recent.json"))
    page = connector.fetch({"stream": 1, "since": {"mentions": MENTION_A, "search": old_id}})
    assert {item.external_id for item in page.items} == {QUOTE, NO_MENTION}
    assert page.next_cursor["since"]["search"] == NO_MENTION
    assert platform.requests_to("GET", "/2/tweets/search/recent")[-1].param("since_id") is None


# --- direct messages ------------------------------------------------------------------------------


def test_direct_messages_are_read_after_the_public_streams_with_the_user_token(
    platform: FakePlatform,
) -> None:
    connector = XConnector(
        XConfig.model_validate(config(platform, query="", read_direct_messages=True, access_token=USER_TOKEN))
    )
    platform.add("GET", f"/2/users/{ACCOUNT_ID}/mentions", json=load("empty.json"))
    platform.add("GET", "/2/dm_events", json=load("dm_events.json"))
    first = connector.fetch({})
    assert first.has_more
    page = connector.fetch(first.next_cursor)
    assert not page.has_more
    # The account's own message is left out; the one without created_at takes its snowflake's time.
    assert [item.external_id for item in page.items] == ["2129160000000000001", "2129158000000000003"]
    first_dm = page.items[0]
    assert first_dm.kind == "private_message"
    assert first_dm.author is not None
    assert (first_dm.author.external_id, first_dm.author.handle) == ("1542887301", "lucie_m")
    assert page.items[1].created_at == snowflake_time("2129158000000000003")
    [request] = platform.requests_to("GET", "/2/dm_events")
    assert request.headers["authorization"] == f"Bearer {USER_TOKEN}"
    assert request.query["event_types"] == ["MessageCreate"]
    assert page.next_cursor["since"]["dms"] == "2129160000000000001"
    # The next poll stops at the newest event already read: nothing again.
    platform.add("GET", f"/2/users/{ACCOUNT_ID}/mentions", json=load("empty.json"))
    again = connector.fetch(connector.fetch(page.next_cursor).next_cursor)
    assert again.items == []


def test_a_direct_message_is_sent_once_to_the_author_with_the_user_token(platform: FakePlatform) -> None:
    connector = XConnector(XConfig.model_validate(config(platform, access_token=USER_TOKEN)))
    path = "/2/dm_conversations/with/1542887301/messages"
    platform.add("POST", path, status=201, json=load("dm_sent.json"))
    target = MentionIn(
        external_id="2129160000000000001",
        kind="private_message",
        created_at=datetime(2026, 12, 5, 11, 2, tzinfo=UTC),
        author=AuthorIn(external_id="1542887301"),
        raw={"sender_id": "1542887301"},
    )
    result = connector.send_direct_message(target, "Bonjour Lucie, c'est réglé.", idempotency_key="k")
    assert result.external_id == "2129161111111111111"
    [sent] = platform.requests_to("POST", path)
    assert sent.json() == {"text": "Bonjour Lucie, c'est réglé."}
    assert sent.headers["authorization"] == f"Bearer {USER_TOKEN}"


def test_a_direct_message_x_refuses_fails_for_good(platform: FakePlatform) -> None:
    connector = XConnector(XConfig.model_validate(config(platform, access_token=USER_TOKEN)))
    path = "/2/dm_conversations/with/1542887301/messages"
    refusal = {
        "title": "Forbidden",
        "detail": "You are not permitted to send a message to this user.",
        "type": "about:blank",
        "status": 403,
    }
    platform.add("POST", path, status=403, json=refusal)
    target = MentionIn(
        external_id="1",
        kind="post",
        created_at=datetime(2026, 12, 5, tzinfo=UTC),
        author=AuthorIn(external_id="1542887301"),
    )
    with pytest.raises(ConnectorError) as caught:
        connector.send_direct_message(target, "Bonjour", idempotency_key="k")
    assert caught.value.permanent
    assert "not permitted" in caught.value.message


def test_a_statement_is_a_post_of_the_account_with_the_user_token(platform: FakePlatform) -> None:
    platform.add("POST", "/2/tweets", status=201, json=load("tweet_created.json"))
    connector = XConnector(XConfig.model_validate(config(platform, access_token=USER_TOKEN)))
    result = connector.publish_post("Nous sommes mobilisés.", idempotency_key="statement-3-9")
    sent = platform.requests_to("POST", "/2/tweets")
    assert [request.json() for request in sent] == [{"text": "Nous sommes mobilisés."}]
    assert sent[0].headers["authorization"] == f"Bearer {USER_TOKEN}"
    assert result.external_id == load("tweet_created.json")["data"]["id"]
    assert result.url == f"https://x.com/i/status/{result.external_id}"


LONG_POST = "2129160000000000001"


def test_a_long_post_is_read_whole_from_its_note_tweet(platform: FakePlatform, connector: XConnector) -> None:
    whole = (
        "@AcmeRail Troisième train supprimé cette semaine 😡 entre Lyon et Grenoble. "
        + "Personne au guichet, aucune annonce, les correspondances ratées, un abonnement payé plein tarif. "
        * 4
        + "Je demande un remboursement intégral. #AcmeRail"
    )
    assert len(whole) > 280
    # X cuts ``text`` at 280 characters and gives the whole text in ``note_tweet`` (when asked),
    # with a partial error about a referenced post it cannot show.
    payload = {
        "data": [
            {
                "id": LONG_POST,
                "edit_history_tweet_ids": [LONG_POST],
                "text": whole[:270] + "… https://t.co/AbCdEf1234",
                "note_tweet": {
                    "text": whole,
                    "entities": {
                        "hashtags": [{"start": len(whole) - 8, "end": len(whole), "tag": "AcmeRail"}]
                    },
                },
                "author_id": "1520098765432109056",
                "created_at": "2026-12-05T10:00:00.000Z",
                "lang": "fr",
                "referenced_tweets": [{"type": "quoted", "id": "2129000000000000009"}],
            }
        ],
        "includes": {
            "users": [{"id": "1520098765432109056", "name": "Élodie Brun 🚆", "username": "elodie_b"}]
        },
        "errors": [
            {
                "value": "2129000000000000009",
                "detail": "Could not find tweet with referenced_tweets.id: [2129000000000000009].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "referenced_tweets.id",
                "resource_id": "2129000000000000009",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ],
        "meta": {"newest_id": LONG_POST, "oldest_id": LONG_POST, "result_count": 1},
    }
    platform.add("GET", MENTIONS, json=payload)
    page = connector.fetch({})
    assert [item.external_id for item in page.items] == [LONG_POST]
    post = page.items[0]
    assert post.text == whole
    assert post.author is not None
    assert post.author.display_name == "Élodie Brun 🚆"
    assert page.next_cursor["since"] == {"mentions": LONG_POST}


def test_a_short_post_keeps_its_text(platform: FakePlatform, connector: XConnector) -> None:
    payload = {
        "data": [{"id": LONG_POST, "text": "@AcmeRail merci 🙏", "created_at": "2026-12-05T10:00:00.000Z"}],
        "meta": {"newest_id": LONG_POST, "oldest_id": LONG_POST, "result_count": 1},
    }
    platform.add("GET", MENTIONS, json=payload)
    assert connector.fetch({}).items[0].text == "@AcmeRail merci 🙏"


def test_a_next_token_that_comes_back_unchanged_ends_the_stream(
    platform: FakePlatform, connector: XConnector
) -> None:
    looping = load("mentions_page1.json")
    token = looping["meta"]["next_token"]
    platform.add("GET", MENTIONS, json=looping)
    # The next page names the token it was asked with: it would be read again at every call.
    platform.add("GET", MENTIONS, json=looping, query={"pagination_token": token})
    platform.add("GET", "/2/tweets/search/recent", json=load("empty.json"))
    cursor = {"since": {"mentions": "2129000000000000000"}}
    first = connector.fetch(cursor)
    assert first.next_cursor["page"]["token"] == token
    second = connector.fetch(first.next_cursor)
    assert "page" not in second.next_cursor
    assert second.next_cursor["stream"] == 1
    assert second.next_cursor["since"]["mentions"] == looping["meta"]["newest_id"]


def test_an_account_x_cannot_find_fails_the_poll_with_xs_words(
    platform: FakePlatform, connector: XConnector
) -> None:
    # X answers 200 with only "errors" for a user id that does not exist (or was suspended):
    # not an empty page that would leave the source "healthy" and silent forever.
    platform.add(
        "GET",
        MENTIONS,
        json={
            "errors": [
                {
                    "value": ACCOUNT_ID,
                    "detail": f"Could not find user with id: [{ACCOUNT_ID}].",
                    "title": "Not Found Error",
                    "resource_type": "user",
                    "parameter": "id",
                    "resource_id": ACCOUNT_ID,
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                }
            ]
        },
    )
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.permanent
    assert caught.value.message == f"X HTTP 200: Could not find user with id: [{ACCOUNT_ID}]."


def test_an_empty_answer_is_an_empty_page(platform: FakePlatform, connector: XConnector) -> None:
    platform.add("GET", MENTIONS, json={"meta": {"result_count": 0}})
    platform.add("GET", "/2/tweets/search/recent", json={"meta": {"result_count": 0}})
    first = connector.fetch({})
    second = connector.fetch(first.next_cursor)
    assert first.items == second.items == []
    assert not second.has_more
