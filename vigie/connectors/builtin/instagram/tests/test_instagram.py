"""The Instagram connector against a local stand-in of the Graph API replaying Meta's payloads."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from vigie.conftest import Tenant
from vigie.connectors.builtin.facebook.graph import SignatureError, WindowClosed, sign
from vigie.connectors.builtin.instagram.connector import InstagramConfig, InstagramConnector
from vigie.connectors.builtin.instagram.tests.conftest import APP_SECRET, IG_USER_ID, TOKEN, config, load, raw
from vigie.connectors.contract import ConnectorError, MentionIn, RateLimited, WebhookRequest
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.mentions.models import Mention

V = "/v21.0"
MEDIA_1 = "17955956875141196"
FACEBOOK_FIXTURES = Path(__file__).parents[2] / "facebook" / "tests" / "fixtures"


def script_walk(platform: FakePlatform) -> None:
    platform.add("GET", f"{V}/{IG_USER_ID}/media", json=load("media_page1.json"))
    platform.add("GET", f"{V}/{IG_USER_ID}/media", json=load("media_page2.json"), query={"after": "QVFIUkE4"})
    platform.add("GET", f"{V}/{MEDIA_1}/comments", json=load("comments_media1.json"))
    platform.add("GET", f"{V}/{IG_USER_ID}/tags", json=load("tags.json"))


def walk(connector: InstagramConnector, cursor: dict[str, Any]) -> tuple[list[MentionIn], dict[str, Any]]:
    items: list[MentionIn] = []
    for _ in range(30):
        page = connector.fetch(cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if not page.has_more:
            return items, cursor
    raise AssertionError("the walk never ended")


def delivery(body: bytes, secret: str = APP_SECRET) -> WebhookRequest:
    return WebhookRequest(headers={"x-hub-signature-256": sign(secret, body)}, body=body)


def comment(age: timedelta = timedelta(hours=1), **raw_fields: Any) -> MentionIn:
    return MentionIn(
        external_id=raw_fields.pop("external_id", "17892250648466172"),
        kind=raw_fields.pop("kind", "comment"),
        created_at=datetime.now(tz=UTC) - age,
        raw=raw_fields,
    )


def test_a_poll_reads_comments_with_their_replies_and_the_tags(
    platform: FakePlatform, connector: InstagramConnector
) -> None:
    script_walk(platform)
    items, cursor = walk(connector, {})
    by_id = {item.external_id: item for item in items}
    # The account's own reply is not a mention.
    assert set(by_id) == {"17892250648466172", "18107567341036999", "17999887766554433"}
    top = by_id["17892250648466172"]
    assert top.author is not None
    assert (top.author.external_id, top.author.handle) == ("17841400000000001", "runner_kat")
    assert (top.kind, top.parent_external_id, top.likes) == ("comment", MEDIA_1, 3)
    assert top.url == "https://www.instagram.com/p/DCx1Ab2N3kQ/"
    reply = by_id["18107567341036999"]
    assert (reply.kind, reply.parent_external_id) == ("reply", "17892250648466172")
    # "from" left out: the comment's id stands in for the author, the username is only a handle.
    assert reply.author is not None
    assert (reply.author.external_id, reply.author.handle) == ("comment:18107567341036999", "lea.b")
    tagged = by_id["17999887766554433"]
    assert (tagged.kind, tagged.replies_count, tagged.likes) == ("post", 2, 12)
    # The media without comments is never asked for its comments; the next poll reads nothing new.
    assert platform.requests_to("GET", f"{V}/17955956875100002/comments") == []
    assert walk(connector, cursor)[0] == []


def test_rate_limit_and_expired_token(platform: FakePlatform, connector: InstagramConnector) -> None:
    usage = {IG_USER_ID: [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 5}]}
    platform.add(
        "GET", f"{V}/{IG_USER_ID}/media", status=403, json=load("error_rate_limited.json"),
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
    )  # fmt: skip
    with pytest.raises(RateLimited) as limited:
        connector.fetch({})
    assert limited.value.retry_after == 300
    platform.add("GET", f"{V}/{IG_USER_ID}/tags", status=400, json=load("error_token_expired.json"))
    with pytest.raises(ConnectorError) as expired:
        connector.fetch({"phase": "tags"})
    assert expired.value.needs_reauth
    assert "the password was changed" in expired.value.message


def test_webhooks_comments_and_mentions_with_good_and_bad_signatures(
    platform: FakePlatform, connector: InstagramConnector
) -> None:
    [item] = connector.parse_webhook(delivery(raw("webhook_comments.json")))
    assert (item.external_id, item.kind, item.parent_external_id) == (
        "17865799348089039", "reply", "17892250648466172",
    )  # fmt: skip
    assert item.author is not None
    assert item.author.external_id == "17841400000000777"

    platform.add("GET", f"{V}/{IG_USER_ID}", json=load("mentioned_comment.json"))
    [mentioned] = connector.parse_webhook(delivery(raw("webhook_mentions.json")))
    assert mentioned.text == "@mutuelle.horizon vous répondez quand aux messages ?"
    assert "mentioned_comment.comment_id(17894227972186120)" in (platform.requests[-1].param("fields") or "")

    with pytest.raises(SignatureError):
        connector.parse_webhook(delivery(raw("webhook_comments.json"), secret="not-the-app-secret"))
    token = connector.verify_token
    assert (
        connector.verify_challenge({"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "7"})
        == "7"
    )


def test_replies_moderation_and_mentions_answers(
    platform: FakePlatform, connector: InstagramConnector
) -> None:
    platform.add("POST", f"{V}/17892250648466172/replies", json=load("reply_created.json"))
    result = connector.publish_reply(comment(), "Bonjour, nous regardons.", idempotency_key="k")
    assert result.external_id == "17873440459141021"
    # A reply to a reply is attached to its top-level comment.
    connector.publish_reply(
        comment(external_id="18107567341036999", parent_id="17892250648466172"), "Merci", idempotency_key="k"
    )
    assert len(platform.requests_to("POST", f"{V}/17892250648466172/replies")) == 2
    with pytest.raises(ConnectorError, match="hidden comment"):
        connector.publish_reply(comment(hidden=True), "Bonjour", idempotency_key="k")

    platform.add("POST", f"{V}/{IG_USER_ID}/mentions", json=load("reply_created.json"))
    mentioned = comment(external_id="17894227972186120", mentioned={"media_id": "1788", "comment_id": "1789"})
    connector.publish_reply(mentioned, "Bonjour Paul", idempotency_key="k")
    assert platform.requests[-1].json() == {
        "message": "Bonjour Paul",
        "media_id": "1788",
        "comment_id": "1789",
    }

    platform.add("POST", f"{V}/17892250648466172", json=load("success.json"))
    platform.add("DELETE", f"{V}/17892250648466172", json=load("success.json"))
    connector.hide_item(comment())
    connector.hide_item(comment(), hidden=False)
    connector.delete_item(comment())
    hide, unhide = platform.requests_to("POST", f"{V}/17892250648466172")
    assert (hide.param("hide"), unhide.param("hide")) == ("true", "false")
    assert len(platform.requests_to("DELETE", f"{V}/17892250648466172")) == 1


def test_instagram_direct_inside_and_outside_the_window(
    platform: FakePlatform, connector: InstagramConnector
) -> None:
    platform.add("POST", f"{V}/{IG_USER_ID}/messages", json=load("message_sent.json"))
    dm = comment(age=timedelta(hours=2), sender={"id": "17841400000000001"})
    connector.send_direct_message(dm, "Bonjour", idempotency_key="k")
    assert platform.requests[-1].json()["recipient"] == {"id": "17841400000000001"}
    with pytest.raises(WindowClosed):
        connector.send_direct_message(
            comment(age=timedelta(hours=30), sender={"id": "1"}), "Bonjour", idempotency_key="k"
        )
    assert len(platform.requests) == 1


def test_source_add_then_fetch_from_the_command_line(tenant: Tenant, platform: FakePlatform) -> None:
    script_walk(platform)
    call_command(
        "source", "add", "--org", "acme", "--platform", "instagram", "--name", "Instagram",
        "--config", json.dumps(config(platform)), stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    source = Source.objects.get(name="Instagram")
    assert TOKEN not in json.dumps(source.config)
    call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    assert Mention.objects.filter(source=source).count() == 3


def test_an_instagram_direct_message_becomes_a_private_message(connector: InstagramConnector) -> None:
    [item] = connector.parse_webhook(delivery(raw("webhook_message.json")))
    assert item.kind == "private_message"
    assert item.external_id.startswith("aWdfZAG1faXRlbToxOklHTWVzc2FnZA")
    assert item.author is not None
    assert item.author.external_id == "6789012345678901"
    assert item.raw["platform"] == "instagram"
    assert item.raw["sender"] == {"id": "6789012345678901"}
    with pytest.raises(SignatureError):
        connector.parse_webhook(delivery(raw("webhook_message.json"), secret="not-the-app-secret"))


def test_direct_conversations_are_polled_when_asked(platform: FakePlatform) -> None:
    connector = InstagramConnector(
        InstagramConfig.model_validate(config(platform, read_messages=True, read_tags=False))
    )
    platform.add("GET", f"/v21.0/{IG_USER_ID}/media", json={"data": []})
    platform.add("GET", f"/v21.0/{IG_USER_ID}/conversations", json=load("conversations.json"))
    page = connector.fetch({})
    while page.has_more:
        page = connector.fetch(page.next_cursor)
    [item] = page.items
    assert item.kind == "private_message"
    assert item.author is not None
    assert (item.author.external_id, item.author.handle) == ("6789012345678901", "lea.voyage")
    [request] = platform.requests_to("GET", f"/v21.0/{IG_USER_ID}/conversations")
    assert request.query["platform"] == ["instagram"]
    assert page.next_cursor["messages_newest"] == "2026-12-05T14:03:51+00:00"


def test_the_connection_test_names_the_account_in_the_reader_s_language(
    platform: FakePlatform, connector: InstagramConnector
) -> None:
    never = json.loads((FACEBOOK_FIXTURES / "debug_token_never.json").read_text())
    for _ in range(2):
        platform.add("GET", f"{V}/{IG_USER_ID}", json=load("account.json"))
        platform.add("GET", f"{V}/debug_token", json=never)
    french = connector.test_connection()
    with translation.override("en"):
        english = connector.test_connection()
    assert french.startswith(
        f"@mutuelle.horizon ({IG_USER_ID}), 2870 abonnés ; jeton de vérification du webhook : "
    )
    assert english.startswith(f"@mutuelle.horizon ({IG_USER_ID}), 2870 followers; webhook verify token: ")


def test_replies_past_the_page_nested_in_a_comment_are_read_too(
    platform: FakePlatform, connector: InstagramConnector
) -> None:
    comments = load("comments_media1.json")
    top = comments["data"][0]
    # Meta nests one page of replies in each comment; a busy thread goes on past it.
    top["replies"]["paging"] = {
        "cursors": {"before": "QVFIUmJlZm9yZQ", "after": "QVFIUmFmdGVy"},
        "next": f"https://graph.facebook.com/v21.0/{top['id']}/replies?limit=25&after=QVFIUmFmdGVy",
    }
    platform.add("GET", f"{V}/{IG_USER_ID}/media", json=load("media_page1.json"))
    platform.add("GET", f"{V}/{IG_USER_ID}/media", json=load("media_page2.json"), query={"after": "QVFIUkE4"})
    platform.add("GET", f"{V}/{MEDIA_1}/comments", json=comments)
    platform.add(
        "GET",
        f"{V}/{top['id']}/replies",
        json={
            "data": [
                {
                    "id": "18107567341037555",
                    "text": "Toujours rien de mon côté 😤",
                    "timestamp": "2026-12-02T12:05:00+0000",
                    "username": "marc.d",
                    "like_count": 4,
                    "hidden": False,
                    "from": {"id": "17841400000000777", "username": "marc.d"},
                    "parent_id": top["id"],
                }
            ],
            "paging": {"cursors": {"before": "QVFIUmFmdGVy", "after": "QVFIUmVuZA"}},
        },
        query={"after": "QVFIUmFmdGVy"},
    )
    platform.add("GET", f"{V}/{IG_USER_ID}/tags", json=load("tags.json"))
    items, cursor = walk(connector, {})
    by_id = {item.external_id: item for item in items}
    late = by_id["18107567341037555"]
    assert (late.kind, late.parent_external_id, late.text) == (
        "reply",
        top["id"],
        "Toujours rien de mon côté 😤",
    )
    assert late.url == "https://www.instagram.com/p/DCx1Ab2N3kQ/"
    assert "18107567341036999" in by_id  # the nested page is read as before
    assert "more_replies" not in cursor
    assert cursor["phase"] == "media"


def test_a_comments_delivery_with_numeric_ids_is_the_same_comment_and_author(
    connector: InstagramConnector,
) -> None:
    """Instagram ids are numeric strings; a relay re-encoding the delivery may turn them into JSON
    numbers: the comment, its author and its parent must stay the same (never a second copy)."""
    body = json.loads(raw("webhook_comments.json"))
    value = body["entry"][0]["changes"][0]["value"]
    body["entry"][0]["id"] = int(body["entry"][0]["id"])
    value["id"], value["parent_id"] = int(value["id"]), int(value["parent_id"])
    value["from"]["id"], value["media"]["id"] = int(value["from"]["id"]), int(value["media"]["id"])
    [as_numbers] = connector.parse_webhook(delivery(json.dumps(body).encode()))
    [as_text] = connector.parse_webhook(delivery(raw("webhook_comments.json")))
    assert as_numbers.external_id == as_text.external_id == "17865799348089039"
    assert as_numbers.parent_external_id == as_text.parent_external_id
    assert as_numbers.author == as_text.author
    assert as_numbers.raw["media_id"] == "17955956875141196"
