"""What Vigie knows about each platform, in one place: the facts every other app reads.

A platform Vigie connects to is described by its connector class (``vigie.connectors.contract``:
``capabilities``, ``reply_replaces``, ``reply_idempotent``, ``reply_limit``, ``reply_format``,
``kind``, ``label``, ``item_url``). A platform Vigie holds mentions of without a connector of its
own (imported files, webhooks, the demo's X account) is a row of ``UNCONNECTED`` below, with
"copy and open" as its only way to answer. Any other slug gets safe defaults: copy and open, no
length limit, the slug as its name.

Other apps call ``platform_facts(slug)`` (or the small helpers at the end); none keeps a list of
platform slugs of its own.

This module imports neither Django nor httpx: ``vigie analyze`` reads ``is_social`` without Django
set up. The registry (and so the connector classes) is loaded the first time a slug that is not in
the table is asked about, never at import time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from vigie.connectors.contract import Connector

# "weighted": X's count (twitter-text): a character of the Latin, Greek, Cyrillic… ranges and the
# common punctuation counts 1, anything else (an emoji, even a composed one, a Chinese character) 2.
Unit = Literal["characters", "graphemes", "bytes", "weighted"]


class UnknownPlatform(LookupError):
    """No connector is registered under that slug."""


class Capability(enum.StrEnum):
    """What a connector can do on its platform."""

    FETCH = "fetch"
    WEBHOOK = "webhook"
    REPLY = "reply"
    # A published reply can be changed: in place where a reply replaces the previous one,
    # otherwise by deleting it and sending the new text.
    EDIT_REPLY = "edit_reply"
    DELETE_REPLY = "delete_reply"
    HIDE_COMMENT = "hide_comment"
    DELETE_COMMENT = "delete_comment"
    DIRECT_MESSAGE = "direct_message"
    # Items deleted on the platform come back marked deleted (``MentionIn.deleted``).
    DETECTS_DELETIONS = "detects_deletions"
    # A post of the organisation's own on its account (a crisis statement), not an answer.
    POST = "post"


class PlatformKind(enum.StrEnum):
    """What the platform's items read like (the analysis picks its models by it)."""

    SOCIAL = "social"  # short public posts and comments
    REVIEWS = "reviews"  # ratings with a text
    OTHER = "other"  # articles, forum posts, feeds, files, survey answers


class ReplyFormat(enum.StrEnum):
    """What a reply may contain."""

    PLAIN_TEXT = "plain_text"  # plain text; a link is written out and works
    PLAIN_TEXT_NO_LINKS = "plain_text_no_links"  # plain text; links are not clickable there


@dataclass(frozen=True)
class LengthLimit:
    """At most ``maximum`` ``unit`` on a platform; ``url_weight`` is what one link counts, if fixed."""

    maximum: int
    unit: Unit = "characters"
    url_weight: int | None = None


@dataclass(frozen=True)
class PlatformFacts:
    """Everything Vigie knows about one platform. ``connected`` says a registered connector
    declared these facts (else they come from the table of unconnected platforms, or defaults)."""

    slug: str
    label: str
    kind: PlatformKind = PlatformKind.OTHER
    capabilities: frozenset[Capability] = frozenset()
    reply_replaces: bool = False
    reply_idempotent: bool = False
    reply_limit: LengthLimit | None = None
    reply_format: ReplyFormat = ReplyFormat.PLAIN_TEXT
    connected: bool = False
    # The name the platform's users know it by, where it differs from ``label`` (the business
    # product "Google Business Profile" is "Google" to a customer writing a review).
    public_label: str = ""
    # The slug of the platform this one is another name of, where it is one: X's items imported
    # under its older name "twitter", Google reviews imported as "google" (Google Business
    # Profile's). A list offering platforms to people shows the platform once (``platform_of``).
    same_as: str = ""

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    @property
    def can_publish(self) -> bool:
        """Replies go out through the platform's API (else: copy the text and open the item)."""
        return Capability.REPLY in self.capabilities

    @property
    def can_edit_reply(self) -> bool:
        return self.can_publish and Capability.EDIT_REPLY in self.capabilities

    @property
    def can_delete_reply(self) -> bool:
        return Capability.DELETE_REPLY in self.capabilities

    @property
    def retry_safe(self) -> bool:
        """Sending the same reply twice cannot make two replies (the outbox may retry blindly)."""
        return self.can_publish and self.reply_idempotent

    @property
    def can_post(self) -> bool:
        """The organisation's own posts (crisis statements) go out through the platform's API
        (else: copy the text and post it by hand)."""
        return Capability.POST in self.capabilities

    @property
    def direct_messages(self) -> bool:
        return Capability.DIRECT_MESSAGE in self.capabilities

    @property
    def is_social(self) -> bool:
        return self.kind is PlatformKind.SOCIAL


class Item(Protocol):
    """What ``item_url`` needs of a mention (a stored ``Mention`` or a ``MentionIn``)."""

    @property
    def url(self) -> str: ...

    @property
    def external_id(self) -> str: ...


def _unconnected(
    slug: str,
    label: str,
    kind: PlatformKind,
    limit: LengthLimit | None = None,
    reply_format: ReplyFormat = ReplyFormat.PLAIN_TEXT,
    same_as: str = "",
) -> PlatformFacts:
    return PlatformFacts(
        slug=slug, label=label, kind=kind, reply_limit=limit, reply_format=reply_format, same_as=same_as
    )


def runtime_gettext(message: str) -> str:
    """``message`` (a French msgid) in the active language when Django is loaded; itself
    otherwise. Connectors import it as ``_`` for what they say to people at run time (a source's
    connection test), so the catalogue extracts those messages without connectors importing
    Django when they load."""
    try:
        from django.utils.translation import gettext
    except ImportError:
        return message
    return gettext(message)


