"""Notification channels against real servers on loopback: HTTP for webhooks, aiosmtpd for mail."""

from __future__ import annotations

import email
import hashlib
import hmac
import logging
import socket
import time
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from vigie.alerts.channels import (
    DeliveryError,
    Notice,
    send_email,
    send_mattermost,
    send_slack,
    send_teams,
    send_webhook,
    verify_signature,
)
from vigie.connectors.testing import FakePlatform

SLACK_PATH = "/services/T0001/B0002/s3cr3tT0kenXYZ"
NOTICE = Notice(
    title="Pic de mentions négatives",
    body="23 mentions négatives en 30 min, 4 attendues (x5,8) depuis 14:05 <script>alert(1)</script>",
    url="https://vigie.example.org/alerts/12/",
    severity="critical",
    event="alert.opened",
    data={"alert_id": 12, "series": "org:3:negative", "observed": 23},
)


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as server:
        yield server


def free_port() -> int:
    """A port nothing listens on (just released by the OS)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/hook/s3cr3tT0kenXYZ"


# --- Slack, Mattermost, Teams -----------------------------------------------------------------


def test_it_posts_slack_text_and_blocks(platform: FakePlatform) -> None:
    platform.add("POST", SLACK_PATH, body="ok")
    send_slack(NOTICE, platform.url + SLACK_PATH)
    (request,) = platform.requests_to("POST", SLACK_PATH)
    payload = request.json()
    assert request.headers["content-type"].startswith("application/json")
    assert "Pic de mentions négatives" in payload["text"]
    header, section, context, actions = payload["blocks"]
    assert header["text"]["text"] == "Pic de mentions négatives"
    # Customer text cannot inject Slack control sequences.
    assert "&lt;script&gt;" in section["text"]["text"]
    assert "<script>" not in section["text"]["text"]
    assert "Critique" in context["elements"][0]["text"]
    assert actions["elements"][0]["url"] == "https://vigie.example.org/alerts/12/"
    assert actions["elements"][0]["text"]["text"] == "Ouvrir dans Vigie"


def test_slack_speaks_english_when_asked(platform: FakePlatform) -> None:
    platform.add("POST", SLACK_PATH, body="ok")
    send_slack(NOTICE, platform.url + SLACK_PATH, language="en")
    blocks = platform.requests[0].json()["blocks"]
    assert blocks[-1]["elements"][0]["text"]["text"] == "Open in Vigie"
    assert "Critical" in blocks[2]["elements"][0]["text"]


def test_it_posts_mattermost_markdown_with_a_link(platform: FakePlatform) -> None:
    platform.add("POST", "/hooks/abc123def456", body="ok")
    send_mattermost(NOTICE, platform.url + "/hooks/abc123def456")
    payload = platform.requests[0].json()
    assert payload["text"].startswith("#### :rotating_light: Pic de mentions négatives")
    assert "[Ouvrir dans Vigie](https://vigie.example.org/alerts/12/)" in payload["text"]
    assert "\\<script\\>" in payload["text"]
    assert payload["attachments"][0]["color"] == "#dc2626"
    assert payload["props"] == {"vigie_event": "alert.opened"}


def test_it_posts_a_teams_adaptive_card(platform: FakePlatform) -> None:
    platform.add("POST", "/workflows/xyz/triggers/manual/paths/invoke", status=202)
    send_teams(NOTICE, platform.url + "/workflows/xyz/triggers/manual/paths/invoke")
    payload = platform.requests[0].json()
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"] == "Pic de mentions négatives"
    assert card["body"][0]["color"] == "Attention"
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Ouvrir dans Vigie",
            "url": "https://vigie.example.org/alerts/12/",
        }
    ]


def test_a_notice_without_url_has_no_button(platform: FakePlatform) -> None:
    platform.add("POST", SLACK_PATH, body="ok")
    plain = Notice("Test", "Corps", None, "info", "alert.test", {})
    send_slack(plain, platform.url + SLACK_PATH)
    assert [block["type"] for block in platform.requests[0].json()["blocks"]] == [
        "header",
        "section",
        "context",
    ]


# --- Signed webhook ---------------------------------------------------------------------------


def test_the_webhook_signature_is_verifiable_by_a_receiver(platform: FakePlatform) -> None:
    platform.add("POST", "/receiver", status=204)
    delivery = send_webhook(NOTICE, platform.url + "/receiver", "whsec_abcdef123456")
    (request,) = platform.requests
    assert request.headers["x-vigie-event"] == "alert.opened"
    assert request.headers["x-vigie-delivery"] == delivery
    signature = request.headers["x-vigie-signature"]
    # What a receiver in any language does, following the documentation, without our code.
    fields = dict(part.split("=", 1) for part in signature.split(","))
    timestamp = int(fields["t"])
    assert abs(time.time() - timestamp) < 60
    expected = hmac.new(b"whsec_abcdef123456", f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert hmac.compare_digest(fields["v1"], expected.hexdigest())
    assert verify_signature("whsec_abcdef123456", signature, request.body)
    document = request.json()
    assert document["event"] == "alert.opened"
    assert document["severity"] == "critical"
    assert document["data"] == {"alert_id": 12, "series": "org:3:negative", "observed": 23}
    assert document["id"] == delivery
    assert document["sent_at"].endswith("Z")


def test_a_tampered_body_a_wrong_secret_or_an_old_signature_is_rejected(platform: FakePlatform) -> None:
    platform.add("POST", "/receiver", status=200)
    send_webhook(NOTICE, platform.url + "/receiver", "whsec_abcdef123456")
    request = platform.requests[0]
    signature = request.headers["x-vigie-signature"]
    assert not verify_signature("whsec_abcdef123456", signature, request.body.replace(b"23", b"24"))
    assert not verify_signature("another-secret", signature, request.body)
    timestamp = int(signature.split(",")[0][2:])
    assert not verify_signature("whsec_abcdef123456", signature, request.body, now=timestamp + 301)
    assert verify_signature("whsec_abcdef123456", signature, request.body, now=timestamp + 299)
    assert not verify_signature("whsec_abcdef123456", "v1=deadbeef", request.body)


def test_a_retry_keeps_its_delivery_id(platform: FakePlatform) -> None:
    platform.add("POST", "/receiver", status=503)
    platform.add("POST", "/receiver", status=200)
    with pytest.raises(DeliveryError) as failure:
        send_webhook(NOTICE, platform.url + "/receiver", "s3cret-value", delivery_id="d-1")
    assert failure.value.permanent is False
    send_webhook(NOTICE, platform.url + "/receiver", "s3cret-value", delivery_id="d-1")
    assert [r.headers["x-vigie-delivery"] for r in platform.requests] == ["d-1", "d-1"]


def test_a_webhook_needs_a_secret_and_serialisable_data(platform: FakePlatform) -> None:
    with pytest.raises(DeliveryError) as no_secret:
        send_webhook(NOTICE, platform.url + "/receiver", "")
    assert no_secret.value.permanent
    odd = Notice("t", "b", None, "info", "alert.test", {"when": object()})
    with pytest.raises(DeliveryError) as not_json:
        send_webhook(odd, platform.url + "/receiver", "s3cret-value")
    assert not_json.value.permanent
    assert platform.requests == []


# --- Error classification, secrets --------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        (400, True),
        (403, True),
        (404, True),
        (410, True),
        (408, False),
        (429, False),
        (500, False),
        (502, False),
        (503, False),
    ],
)
def test_4xx_is_permanent_and_5xx_is_retryable(platform: FakePlatform, status: int, permanent: bool) -> None:
    platform.add("POST", SLACK_PATH, status=status, body="nope")
    with pytest.raises(DeliveryError) as failure:
        send_slack(NOTICE, platform.url + SLACK_PATH)
    assert failure.value.permanent is permanent
    assert failure.value.status == status
    assert str(status) in str(failure.value)


def test_an_unreachable_server_is_retryable_and_not_named_in_full() -> None:
    url = closed_port_url()
    with pytest.raises(DeliveryError) as failure:
        send_mattermost(NOTICE, url)
    assert failure.value.permanent is False
    assert "s3cr3tT0kenXYZ" not in str(failure.value)
    assert "127.0.0.1" in str(failure.value)


def test_errors_and_logs_never_show_the_webhook_path_or_the_secret(
    platform: FakePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    # A server that echoes what it got, as some do in their error pages.
    platform.add("POST", SLACK_PATH, status=403, body=f"invalid_token for {SLACK_PATH}")
    platform.add("POST", "/receiver/s3cr3tT0kenXYZ", status=401, body="bad signature whsec_abcdef123456")
    platform.add("POST", "/ok/s3cr3tT0kenXYZ", status=200)
    caplog.set_level(logging.DEBUG, logger="vigie")
    with pytest.raises(DeliveryError) as slack:
        send_slack(NOTICE, platform.url + SLACK_PATH)
    with pytest.raises(DeliveryError) as hook:
        send_webhook(NOTICE, platform.url + "/receiver/s3cr3tT0kenXYZ", "whsec_abcdef123456")
    send_webhook(NOTICE, platform.url + "/ok/s3cr3tT0kenXYZ", "whsec_abcdef123456")
    for text in (str(slack.value), str(hook.value), caplog.text):
        assert "s3cr3tT0kenXYZ" not in text
        assert "whsec_abcdef123456" not in text
    assert "invalid_token" in str(slack.value)
    assert "delivered" in caplog.text


def test_only_http_urls_are_accepted() -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/x", "not a url"):
        with pytest.raises(DeliveryError) as failure:
            send_teams(NOTICE, url)
        assert failure.value.permanent


def test_a_notice_has_a_known_severity() -> None:
    with pytest.raises(ValueError, match="severity"):
        Notice("t", "b", None, "urgent", "alert.opened", {})


# --- E-mail through a real SMTP server ----------------------------------------------------------


class Recorder:
    """An aiosmtpd handler that keeps messages and refuses some recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("gone@"):
            return "550 5.1.1 No such user"
        if address.startswith("busy@"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Recorder]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        settings.DEFAULT_FROM_EMAIL = "Vigie <vigie@example.org>"
        yield recorder
    finally:
        controller.stop()


