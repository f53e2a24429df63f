"""The Facebook connector against a local stand-in of the Graph API replaying Meta's payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import translation
from pydantic import ValidationError

from vigie.connectors.builtin.facebook.connector import RATINGS_GONE, FacebookConfig, FacebookConnector
from vigie.connectors.builtin.facebook.graph import (
    SignatureError,
    WindowClosed,
    appsecret_proof,
    challenge_answer,
    default_verify_token,
)
from vigie.connectors.builtin.facebook.tests.conftest import (
    APP_SECRET,
    PAGE_ID,
    TOKEN,
    config,
    delivery,
    load,
    raw,
)
from vigie.connectors.contract import ConnectorError, MentionIn, RateLimited, WebhookRequest
from vigie.connectors.testing import FakePlatform

V = "/v21.0"
POST_1 = "104365123456789_560011223344"
POST_2 = "104365123456789_560011229999"
POST_3 = "104365123456789_559900112233"


def script_full_walk(platform: FakePlatform) -> None:
    platform.add("GET", f"{V}/{PAGE_ID}/feed", json=load("feed_page1.json"))
    platform.add(
        "GET", f"{V}/{PAGE_ID}/feed", json=load("feed_page2.json"), query={"after": "QVFIUlB3ZA0JtNzBz"}
    )
    platform.add("GET", f"{V}/{POST_1}/comments", json=load("comments_post1_page1.json"))
    platform.add(
        "GET",
        f"{V}/{POST_1}/comments",
        json=load("comments_post1_page2.json"),
        query={"after": "WTI5dGJXVnVkRjlqZAFhKemIzSTZAO"},
    )
    platform.add("GET", f"{V}/{POST_3}/comments", json=load("comments_post3.json"))
    platform.add("GET", f"{V}/{PAGE_ID}/ratings", json=load("ratings.json"))


def walk(connector: FacebookConnector, cursor: dict[str, Any]) -> tuple[list[MentionIn], dict[str, Any], int]:
    """Fetch pages as the ingestion run does, until the connector says the poll is over."""
    items: list[MentionIn] = []
    for calls in range(1, 30):
        page = connector.fetch(cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if not page.has_more:
            return items, cursor, calls
    raise AssertionError("the walk never ended")


def mention(kind: str = "comment", *, age: timedelta = timedelta(hours=1), **raw: Any) -> MentionIn:
    return MentionIn(
        external_id=raw.pop("external_id", "560011223344_998877665544"),
        kind=kind,
        created_at=datetime.now(tz=UTC) - age,
        raw=raw,
    )


# --- reading ---------------------------------------------------------------------------------


def test_a_poll_reads_visitor_posts_comments_replies_and_ratings_page_by_page(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    script_full_walk(platform)
    items, cursor, calls = walk(connector, {})
    by_id = {item.external_id: item for item in items}

    # The visitor's post is a mention; the Page's own posts and its own reply are not.
    assert set(by_id) == {
        POST_2,
        "560011223344_998877665544",
        "560011223344_998877665702",
        "559900112233_887766554433",
        "10160123456789012",
        "10160123456700001",
    }
    visitor = by_id[POST_2]
    assert (visitor.kind, visitor.author and visitor.author.external_id) == ("post", "7120045512345678")
    assert (visitor.likes, visitor.shares, visitor.replies_count) == (5, 2, 0)
    assert visitor.reach > 0
    assert visitor.created_at == datetime(2026, 12, 1, 7, 12, 44, tzinfo=UTC)

    comment = by_id["560011223344_998877665544"]
    assert comment.kind == "comment"
    assert comment.parent_external_id == POST_1
    assert comment.author is not None
    assert (comment.author.external_id, comment.author.display_name) == ("6543210987654321", "Priya N")
    assert (comment.likes, comment.replies_count) == (2, 2)
    assert comment.url.endswith("?comment_id=998877665544")

    # Graph left "from" out: the comment's own id stands in, never a name.
    reply = by_id["560011223344_998877665702"]
    assert (reply.kind, reply.parent_external_id) == ("reply", "560011223344_998877665544")
    assert reply.author is not None
    assert reply.author.external_id == "comment:560011223344_998877665702"

    negative = by_id["10160123456789012"]
    assert (negative.kind, negative.rating, negative.rating_raw) == ("review", None, "negative")
    assert negative.author is not None
    assert negative.author.external_id == "7120045599887766"

    # Feed 2 pages, post 1's comments 2 pages, post 3's 1 page with ratings' start, ratings 1 page.
    assert calls == 6
    assert platform.requests_to("GET", f"{V}/{POST_2}/comments") == []
    comments_call = platform.requests_to("GET", f"{V}/{POST_1}/comments")[0]
    assert comments_call.param("filter") == "stream"
    assert "from" in (comments_call.param("fields") or "")
    assert cursor["phase"] == "feed"
    assert cursor["ratings_newest"] == "2026-11-30T08:30:12+00:00"


def test_the_token_travels_in_a_header_with_its_appsecret_proof_never_in_the_url(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    platform.add("GET", f"{V}/{PAGE_ID}", json=load("page.json"))
    platform.add("GET", f"{V}/debug_token", json=load("debug_token_never.json"))
    connector.test_connection()
    first = platform.requests[0]
    assert first.headers["authorization"] == f"Bearer {TOKEN}"
    assert first.param("appsecret_proof") == appsecret_proof(APP_SECRET, TOKEN)
    # Only debug_token names the token in its query, as Meta's API requires.
    others = [request for request in platform.requests if not request.path.endswith("/debug_token")]
    assert others
    assert all(TOKEN not in json.dumps(request.query) for request in others)


def test_the_next_poll_reads_only_posts_with_new_comments_and_new_ratings(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    script_full_walk(platform)
    _, cursor, _ = walk(connector, {})
    before = len(platform.requests_to("GET", f"{V}/{POST_1}/comments"))
    items, _, calls = walk(connector, cursor)
    assert [item.external_id for item in items] == [POST_2]  # the visitor's post, read again
    assert len(platform.requests_to("GET", f"{V}/{POST_1}/comments")) == before
    # Feed pages 1 and 2, an empty comments queue, ratings (stopping at the newest already read).
    assert calls == 4


def test_ratings_that_the_graph_version_no_longer_serves_are_skipped_and_said(
    platform: FakePlatform,
) -> None:
    platform.add("GET", "/v22.0/104365123456789", json=load("page.json"))
    platform.add("GET", "/v22.0/debug_token", json=load("debug_token_never.json"))
    newer = FacebookConnector(
        FacebookConfig.model_validate(config(platform, base_url=f"{platform.url}/v22.0"))
    )
    assert newer.test_connection() == (
        f"Page « Mutuelle Horizon » ({PAGE_ID}), 4512 abonnés ; {RATINGS_GONE}"
        f" ; jeton de vérification du webhook : {default_verify_token(APP_SECRET)}"
    )

    # An older version answering error 12 (deprecated): the rest of the poll goes on.
    platform.add("GET", f"{V}/{PAGE_ID}/ratings", status=400, json=load("error_ratings_deprecated.json"))
    connector = FacebookConnector(FacebookConfig.model_validate(config(platform)))
    page = connector.fetch({"phase": "ratings"})
    assert (page.items, page.has_more, page.next_cursor["ratings"]) == ([], False, RATINGS_GONE)


def test_a_token_expiring_soon_is_announced_before_it_fails(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    soon = load("debug_token_never.json")
    soon["data"]["expires_at"] = int((datetime.now(tz=UTC) + timedelta(days=3, hours=1)).timestamp())
    platform.add("GET", f"{V}/{PAGE_ID}", json=load("page.json"))
    platform.add("GET", f"{V}/debug_token", json=soon)
    assert "ce jeton expire dans 3 jour(s)" in connector.test_connection()


def test_the_connection_test_speaks_english_to_an_english_reader(platform: FakePlatform) -> None:
    soon = load("debug_token_never.json")
    soon["data"]["expires_at"] = int((datetime.now(tz=UTC) + timedelta(days=3, hours=1)).timestamp())
    platform.add("GET", "/v22.0/104365123456789", json=load("page.json"))
    platform.add("GET", "/v22.0/debug_token", json=soon)
    newer = FacebookConnector(
        FacebookConfig.model_validate(config(platform, base_url=f"{platform.url}/v22.0"))
    )
    with translation.override("en"):
        line = newer.test_connection()
    assert line == (
        f"Page “Mutuelle Horizon” ({PAGE_ID}), 4512 followers; reviews and recommendations not read: "
        "the Graph API no longer serves them from version 22.0; warning: this token expires in 3 day(s), "
        "replace it with a long-lived Page token (see the connector's documentation)"
        f"; webhook verify token: {default_verify_token(APP_SECRET)}"
    )


# --- errors ----------------------------------------------------------------------------------


def test_a_throttled_answer_is_rate_limited_for_the_time_meta_gives(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    usage = {
        PAGE_ID: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 12,
                "total_time": 20,
                "estimated_time_to_regain_access": 12,
            }
        ]
    }
    platform.add(
        "GET",
        f"{V}/{PAGE_ID}/feed",
        status=400,
        json=load("error_rate_limited.json"),
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
    )
    with pytest.raises(RateLimited) as caught:
        connector.fetch({})
    assert caught.value.retry_after == 720
    assert "(#32) Page request limit reached" in caught.value.message


def test_an_expired_token_asks_for_a_new_one_without_showing_it(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    platform.add("GET", f"{V}/{PAGE_ID}/feed", status=400, json=load("error_token_expired.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.fetch({})
    assert caught.value.needs_reauth
    assert "the token has expired" in caught.value.message
    assert TOKEN not in caught.value.message


# --- webhooks --------------------------------------------------------------------------------


def test_a_signed_comment_delivery_becomes_a_mention(connector: FacebookConnector) -> None:
    [item] = connector.parse_webhook(delivery(raw("webhook_comment_add.json")))
    assert item.external_id == "560011223344_998877667777"
    assert (item.kind, item.parent_external_id, item.deleted) == ("comment", POST_1, False)
    assert item.author is not None
    assert item.author.external_id == "6543210987654321"
    assert item.created_at == datetime.fromtimestamp(1764930530, tz=UTC)
    assert item.text.startswith("Toujours aucune nouvelle")


def test_a_removed_comment_comes_back_marked_deleted(connector: FacebookConnector) -> None:
    [item] = connector.parse_webhook(delivery(raw("webhook_comment_remove.json")))
    assert (item.external_id, item.deleted) == ("560011223344_998877665544", True)


def test_deliveries_about_another_page_or_reactions_are_ignored(
    connector: FacebookConnector,
) -> None:
    assert connector.parse_webhook(delivery(raw("webhook_other_page.json"))) == []


def test_a_signed_messenger_message_becomes_a_private_message(connector: FacebookConnector) -> None:
    [item] = connector.parse_webhook(delivery(raw("webhook_message.json")))
    assert (item.external_id, item.kind) == ("m_1457764197618:41d102a3e1ae206a38", "private_message")
    assert item.author is not None
    assert item.author.external_id == "24501234567890123"
    assert item.created_at == datetime.fromtimestamp(1764932099.876, tz=UTC)
    assert item.text == "Bonjour, je n'arrive pas à joindre mon conseiller."
    # The raw event is kept as Meta sent it: the answer goes to its sender.
    assert item.raw["sender"] == {"id": "24501234567890123"}
    assert item.raw["platform"] == "messenger"


def test_a_messenger_delivery_with_a_bad_signature_is_refused(connector: FacebookConnector) -> None:
    body = raw("webhook_message.json")
    with pytest.raises(SignatureError):
        connector.parse_webhook(delivery(body, secret="another-app-secret-entirely"))


def test_echoes_reads_and_deliveries_are_not_messages(connector: FacebookConnector) -> None:
    body = json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE_ID,
                    "time": 1764932100123,
                    "messaging": [
                        {
                            "sender": {"id": PAGE_ID},
                            "recipient": {"id": "24501234567890123"},
                            "timestamp": 1764932100000,
                            "message": {"mid": "m_echo", "text": "Notre réponse", "is_echo": True},
                        },
                        {
                            "sender": {"id": "24501234567890123"},
                            "recipient": {"id": PAGE_ID},
                            "timestamp": 1764932100001,
                            "read": {"watermark": 1764932100000},
                        },
                    ],
                }
            ],
        }
    ).encode()
    assert connector.parse_webhook(delivery(body)) == []


def test_conversations_are_polled_after_the_public_phases_when_asked(platform: FakePlatform) -> None:
    connector = FacebookConnector(
        FacebookConfig.model_validate(config(platform, read_messages=True, read_ratings=False))
    )
    platform.add("GET", f"{V}/{PAGE_ID}/feed", json={"data": []})
    platform.add("GET", f"{V}/{PAGE_ID}/conversations", json=load("conversations.json"))
    first = connector.fetch({})
    assert first.has_more
    assert first.next_cursor["phase"] == "comments"
    second = connector.fetch(first.next_cursor)
    assert second.has_more
    assert second.next_cursor["phase"] == "messages"
    third = connector.fetch(second.next_cursor)
    assert not third.has_more
    assert third.next_cursor["phase"] == "feed"
    # The Page's own answer is left out; the customer's two messages are read, newest first.
    assert [item.external_id for item in third.items] == ["m_conv1_msg3", "m_conv1_msg1"]
    assert {item.kind for item in third.items} == {"private_message"}
    assert third.items[0].author is not None
    assert third.items[0].author.display_name == "Marie Dupont"
    assert third.items[0].raw["sender"] == {"id": "24501234567890123"}
    request = platform.requests[-1]
    assert request.query["platform"] == ["messenger"]
    # The next poll asks again, and keeps only what is newer than what it read.
    platform.add("GET", f"{V}/{PAGE_ID}/conversations", json=load("conversations.json"))
    again = connector.fetch({**third.next_cursor, "phase": "messages", "resume": third.next_cursor})
    assert again.items == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-hub-signature-256": "sha256=" + "0" * 64},
        {"x-hub-signature-256": delivery(b"{}", secret="another-app-secret").headers["x-hub-signature-256"]},
    ],
    ids=["missing", "forged", "other-secret"],
)
def test_a_delivery_without_a_good_signature_is_refused(
    connector: FacebookConnector, headers: dict[str, str]
) -> None:
    with pytest.raises(SignatureError):
        connector.parse_webhook(WebhookRequest(headers=headers, body=raw("webhook_comment_add.json")))


def test_the_signature_covers_the_raw_bytes(connector: FacebookConnector) -> None:
    body = raw("webhook_comment_add.json")
    signed = delivery(body)
    reencoded = json.dumps(json.loads(body), ensure_ascii=False).encode()
    with pytest.raises(SignatureError):
        connector.parse_webhook(WebhookRequest(headers=signed.headers, body=reencoded))


def test_the_verification_challenge_is_answered_only_with_the_sources_token(
    connector: FacebookConnector,
) -> None:
    token = default_verify_token(APP_SECRET)
    assert connector.verify_token == token
    good = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"}
    assert connector.verify_challenge(good) == "1158201444"
    assert connector.verify_challenge({**good, "hub.verify_token": "guess"}) is None
    assert connector.verify_challenge({**good, "hub.mode": "unsubscribe"}) is None
    assert challenge_answer(good, "") is None


# --- answers and moderation ------------------------------------------------------------------


def test_a_reply_is_a_comment_under_the_comment_and_a_reply_to_a_reply_joins_its_thread(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    platform.add("POST", f"{V}/560011223344_998877665544/comments", json=load("comment_created.json"))
    result = connector.publish_reply(mention(), "Bonjour Priya, c'est réglé.", idempotency_key="k1")
    assert result.external_id == "560011223344_998877669000"
    assert platform.requests[-1].json() == {"message": "Bonjour Priya, c'est réglé."}

    nested = mention(
        "reply", external_id="560011223344_998877665702", parent={"id": "560011223344_998877665544"}
    )
    connector.publish_reply(nested, "Nous regardons.", idempotency_key="k2")
    assert platform.requests[-1].path == f"{V}/560011223344_998877665544/comments"

    rating = mention("review", external_id="10160123456789012", open_graph_story={"id": "10160123456789012"})
    platform.add("POST", f"{V}/10160123456789012/comments", json=load("comment_created.json"))
    connector.publish_reply(rating, "Merci de votre retour.", idempotency_key="k3")
    assert platform.requests[-1].path == f"{V}/10160123456789012/comments"


def test_a_refused_reply_is_a_permanent_error_with_metas_reason(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    platform.add(
        "POST", f"{V}/560011223344_998877665544/comments", status=403, json=load("error_reply_refused.json")
    )
    with pytest.raises(ConnectorError) as caught:
        connector.publish_reply(mention(), "Bonjour", idempotency_key="k")
    assert caught.value.permanent
    assert not caught.value.needs_reauth
    assert "Requires pages_manage_engagement" in caught.value.message


def test_hide_unhide_and_delete_a_comment(platform: FakePlatform, connector: FacebookConnector) -> None:
    target = f"{V}/560011223344_998877665544"
    platform.add("POST", target, json=load("success.json"))
    platform.add("DELETE", target, json=load("success.json"))
    connector.hide_item(mention())
    connector.hide_item(mention(), hidden=False)
    connector.delete_item(mention())
    hide, unhide = platform.requests_to("POST", target)
    assert (hide.json(), unhide.json()) == ({"is_hidden": True}, {"is_hidden": False})
    assert len(platform.requests_to("DELETE", target)) == 1


def test_deleting_a_reply_already_gone_counts_as_deleted(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    platform.add("DELETE", f"{V}/560011223344_998877665999", status=400, json=load("error_not_found.json"))
    connector.delete_reply(mention(), "560011223344_998877665999")


# --- Messenger -------------------------------------------------------------------------------


def messenger_mention(age: timedelta) -> MentionIn:
    event = load("webhook_message.json")["entry"][0]["messaging"][0]
    return mention("comment", age=age, external_id=event["message"]["mid"], **event)


def test_a_messenger_answer_inside_the_24_hour_window_is_sent(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    platform.add("POST", f"{V}/{PAGE_ID}/messages", json=load("message_sent.json"))
    result = connector.send_direct_message(
        messenger_mention(timedelta(hours=23)), "Bonjour", idempotency_key="k"
    )
    assert result.external_id.startswith("m_")
    assert platform.requests[-1].json() == {
        "recipient": {"id": "24501234567890123"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Bonjour"},
    }


def test_a_messenger_answer_outside_the_window_is_refused_before_sending(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    with pytest.raises(WindowClosed, match="24 hours"):
        connector.send_direct_message(messenger_mention(timedelta(hours=25)), "Bonjour", idempotency_key="k")
    assert platform.requests == []


def test_a_comment_gets_a_private_reply_within_seven_days_only(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    platform.add("POST", f"{V}/{PAGE_ID}/messages", json=load("message_sent.json"))
    connector.send_direct_message(mention(age=timedelta(days=6)), "Bonjour", idempotency_key="k")
    assert platform.requests[-1].json()["recipient"] == {"comment_id": "560011223344_998877665544"}
    with pytest.raises(WindowClosed, match="7 days"):
        connector.send_direct_message(mention(age=timedelta(days=8)), "Bonjour", idempotency_key="k")
    assert len(platform.requests) == 1


def test_the_platforms_own_window_refusal_is_permanent(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    platform.add("POST", f"{V}/{PAGE_ID}/messages", status=400, json=load("error_message_window.json"))
    with pytest.raises(ConnectorError) as caught:
        connector.send_direct_message(mention(), "Bonjour", idempotency_key="k")
    assert caught.value.permanent
    assert "subcode 2018278" in caught.value.message


def test_the_configuration_refuses_what_it_cannot_use() -> None:
    good = {"page_id": PAGE_ID, "page_access_token": TOKEN, "app_secret": APP_SECRET}
    FacebookConfig.model_validate(good)
    wrongs = {"page_id": "Mutuelle", "graph_version": "21", "base_url": "graph.facebook.com"}
    for key, wrong in wrongs.items():
        with pytest.raises(ValidationError, match=key):
            FacebookConfig.model_validate({**good, key: wrong})
    with pytest.raises(ValidationError, match="app_secret"):
        FacebookConfig.model_validate({"page_id": PAGE_ID, "page_access_token": TOKEN})


def test_a_poll_pauses_when_meta_says_the_window_is_nearly_used(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    usage = {"call_count": 93, "total_cputime": 20, "total_time": 41}
    platform.add(
        "GET", f"{V}/{PAGE_ID}/feed", json=load("feed_page1.json"), headers={"X-App-Usage": json.dumps(usage)}
    )
    page = connector.fetch({})
    assert not page.has_more  # the next poll goes on from here
    assert page.next_cursor["after"] == "QVFIUlB3ZA0JtNzBz"


def test_a_statement_is_published_on_the_pages_feed(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    platform.add("POST", f"{V}/{PAGE_ID}/feed", json=load("page_post_created.json"))
    result = connector.publish_post("Nous sommes mobilisés.", idempotency_key="statement-3-9")
    assert result.external_id == "104365123456789_998877669321"
    assert result.url == "https://www.facebook.com/104365123456789_998877669321"
    sent = platform.requests_to("POST", f"{V}/{PAGE_ID}/feed")
    assert [request.json() for request in sent] == [{"message": "Nous sommes mobilisés."}]


def test_a_graph_cursor_that_comes_back_unchanged_ends_the_list(
    platform: FakePlatform, connector: FacebookConnector
) -> None:
    looping = load("feed_page1.json")
    platform.add("GET", f"{V}/{PAGE_ID}/feed", json=looping)
    # The next page names the cursor it was asked with: it would be read again at every call.
    platform.add("GET", f"{V}/{PAGE_ID}/feed", json=looping, query={"after": "QVFIUlB3ZA0JtNzBz"})
    first = connector.fetch({})
    assert first.next_cursor["after"] == "QVFIUlB3ZA0JtNzBz"
    second = connector.fetch(first.next_cursor)
    assert second.next_cursor["phase"] == "comments"
    assert "after" not in second.next_cursor


def numbers_for_ids(body: bytes, *keys: str) -> bytes:
    """``body`` with the ids under ``keys`` sent as JSON numbers, as some Meta deliveries (and
    relays re-encoding them) do."""

    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: int(v) if k in keys and isinstance(v, str) and v.isdigit() else convert(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    return json.dumps(convert(json.loads(body))).encode()


def test_a_delivery_with_numeric_ids_is_the_same_comment_and_author_as_with_strings(
    connector: FacebookConnector,
) -> None:
    [as_text] = connector.parse_webhook(delivery(raw("webhook_comment_add.json")))
    [as_numbers] = connector.parse_webhook(
        delivery(numbers_for_ids(raw("webhook_comment_add.json"), "id", "sender_id"))
    )
    assert as_numbers.external_id == as_text.external_id
    assert as_numbers.author == as_text.author
    assert as_numbers.author is not None
    assert as_numbers.author.external_id == "6543210987654321"
    assert as_numbers.parent_external_id == as_text.parent_external_id