def gettext_noop(message: str) -> str:
    """Marks a label for translation (``platform_label`` translates it) without importing Django."""
    return message


_SOCIAL, _REVIEWS, _OTHER = PlatformKind.SOCIAL, PlatformKind.REVIEWS, PlatformKind.OTHER
_X_LIMIT = LengthLimit(280, "weighted", url_weight=23)

# Platforms Vigie holds mentions of without a connector of its own: answered by "copy and open".
# The limits are the platforms' documented reply (comment) lengths; see
# docs/templates-and-quality-gate.md. A built-in connector's platform is never listed here.
UNCONNECTED: dict[str, PlatformFacts] = {
    facts.slug: facts
    for facts in (
        # The older slug of X (imported files, archives): same limits, answered by copy and open.
        # Its name says so: beside "X" (the connector's), "X (Twitter)" read as the same thing twice.
        _unconnected(
            "twitter", gettext_noop("X (Twitter, fichiers importés)"), _SOCIAL, _X_LIMIT, same_as="x"
        ),
        _unconnected("linkedin", "LinkedIn", _SOCIAL, LengthLimit(1250)),
        _unconnected("tiktok", "TikTok", _SOCIAL),
        # Google reviews (imported files, review requests to a place id): customers read "Google".
        _unconnected("google", "Google", _REVIEWS, same_as="google_business"),
        _unconnected("glassdoor", "Glassdoor", _REVIEWS),
        _unconnected("indeed", "Indeed", _REVIEWS),
        _unconnected("press", gettext_noop("Presse"), _OTHER),
        _unconnected("forum", "Forum", _OTHER),
        # Answers to Vigie's own satisfaction surveys (vigie.outreach): no platform to answer on.
        _unconnected("survey", gettext_noop("Enquête de satisfaction"), _OTHER),
    )
}

_facts: dict[str, PlatformFacts] = {}


def _connector_class(slug: str) -> type[Connector[Any]] | None:
    from vigie.connectors.registry import UnknownPlatform, get_connector_class

    try:
        return get_connector_class(slug)
    except UnknownPlatform:
        return None


def platform_facts(slug: str) -> PlatformFacts:
    """The facts of ``slug``: its connector's declarations, else its row of ``UNCONNECTED``, else
    safe defaults (copy and open, no length limit, the slug as its name)."""
    known = _facts.get(slug)
    if known is not None:
        return known
    connector = _connector_class(slug) if slug else None
    if connector is not None:
        found = connector.facts()
    else:
        found = UNCONNECTED.get(slug) or PlatformFacts(slug=slug, label=slug)
    _facts[slug] = found
    return found


def forget() -> None:
    """Drop what was read from the connectors (the registry calls it when it is reset)."""
    _facts.clear()


def all_platforms() -> dict[str, PlatformFacts]:
    """Every platform Vigie knows of (registered connectors and the table), sorted by slug."""
    from vigie.connectors.registry import all_connectors

    slugs = {*UNCONNECTED, *all_connectors()}
    return {slug: platform_facts(slug) for slug in sorted(slugs)}


def platform_of(slug: str) -> str:
    """The slug of the platform ``slug`` names ("twitter" -> "x", "google" -> "google_business";
    any other slug is its own)."""
    if not slug:
        return slug
    row = UNCONNECTED.get(slug)
    return row.same_as if row is not None and row.same_as else slug


def platform_names(slug: str) -> list[str]:
    """Every slug of the platform ``slug`` names, its own first ("x" -> ["x", "twitter"])."""
    own = platform_of(slug)
    return [own, *(row.slug for row in UNCONNECTED.values() if row.same_as == own)]


def platform_label(slug: str) -> str:
    """A platform's name for people ("google_business" -> "Google Business Profile"), in the
    active language: the declared labels are French msgids ("Presse" reads "Press" in English)."""
    label = platform_facts(slug).label
    try:
        from django.utils.translation import gettext
    except ImportError:  # vigie analyze without Django: the declared (French) name
        return label
    return gettext(label)


def platform_name(slug: str) -> str:
    """The one name people read for the platform ``slug`` is a slug of, in the active language:
    its connector's label, whichever slug the item came under ("google" and "google_business"
    read "Google Business Profile", "twitter" and "x" read "X"). Every page names a platform so
    (the dashboard's rows, the inbox filter, the routing rules, the templates); ``platform_label``
    names the slug itself, for the rare place that must tell the slugs apart."""
    return platform_label(platform_of(slug))


def platform_public_label(slug: str) -> str:
    """The name a customer knows ``slug`` by, in the active language ("google_business" ->
    "Google"): what review requests say."""
    facts = platform_facts(slug)
    if not facts.public_label:
        return platform_label(slug)
    try:
        from django.utils.translation import gettext
    except ImportError:
        return facts.public_label
    return gettext(facts.public_label)


def platform_kind(slug: str) -> PlatformKind:
    """What ``slug``'s items read like. A platform of the table is answered without loading any
    connector (the registry refuses a connector that would disagree with its row)."""
    row = UNCONNECTED.get(slug)
    if row is not None:
        return row.kind
    if not slug:
        return PlatformKind.OTHER
    return platform_facts(slug).kind


def is_social(slug: str) -> bool:
    """Whether ``slug`` is a social network (short public posts and comments)."""
    return platform_kind(slug) is PlatformKind.SOCIAL


def item_url(slug: str, item: Item) -> str:
    """The link that opens ``item`` on its platform (its own URL unless the connector says better)."""
    connector = _connector_class(slug) if slug else None
    return connector.item_url(item) if connector is not None else item.url