def _parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in message.walk()
        if not part.is_multipart()
    }


def test_it_sends_an_email_with_text_and_escaped_html(smtp: Recorder) -> None:
    send_email(NOTICE, ["chef@example.org", "cm@example.org"])
    ((recipients, message),) = smtp.messages
    assert recipients == ["chef@example.org", "cm@example.org"]
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject == "[Vigie] [Critique] Pic de mentions négatives"
    assert message["X-Vigie-Event"] == "alert.opened"
    parts = _parts(message)
    assert "Ouvrir dans Vigie : https://vigie.example.org/alerts/12/" in parts["text/plain"]
    assert "&lt;script&gt;" in parts["text/html"]
    assert "<script>" not in parts["text/html"]


def test_the_email_speaks_english_when_asked(smtp: Recorder) -> None:
    send_email(NOTICE, ["chef@example.org"], language="en")
    message = smtp.messages[0][1]
    assert "Critical" in str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert "Open in Vigie: https://vigie.example.org/alerts/12/" in _parts(message)["text/plain"]


def test_a_title_cannot_inject_headers(smtp: Recorder) -> None:
    sneaky = Notice("Alerte\r\nBcc: victim@example.org", "b", None, "info", "alert.opened", {})
    send_email(sneaky, ["chef@example.org"])
    ((recipients, message),) = smtp.messages
    assert recipients == ["chef@example.org"]
    assert message["Bcc"] is None


def test_a_refused_recipient_is_permanent_and_a_busy_one_retryable(smtp: Recorder) -> None:
    with pytest.raises(DeliveryError) as gone:
        send_email(NOTICE, ["gone@example.org"])
    assert gone.value.permanent is True
    with pytest.raises(DeliveryError) as busy:
        send_email(NOTICE, ["busy@example.org"])
    assert busy.value.permanent is False
    assert smtp.messages == []


def test_an_unreachable_smtp_server_is_retryable(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_PASSWORD = "smtp-pass-123"
    settings.EMAIL_TIMEOUT = 5
    with pytest.raises(DeliveryError) as failure:
        send_email(NOTICE, ["chef@example.org"])
    assert failure.value.permanent is False
    assert "smtp-pass-123" not in str(failure.value)


def test_no_recipient_or_a_bad_address_is_permanent(smtp: Recorder) -> None:
    for to in ([], ["not-an-address"]):
        with pytest.raises(DeliveryError) as failure:
            send_email(NOTICE, to)
        assert failure.value.permanent
    assert smtp.messages == []
