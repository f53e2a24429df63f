"""The ``webhook`` connector: signed JSON pushed to Vigie by in-house tools and automation
platforms (n8n, Make, Zapier, a CRM…).

Each request carries ``X-Vigie-Timestamp`` (Unix seconds) and ``X-Vigie-Signature``
(``sha256=`` + hex HMAC-SHA256 of ``timestamp + "." + raw body`` keyed with the source's secret).
A request older or newer than five minutes is refused, so a captured request cannot be replayed
later; a re-delivery inside the window is harmless because ingestion is idempotent on item ids.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, ClassVar

from pydantic import Field, ValidationError

from vigie.connectors.builtin.webhook.schemas import WebhookBody, WebhookItem
from vigie.connectors.contract import (
    AuthorIn,
    Capability,
    Connector,
    ConnectorConfig,
    ConnectorError,
    MentionIn,
    WebhookRequest,
)
from vigie.connectors.normalise import (
    rating_to_five,
    raw_rating,
    sanitise_html,
    text_and_html,
)
from vigie.connectors.platforms import gettext_noop
from vigie.connectors.platforms import runtime_gettext as _
from vigie.core.safe_text import MAX_JSON_DEPTH, clean_json, json_too_deep

TIMESTAMP_HEADER = "x-vigie-timestamp"
SIGNATURE_HEADER = "x-vigie-signature"
REPLAY_WINDOW_SECONDS = 300
MAX_ITEMS = 1000


class WebhookConfig(ConnectorConfig):
    """The shared secret the sender signs with."""

    secret: str = Field(
        min_length=16,
        description="Secret partagé (16 caractères au moins)",
        json_schema_extra={"secret": True},
    )


class SignatureError(ConnectorError):
    """Missing, stale or wrong signature: answered 401."""

    http_status = 401


class PayloadError(ConnectorError):
    """The body is signed but some items are invalid: answered 422 with ``errors``."""

    http_status = 422

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message, permanent=True)
        self.errors = errors


class BodyTooDeep(ConnectorError):
    """JSON nested beyond ``MAX_JSON_DEPTH``: answered 400 before anything reads it."""

    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Vigie-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class WebhookConnector(Connector[WebhookConfig]):
    """Receives mentions pushed over HTTP; nothing to poll."""

    slug: ClassVar[str] = "webhook"
    label: ClassVar[str] = gettext_noop("Webhook signé")
    # A pushed item may say it was deleted (``deleted: true``).
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.WEBHOOK, Capability.DETECTS_DELETIONS}
    )
    Config: ClassVar[type[ConnectorConfig]] = WebhookConfig
    # It only receives: no API address to ask for.
    uses_base_url: ClassVar[bool] = False

    def test_connection(self) -> str:
        """Nothing to reach: the sender calls Vigie."""
        return _("prêt à recevoir des requêtes signées")

    def verify(self, request: WebhookRequest, now: float | None = None) -> None:
        """Raise ``SignatureError`` unless the request is signed with our secret and fresh."""
        timestamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
        signature = request.headers.get(SIGNATURE_HEADER, "").strip()
        if not timestamp or not signature:
            raise SignatureError("missing X-Vigie-Timestamp or X-Vigie-Signature header")
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise SignatureError("X-Vigie-Timestamp is not a Unix time in seconds") from None
        if abs((now or time.time()) - sent_at) > REPLAY_WINDOW_SECONDS:
            raise SignatureError("timestamp outside the 5-minute window")
        expected = sign(self.config.secret, timestamp, request.body)
        if not hmac.compare_digest(expected, signature):
            raise SignatureError("bad signature")

    def parse_webhook(self, request: WebhookRequest) -> list[MentionIn]:
        """Verify the request, then turn every item into a mention; all items or none."""
        self.verify(request)
        try:
            data = json.loads(request.body)
        except RecursionError:
            data = None
            too_deep = True
        except (ValueError, UnicodeDecodeError):
            raise PayloadError(
                "body is not JSON", [{"index": None, "field": "", "message": "invalid JSON"}]
            ) from None
        else:
            too_deep = json_too_deep(data, MAX_JSON_DEPTH)
        if too_deep:
            raise BodyTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        # NUL, control characters and lone surrogates ("\ud800") go before anything reads them.
        data = clean_json(data)
        try:
            body = WebhookBody.model_validate({"items": data} if isinstance(data, list) else data)
        except ValidationError:
            raise PayloadError(
                'body must be {"items": [...]}',
                [{"index": None, "field": "items", "message": "a list is required"}],
            ) from None
        if len(body.items) > MAX_ITEMS:
            raise PayloadError(
                "too many items",
                [{"index": None, "field": "items", "message": f"at most {MAX_ITEMS} per request"}],
            )
        mentions, errors = [], []
        for index, raw in enumerate(body.items):
            try:
                mentions.append(self._mention(WebhookItem.model_validate(raw), raw))
            except ValidationError as exc:
                for error in exc.errors():
                    field = ".".join(str(part) for part in error["loc"])
                    errors.append({"index": index, "field": field, "message": error["msg"]})
            except ValueError as exc:
                field, _, message = str(exc).partition(": ")
                errors.append({"index": index, "field": field, "message": message or str(exc)})
        if errors:
            raise PayloadError(f"{len(errors)} invalid item(s)", errors)
        return mentions

    def _mention(self, item: WebhookItem, raw: dict[str, Any]) -> MentionIn:
        try:
            # One sent without an offset is the sender's local time: the source's timezone.
            created = self.local_time(item.created_at)
        except ValueError:
            raise ValueError("created_at: unreadable date") from None
        rating = None
        if item.rating not in (None, ""):
            rating = rating_to_five(item.rating, scale_max=item.rating_scale)
            if rating is None:
                raise ValueError("rating: unreadable value")
        if item.html:
            text, html = text_and_html(item.html)
            text = item.text or text
            html = sanitise_html(item.html)
        else:
            text, html = text_and_html(item.text)
        author = None
        if item.author and (item.author.id or item.author.handle or item.author.name):
            author = AuthorIn(
                external_id=item.author.id or item.author.handle or item.author.name,
                handle=item.author.handle,
                display_name=item.author.name,
                profile_url=item.author.url if item.author.url.startswith(("http://", "https://")) else "",
                followers_count=item.author.followers,
            )
        return MentionIn(
            external_id=item.id,
            kind=item.kind,
            created_at=created,
            text=text,
            html=html,
            title=item.title,
            url=item.url if item.url.startswith(("http://", "https://")) else "",
            author=author,
            rating=rating,
            rating_raw=raw_rating(item.rating) if rating is not None else "",
            parent_external_id=item.parent_id,
            likes=item.likes,
            shares=item.shares,
            replies_count=item.replies,
            reach=item.reach,
            language=item.language.lower(),
            deleted=item.deleted,
            raw=raw,
        )
