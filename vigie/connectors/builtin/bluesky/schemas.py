"""Pydantic models of the AT Protocol / Bluesky payloads Vigie reads (unknown fields ignored)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class Session(_Lenient):
    """``com.atproto.server.createSession`` / ``refreshSession`` output."""

    did: str
    handle: str
    accessJwt: str
    refreshJwt: str


class StrongRef(_Lenient):
    uri: str
    cid: str


class ReplyRef(_Lenient):
    root: StrongRef
    parent: StrongRef


class ByteSlice(_Lenient):
    byteStart: int
    byteEnd: int


class FacetFeature(_Lenient):
    """A facet's feature: ``#link`` carries ``uri``, ``#mention`` a ``did``, ``#tag`` a ``tag``."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    type: str = Field(default="", alias="$type")
    uri: str = ""


class Facet(_Lenient):
    """Rich text annotation: the UTF-8 byte range of the text it decorates and what it means."""

    index: ByteSlice
    features: list[FacetFeature] = []


class PostRecord(_Lenient):
    text: str = ""
    createdAt: str = ""
    langs: list[str] = []
    reply: ReplyRef | None = None
    facets: list[Facet] = []


class Author(_Lenient):
    """``profileViewBasic``: no follower count in search results."""

    did: str
    handle: str
    displayName: str = ""
    avatar: str | None = None


class Viewer(_Lenient):
    replyDisabled: bool = False


class PostView(_Lenient):
    uri: str
    cid: str
    author: Author
    record: PostRecord
    replyCount: int = 0
    repostCount: int = 0
    likeCount: int = 0
    quoteCount: int = 0
    indexedAt: str = ""
    viewer: Viewer | None = None


class Notification(_Lenient):
    """``app.bsky.notification.listNotifications``: an item of ``notifications``.

    For ``mention``, ``reply`` and ``quote`` the ``record`` is the post itself, and ``uri``/``cid``
    name it, so a notification reads as a post (without its counts, which notifications lack).
    """

    uri: str
    cid: str
    author: Author
    reason: str
    record: PostRecord
    indexedAt: str = ""


class ListNotificationsOutput(_Lenient):
    notifications: list[Notification] = []
    cursor: str | None = None


class SearchPostsOutput(_Lenient):
    posts: list[PostView] = []
    cursor: str | None = None
    hitsTotal: int | None = None


class CreateRecordOutput(_Lenient):
    uri: str
    cid: str


class XrpcError(_Lenient):
    """``{"error": "ExpiredToken", "message": "Token has expired"}``."""

    error: str = ""
    message: str = ""
