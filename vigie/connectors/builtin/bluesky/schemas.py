"""Pydantic models of the AT Protocol / Bluesky payloads Vigie reads (unknown fields ignored)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Lenient(BaseModel):
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


class PostRecord(_Lenient):
    text: str = ""
    createdAt: str = ""
    langs: list[str] = []
    reply: ReplyRef | None = None


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
