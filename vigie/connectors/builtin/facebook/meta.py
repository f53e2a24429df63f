"""The base both Meta connectors (Facebook Pages, Instagram) build on: configuration shared by
both, the Graph client, moderation calls, the private channel's window and webhook verification."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from pydantic import Field, field_validator

from vigie.connectors.builtin.facebook.graph import (
    DEFAULT_BASE_URL,
    GraphClient,
    challenge_answer,
    check_window,
    default_verify_token,
    graph_time,
)
from vigie.connectors.builtin.facebook.messages import (
    CONVERSATION_FIELDS,
    conversation_mentions,
    messaging_mentions,
)
from vigie.connectors.builtin.facebook.schemas import Created, MessageSent, TokenData
from vigie.connectors.contract import (
    Connector,
    ConnectorConfig,
    ConnectorError,
    MentionIn,
    Page,
    ReplyResult,
)
from vigie.connectors.platforms import runtime_gettext as _

# A token expiring within this many days is announced by "test the connection".
EXPIRY_WARNING_DAYS = 7
# Past this share of a rate-limit window (``X-App-Usage``, ``X-Business-Use-Case-Usage``), a poll
# stops asking for more pages at once: the cursor keeps its place for the next poll.
USAGE_CEILING_PERCENT = 90
_VERSION = re.compile(r"/v(\d+)(?:\.\d+)?(?:/|$)")


class MetaConfig(ConnectorConfig):
    """What both Meta connectors take beyond their account id and token."""

    base_url: str = Field(
        default="",
        description=f"Adresse de l'API Graph (par défaut {DEFAULT_BASE_URL})",
    )
    app_secret: str = Field(
        min_length=8,
        description="Clé secrète de l'application Meta (vérifie les webhooks, signe les appels)",
        json_schema_extra={"secret": True},
    )
    graph_version: str = Field(default="", description="Version de l'API Graph, par exemple v21.0")
    verify_token: str = Field(
        default="",
        description="Jeton de vérification du webhook (vide : dérivé de la clé secrète)",
        json_schema_extra={"secret": True},
    )
    lookback_days: int = Field(
        default=30, ge=1, le=365, description="Publications relues pour leurs commentaires (jours)"
    )
    # Off by default: reading conversations needs a permission granted through App Review
    # (pages_messaging, instagram_manage_messages); the ``messages`` webhook brings them anyway.
    read_messages: bool = Field(
        default=False,
        description="Relire aussi les messages privés par interrogation (en plus du webhook « messages »)",
    )

    @field_validator("base_url")
    @classmethod
    def _graph_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("the Graph API address must start with https://")
        return value.rstrip("/")

    @field_validator("graph_version")
    @classmethod
    def _version(cls, value: str) -> str:
        if value and not re.fullmatch(r"v\d{1,2}\.\d", value):
            raise ValueError("a Graph version looks like v21.0")
        return value


MC = TypeVar("MC", bound=MetaConfig)


class MetaConnector(Connector[MC]):
    """Shared behaviour of the Facebook and Instagram connectors (not registered itself)."""

    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    # The object Meta names in a webhook delivery (``page`` or ``instagram``).
    webhook_object: ClassVar[str] = ""
    # The conversations edge's ``platform`` parameter (``messenger`` or ``instagram``).
    messaging_platform: ClassVar[str] = ""

    @property
    def token(self) -> str:
        raise NotImplementedError

    @property
    def account_id(self) -> str:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        if self.config.base_url:
            return self.config.base_url.rstrip("/")
        if self.config.graph_version:
            return f"https://graph.facebook.com/{self.config.graph_version}"
        return self.default_base_url

    @property
    def graph(self) -> GraphClient:
        client = getattr(self, "_graph", None)
        if client is None:
            client = GraphClient(self.http, self.base_url, self.token, self.config.app_secret, self.label)
            self._graph = client
        return client

    @property
    def graph_major_version(self) -> int | None:
        """The Graph version the calls go to (from ``graph_version`` or the address), if it says."""
        found = _VERSION.search(
            f"/{self.config.graph_version}/" if self.config.graph_version else self.base_url
        )
        return int(found.group(1)) if found else None

    def paced(self, page: Page) -> Page:
        """``page``, not asking for the next one right away when Meta says the window is nearly
        used: throttling (codes 4, 17, 32, 613) would block every call of the app for a while."""
        usage = self.graph.usage_percent
        if page.has_more and usage is not None and usage >= USAGE_CEILING_PERCENT:
            return replace(page, has_more=False)
        return page

    # --- private messages (polled after the public phases of a walk) ----------------------------

    def then_messages(self, page: Page, cursor: dict[str, Any]) -> Page:
        """``page`` of a public phase, carrying the messages' place along; where it ends the walk,
        the conversations are read next (when ``read_messages`` is set)."""
        place = {"messages_newest": str(cursor.get("messages_newest") or "")}
        following = {**page.next_cursor, **place}
        # ``replace`` keeps what else the page says (a complete listing of a post's comments).
        if page.has_more or not self.config.read_messages:
            return replace(page, next_cursor=following)
        return replace(
            page, next_cursor={**following, "phase": "messages", "resume": following}, has_more=True
        )

    def messages_page(self, cursor: dict[str, Any]) -> Page:
        """One page of ``/{id}/conversations`` (newest first): the messages written to the account
        since the newest read, down to the first conversation not updated since."""
        newest_read = str(cursor.get("messages_newest") or "")
        walk_newest = str(cursor.get("walk_newest") or newest_read)
        resume = dict(cursor.get("resume") or {})
        params = {"fields": CONVERSATION_FIELDS, "platform": self.messaging_platform, "limit": 25}
        entries, after = self.graph.list_page(
            f"/{self.account_id}/conversations", params, cursor.get("after")
        )
        items: list[MentionIn] = []
        reached_known = False
        for conversation in entries:
            updated = str(conversation.get("updated_time") or "")
            stamp = graph_time(updated).isoformat() if updated else ""
            if newest_read and stamp and stamp <= newest_read:
                reached_known = True
                break
            walk_newest = max(walk_newest, stamp)
            items.extend(
                conversation_mentions(conversation, self.account_id, self.messaging_platform, newest_read)
            )
        if after and not reached_known:
            state = {
                "phase": "messages",
                "after": after,
                "messages_newest": newest_read,
                "walk_newest": walk_newest,
                "resume": resume,
            }
            return Page(items, state, has_more=True)
        return Page(items, {**resume, "messages_newest": walk_newest}, has_more=False)

    def messaging_items(self, entry: dict[str, Any]) -> list[MentionIn]:
        """The private messages of a webhook entry (the ``messages`` field)."""
        return messaging_mentions(entry, self.account_id, self.messaging_platform)

    # --- webhooks ---------------------------------------------------------------------------

    @property
    def verify_token(self) -> str:
        """What to type as "Verify token" in the App Dashboard for this source."""
        return self.config.verify_token or default_verify_token(self.config.app_secret)

    def verify_token_line(self) -> str:
        """The derived verify token, for "test the connection" (one typed in is not repeated)."""
        if self.config.verify_token:
            return ""
        return _(" ; jeton de vérification du webhook : %(token)s") % {"token": self.verify_token}

    def verify_challenge(self, params: dict[str, str]) -> str | None:
        """The ``hub.challenge`` to answer Meta's subscription check with, or None (403)."""
        return challenge_answer(params, self.verify_token)

    def delivery_entries(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """The entries of a checked delivery that are about this source's account."""
        if data.get("object") != self.webhook_object:
            return []
        entries = data.get("entry")
        if not isinstance(entries, list):
            return []
        return [
            entry for entry in entries if isinstance(entry, dict) and str(entry.get("id")) == self.account_id
        ]

    # --- token health -----------------------------------------------------------------------

    def expiry_warning(self, now: datetime | None = None) -> str:
        """A warning when ``debug_token`` says the token expires soon (or was invalidated); empty
        when it never expires, is far from expiring, or the check itself is not allowed."""
        try:
            data = self.graph.call("GET", "/debug_token", {"input_token": self.token})
        except ConnectorError:
            return ""
        token = self.graph.model(TokenData, (data or {}).get("data") or {})
        if not token.is_valid:
            return _(" ; attention : Meta dit ce jeton invalide, reconnectez le compte")
        if not token.expires_at:
            return ""
        left = datetime.fromtimestamp(token.expires_at, tz=UTC) - (now or datetime.now(tz=UTC))
        if left.days < EXPIRY_WARNING_DAYS:
            days = max(left.days, 0)
            return _(
                " ; attention : ce jeton expire dans %(days)s jour(s), remplacez-le par un jeton de page "
                "longue durée (voir la documentation du connecteur)"
            ) % {"days": days}
        return ""

    # --- moderation, replies, private messages ---------------------------------------------------

    def delete_reply(self, mention: MentionIn, reply_external_id: str) -> None:
        """Delete our answer; one already gone counts as deleted."""
        self._delete(reply_external_id)

    def delete_item(self, mention: MentionIn) -> None:
        """Delete the comment on the platform; Vigie keeps its copy, marked deleted by ingestion."""
        self._delete(mention.external_id)

    def send_direct_message(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Answer ``mention``'s author privately; refused before sending outside the window."""
        recipient = check_window(mention)
        body = {"recipient": recipient, "messaging_type": "RESPONSE", "message": {"text": text}}
        data = self.graph.call("POST", f"/{self.account_id}/messages", json_body=body)
        sent = self.graph.model(MessageSent, data)
        return ReplyResult(external_id=sent.message_id, raw=data)

    def _comment(self, target: str, edge: str, text: str) -> ReplyResult:
        data = self.graph.call("POST", f"/{target}/{edge}", json_body={"message": text})
        created = self.graph.model(Created, data)
        return ReplyResult(external_id=created.id, raw=data)

    def _delete(self, object_id: str) -> None:
        try:
            self.graph.call("DELETE", f"/{object_id}")
        except ConnectorError as exc:
            # Code 100 subcode 33: the object does not exist (any more).
            if "HTTP 404" not in exc.message and "subcode 33)" not in exc.message:
                raise
