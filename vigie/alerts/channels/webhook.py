"""Generic signed JSON webhook (format documented in docs/alerts-detection.md).

Headers: ``X-Vigie-Event`` (the event name), ``X-Vigie-Delivery`` (an id, the same on every
retry of one delivery, so a receiver can drop duplicates) and ``X-Vigie-Signature:
t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime

from vigie.alerts.channels.base import DeliveryError, Notice, post_json

SIGNATURE_HEADER = "X-Vigie-Signature"
EVENT_HEADER = "X-Vigie-Event"
DELIVERY_HEADER = "X-Vigie-Delivery"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Vigie-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    secret: str, header: str, body: bytes, now: int | None = None, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """What a receiver does: recompute the HMAC of the raw body and check the timestamp.

    Rejects a signature older (or newer) than ``tolerance`` seconds, so a captured request
    cannot be replayed later. Accepts several ``v1=`` values (secret rotation).
    """
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    current = int(time.time()) if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)


def webhook_body(notice: Notice, delivery_id: str, sent_at: datetime) -> bytes:
    """The exact bytes that are signed and sent."""
    document = {
        "id": delivery_id,
        "event": notice.event,
        "severity": notice.severity,
        "title": notice.title,
        "body": notice.body,
        "url": notice.url,
        "data": notice.data,
        "sent_at": sent_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    try:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    except (TypeError, ValueError) as exc:
        raise DeliveryError(
            f"webhook: notice data is not JSON-serialisable ({exc})", permanent=True
        ) from None


def send_webhook(notice: Notice, url: str, secret: str, delivery_id: str | None = None) -> str:
    """POST ``notice`` as signed JSON to ``url``; returns the delivery id. Raises ``DeliveryError``.

    Pass the same ``delivery_id`` when retrying, so the receiver sees one delivery.
    """
    if not secret:
        raise DeliveryError("webhook: a signing secret is required", permanent=True)
    delivery = delivery_id or uuid.uuid4().hex
    now = time.time()
    body = webhook_body(notice, delivery, datetime.fromtimestamp(now, UTC))
    headers = {
        SIGNATURE_HEADER: sign(secret, body, int(now)),
        EVENT_HEADER: notice.event,
        DELIVERY_HEADER: delivery,
    }
    post_json(url, {}, "Webhook", notice.event, headers=headers, body=body, secrets=(secret,))
    return delivery
