"""The connector contract: what a platform plug-in provides. Keep it small.

A connector turns a platform's API (or a file, a feed, a webhook body) into frozen ``MentionIn``
values and, where the platform allows, publishes replies. It never touches the database: the
ingestion code upserts what it returns, and only then advances the cursor.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict

from vigie.connectors.normalise import aware_datetime, zone
from vigie.connectors.platforms import (
    Capability,
    Item,
    LengthLimit,
    PlatformFacts,
    PlatformKind,
    ReplyFormat,
)
from vigie.core.egress import DEFAULT_MAX_BYTES, egress_client

__all__ = [
    "AuthorIn",
    "Capability",
    "Connector",
    "ConnectorConfig",
    "ConnectorError",
    "Item",
    "LengthLimit",
    "MentionIn",
    "Page",
    "PlaceIn",
    "PlatformFacts",
    "PlatformKind",
    "RateLimited",
    "ReplyFormat",
    "ReplyResult",
    "WebhookRequest",
    "sends_credentials",
]


@dataclass(frozen=True)
class AuthorIn:
    """An author as the platform describes them."""

    external_id: str
    handle: str = ""
    display_name: str = ""
    profile_url: str = ""
    followers_count: int | None = None


@dataclass(frozen=True)
class PlaceIn:
    """A place of the organisation on the platform (a Google location, a shop, an agency) that an
    item belongs to. Ingestion files the item under the Vigie location mapped to it (by
    ``store_code``, else by address and postcode, else a new location named ``name``)."""

    external_id: str
    name: str
    store_code: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""


@dataclass(frozen=True)
class MentionIn:
    """One item read from a platform, normalised.

    ``created_at`` is timezone-aware; ``rating`` is on 1–5 (``rating_raw`` keeps the platform's own
    value); ``text`` is plain text and ``html`` the sanitised HTML when the platform sends HTML;
    ``raw`` is the platform's payload for this item, kept as received.
    """

    external_id: str
    kind: str  # review / post / comment / reply / article / survey_answer
    created_at: datetime
    text: str = ""
    title: str = ""
    html: str = ""
    url: str = ""
    author: AuthorIn | None = None
    rating: Decimal | None = None
    rating_raw: str = ""
    parent_external_id: str = ""
    likes: int = 0
    shares: int = 0
    replies_count: int = 0
    reach: int = 0
    language: str = ""
    deleted: bool = False
    # The organisation's own published answer, when the platform returns it with the item.
    owner_reply_text: str = ""
    owner_reply_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    # Where the item belongs when one source covers several places (None: the source's location).
    place: PlaceIn | None = None

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise ValueError(f"{self.external_id}: created_at must be timezone-aware")
        if self.rating is not None and not (Decimal(1) <= self.rating <= Decimal(5)):
            raise ValueError(f"{self.external_id}: rating {self.rating} is outside 1–5")


@dataclass(frozen=True)
class Page:
    """One page of a fetch. ``next_cursor`` is what to pass next time; ``has_more`` asks for another
    page right away (pagination), otherwise the source waits for its next poll."""

    items: list[MentionIn]
    next_cursor: dict[str, Any]
    has_more: bool = False
    # A full reconciliation: when set, every external id the platform still lists among the
    # source's items whose id starts with ``complete_prefix`` ("" = all of them). Stored items of
    # that scope not listed are marked deleted (kept, never erased); listed ones marked deleted
    # earlier are restored.
    complete_ids: frozenset[str] | None = None
    complete_prefix: str = ""
    # Narrows that scope to the stored items created strictly after ``complete_after`` and strictly
    # before ``complete_before`` (None: no bound on that side). A listing read newest first one
    # page at a time is whole only inside the span of creation times its page covers: a review
    # missing from that span was deleted, one outside it was simply on another page.
    complete_after: datetime | None = None
    complete_before: datetime | None = None


@dataclass(frozen=True)
class ReplyResult:
    """What the platform answered when a reply was published."""

    external_id: str
    url: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookRequest:
    """The parts of an incoming HTTP request a connector may look at: headers (lower-case names)
    and the raw body bytes, exactly as received (signatures are computed over them)."""

    headers: dict[str, str]
    body: bytes


class ConnectorError(Exception):
    """A platform call failed. ``permanent`` says a retry would not help (a policy refusal, a
    deleted resource); ``needs_reauth`` that the credentials were refused or expired."""

    def __init__(self, message: str, *, permanent: bool = False, needs_reauth: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent or needs_reauth
        self.needs_reauth = needs_reauth


class RateLimited(ConnectorError):
    """The platform asked us to slow down; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConnectorConfig(BaseModel):
    """Base of every connector's configuration. Secret fields are declared with
    ``Field(json_schema_extra={"secret": True})``: they are stored encrypted, never shown back."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    base_url: str = ""


C = TypeVar("C", bound=ConnectorConfig)

DEFAULT_LOCAL_ZONE = "Europe/Paris"


def sends_credentials(config: ConnectorConfig) -> bool:
    """Whether ``config`` holds a secret (a token, a password) that requests will carry."""
    for name, spec in type(config).model_fields.items():
        extra = spec.json_schema_extra
        if isinstance(extra, dict) and extra.get("secret") and getattr(config, name, None):
            return True
    return False


class Connector(ABC, Generic[C]):
    """Base class of a platform connector.

    Subclasses set ``slug`` (part of the public interface), ``label``, ``capabilities``, ``Config``
    and ``default_poll_seconds``, and implement the methods their capabilities promise.

    The class is the one place that says what its platform is and does (see
    ``vigie.connectors.platforms``): ``kind``; ``reply_replaces`` when a reply replaces the
    previous one (one owner reply per review) rather than adding one; ``reply_idempotent`` when
    sending the same reply twice cannot make two (an idempotency key, or a replacing reply);
    ``reply_limit`` and ``reply_format``; ``urls``, the dotted path of a URL module with the
    connector's own pages (included under /sources/); ``item_url`` for the link that opens an item;
    ``webhook_url_name``, the URL name (taking the source id) a platform's webhooks are sent to.

    The Sources page builds a source's form from these declarations: the polling interval only
    where the connector has ``Capability.FETCH``, the API address only where ``uses_base_url``,
    one field per ``Config`` field, labelled by its ``description`` (a French msgid); a choice
    field (a ``Literal``) shows the words of ``Field(json_schema_extra={"labels": {value: msgid}})``
    rather than its codes.
    """

    slug: ClassVar[str]
    label: ClassVar[str]
    # The name the platform's users know, if not ``label`` (said to customers in review requests).
    public_label: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    Config: ClassVar[type[ConnectorConfig]]
    default_poll_seconds: ClassVar[int] = 900
    default_base_url: ClassVar[str] = ""
    kind: ClassVar[PlatformKind] = PlatformKind.OTHER
    reply_replaces: ClassVar[bool] = False
    reply_idempotent: ClassVar[bool] = False
    reply_limit: ClassVar[LengthLimit | None] = None
    reply_format: ClassVar[ReplyFormat] = ReplyFormat.PLAIN_TEXT
    urls: ClassVar[str | None] = None
    # The configuration field (a list of ids) that ``list_places`` offers choices for, if any.
    places_field: ClassVar[str] = ""
    # Whether the connector calls its platform's API at ``base_url`` (``default_base_url`` unless
    # set: a proxy, a test server). A file import, a feed read at its own address or a webhook
    # that only receives does not, and its settings do not ask for one.
    uses_base_url: ClassVar[bool] = True
    webhook_url_name: ClassVar[str] = "source_webhook"

    @classmethod
    def facts(cls) -> PlatformFacts:
        """What this connector declares about its platform, as every other app reads it."""
        return PlatformFacts(
            slug=cls.slug,
            label=cls.label,
            kind=cls.kind,
            capabilities=cls.capabilities,
            reply_replaces=cls.reply_replaces,
            reply_idempotent=cls.reply_idempotent,
            reply_limit=cls.reply_limit,
            reply_format=cls.reply_format,
            connected=True,
            public_label=cls.public_label,
        )

    @classmethod
    def item_url(cls, item: Item) -> str:
        """The link that opens ``item`` on the platform (by default the URL it was read with)."""
        return item.url

    # The largest answer the connector reads; a larger one is cut off while it downloads.
    max_response_bytes: ClassVar[int] = DEFAULT_MAX_BYTES

    def __init__(self, config: C, http: httpx.Client | None = None) -> None:
        self.config = config
        # Every request goes through the egress policy (public addresses only, at every redirect);
        # a source that sends a credential never sends it over plain http:// to a public host.
        self.http = http or egress_client(
            timeout=httpx.Timeout(30.0, connect=10.0),
            max_bytes=self.max_response_bytes,
            require_tls=sends_credentials(config),
        )
        # Set by whoever built the connector for a stored source (``build_connector``): where
        # secrets the platform renewed on its own (a rotated refresh token) are stored.
        self.on_secrets_renewed: Callable[[dict[str, str]], None] | None = None
        # The timezone a date the platform writes without an offset is read in (Skeepers'
        # ``2026-03-29 10:15:00``, Yelp's ``time_created``): the source's location's, else its
        # organisation's, set by ``build_connector``; Europe/Paris for a connector built
        # without a source (Vigie's default organisation timezone).
        self.local_zone: tzinfo = zone(DEFAULT_LOCAL_ZONE)

    def local_time(self, value: object) -> datetime:
        """``value`` (a platform's date) as an aware datetime: one with an offset or ``Z`` as
        written, one without read in ``local_zone`` (daylight saving time included: 10:15 on
        the day clocks go forward in Paris is 08:15 UTC, the day before 09:15 UTC).
        ``ValueError`` when it cannot be read. For platforms that write local times; one whose
        dates without an offset are UTC (Trustpilot) reads them with ``aware_datetime``."""
        return aware_datetime(value, self.local_zone)

    def secrets_renewed(self, secrets: dict[str, str]) -> None:
        """Hand renewed secrets (configuration keys) to be stored encrypted with the source's."""
        if self.on_secrets_renewed is not None:
            self.on_secrets_renewed(secrets)

    @property
    def base_url(self) -> str:
        return (self.config.base_url or self.default_base_url).rstrip("/")

    def test_connection(self) -> str:
        """Check the configuration against the platform; return a one-line description of the
        account reached, or raise ``ConnectorError`` with the platform's message."""
        raise ConnectorError(f"{self.slug} cannot test its connection", permanent=True)

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read the next page of items after ``cursor`` (``{}`` the first time)."""
        raise ConnectorError(f"{self.slug} cannot fetch", permanent=True)

    def list_places(self) -> list[PlaceIn]:
        """The places of the account this source can read (to choose them in ``places_field``)."""
        raise ConnectorError(f"{self.slug} cannot list places", permanent=True)

    def parse_webhook(self, request: WebhookRequest) -> list[MentionIn]:
        """Verify a pushed request (signature, freshness) and turn it into mentions."""
        raise ConnectorError(f"{self.slug} does not receive webhooks", permanent=True)

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Publish ``text`` as the organisation's public answer to ``mention``."""
        raise ConnectorError(f"{self.slug} cannot publish replies", permanent=True)

    def publish_post(self, text: str, *, idempotency_key: str) -> ReplyResult:
        """Publish ``text`` as a post of the organisation's own account (declared by
        ``Capability.POST``; a crisis statement goes out this way)."""
        raise ConnectorError(f"{self.slug} cannot publish posts", permanent=True)

    def delete_reply(self, mention: MentionIn, reply_external_id: str) -> None:
        """Remove a reply published earlier."""
        raise ConnectorError(f"{self.slug} cannot delete replies", permanent=True)

    # --- moderation and the private channel (declared by HIDE_COMMENT, DELETE_COMMENT and
    # DIRECT_MESSAGE; the inbox offers them only where the capability is declared) -------------

    def hide_item(self, mention: MentionIn, *, hidden: bool = True) -> None:
        """Hide ``mention`` from the public on the platform (``hidden=False`` shows it again)."""
        raise ConnectorError(f"{self.slug} cannot hide items", permanent=True)

    def delete_item(self, mention: MentionIn) -> None:
        """Delete ``mention`` (a comment on the organisation's own page) on the platform."""
        raise ConnectorError(f"{self.slug} cannot delete items", permanent=True)

    def send_direct_message(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Send ``text`` privately to ``mention``'s author (Messenger, Instagram Direct, X DM)."""
        raise ConnectorError(f"{self.slug} cannot send direct messages", permanent=True)
