"""Private messages of Meta's two platforms (Messenger and Instagram Direct) as ``MentionIn``.

They arrive two ways, shaped by Meta as documented (see docs/connectors.md and the connectors'
``doc.md``):

* the ``messages`` webhook field: ``entry[].messaging[]`` events
  ``{"sender": {"id": PSID or IGSID}, "recipient": {"id": page or IG account id}, "timestamp": ms,
  "message": {"mid": "m_…", "text": "…", "attachments": [...], "is_echo": true?}}``;
* the conversations edge, polled: ``GET /{id}/conversations?platform=messenger|instagram`` with
  ``fields=id,updated_time,messages.limit(N){id,created_time,from,to,message}``, newest first.

A message keeps its platform id (``mid`` / ``m_…``) as its external id, so the same message read
by webhook and by polling, or delivered twice, is stored once. ``raw["sender"]["id"]`` is who the
answer goes to within the platform's window (``graph.check_window``). The account's own messages
(echoes) are not read: they are Vigie's (or a colleague's) words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vigie.connectors.builtin.facebook.graph import PayloadError, graph_time
from vigie.connectors.contract import AuthorIn, MentionIn

# The mention kind of a private message: routed to its author's open case, never answered publicly.
PRIVATE_MESSAGE = "private_message"
MESSAGE_FIELDS = "id,created_time,from,to,message"
CONVERSATION_FIELDS = f"id,updated_time,messages.limit(25){{{MESSAGE_FIELDS}}}"


def _attachments_text(message: dict[str, Any]) -> str:
    """A message without text (a photo, a sticker) still says what it holds."""
    kinds = [
        str(item.get("type") or "fichier")
        for item in message.get("attachments") or []
        if isinstance(item, dict)
    ]
    return " ".join(f"[pièce jointe : {kind}]" for kind in kinds)


def messaging_mentions(entry: dict[str, Any], account_id: str, platform: str) -> list[MentionIn]:
    """The private messages of one webhook ``entry`` (its ``messaging`` events), written to the
    account. Reads, deliveries, reactions and echoes of our own messages are left out."""
    events = entry.get("messaging")
    found: list[MentionIn] = []
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict) or not isinstance(event.get("message"), dict):
            continue
        message = event["message"]
        sender = _dict(event.get("sender"))
        sender_id = str(sender.get("id") or "")
        if message.get("is_echo") or not sender_id or sender_id == account_id:
            continue
        mid = str(message.get("mid") or "")
        if not mid:
            raise PayloadError("a messaging event without message.mid")
        created = _time(event.get("timestamp"), entry.get("time"))
        found.append(
            MentionIn(
                external_id=mid,
                kind=PRIVATE_MESSAGE,
                created_at=created,
                text=str(message.get("text") or "") or _attachments_text(message),
                author=AuthorIn(external_id=sender_id),
                # Instagram tells a message the person took back ("unsend").
                deleted=bool(message.get("is_deleted")),
                raw={**event, "platform": platform},
            )
        )
    return found


def conversation_mentions(
    conversation: dict[str, Any], account_id: str, platform: str, newer_than: str
) -> list[MentionIn]:
    """The messages of one polled conversation written to the account after ``newer_than``
    (an ISO time; "" for all of those listed)."""
    listing = conversation.get("messages")
    entries = listing.get("data") if isinstance(listing, dict) else None
    found: list[MentionIn] = []
    for message in entries if isinstance(entries, list) else []:
        if not isinstance(message, dict) or not message.get("id"):
            continue
        sender = _dict(message.get("from"))
        sender_id = str(sender.get("id") or "")
        if not sender_id or sender_id == account_id:
            continue
        created = graph_time(message.get("created_time"))
        if newer_than and created.isoformat() <= newer_than:
            continue
        raw = {
            **message,
            # Shaped as a webhook event's sender, so the answer goes to the same person.
            "sender": {"id": sender_id},
            "conversation_id": str(conversation.get("id") or ""),
            "platform": platform,
        }
        found.append(
            MentionIn(
                external_id=str(message["id"]),
                kind=PRIVATE_MESSAGE,
                created_at=created,
                text=str(message.get("message") or ""),
                author=AuthorIn(
                    external_id=sender_id,
                    handle=str(sender.get("username") or ""),
                    display_name=str(sender.get("name") or sender.get("username") or ""),
                ),
                raw=raw,
            )
        )
    return found


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _time(value: Any, fallback: Any) -> datetime:
    for candidate in (value, fallback):
        if candidate not in (None, ""):
            try:
                return graph_time(candidate)
            except ValueError:
                continue
    raise PayloadError("a messaging event without a readable timestamp")
