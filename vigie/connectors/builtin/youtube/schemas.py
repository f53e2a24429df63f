"""Pydantic models of the YouTube Data API v3 payloads Vigie reads (unknown fields are ignored)."""

from __future__ import annotations

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class ChannelRef(_Lenient):
    value: str = ""


class CommentSnippet(_Lenient):
    channelId: str = ""
    videoId: str = ""
    textDisplay: str = ""
    textOriginal: str | None = None
    authorDisplayName: str = ""
    authorChannelUrl: str = ""
    authorChannelId: ChannelRef | None = None
    parentId: str | None = None
    likeCount: int = 0
    moderationStatus: str | None = None
    publishedAt: str
    updatedAt: str | None = None


class Comment(_Lenient):
    id: str
    snippet: CommentSnippet


class ThreadSnippet(_Lenient):
    channelId: str = ""
    videoId: str = ""
    topLevelComment: Comment
    canReply: bool = True
    totalReplyCount: int = 0
    isPublic: bool = True


class Replies(_Lenient):
    comments: list[Comment] = []


class Thread(_Lenient):
    id: str
    snippet: ThreadSnippet
    replies: Replies | None = None


class ThreadList(_Lenient):
    nextPageToken: str | None = None
    items: list[Thread] = []


class CommentList(_Lenient):
    nextPageToken: str | None = None
    items: list[Comment] = []


class ChannelSnippet(_Lenient):
    title: str = ""
    customUrl: str = ""


class Channel(_Lenient):
    id: str
    snippet: ChannelSnippet = ChannelSnippet()


class ChannelList(_Lenient):
    items: list[Channel] = []


class TokenAnswer(_Lenient):
    access_token: str
    expires_in: int = 3600


class ErrorItem(_Lenient):
    reason: str = ""
    message: str = ""


class ErrorBody(_Lenient):
    code: int = 0
    message: str = ""
    errors: list[ErrorItem] = []


class ErrorEnvelope(_Lenient):
    """Google's error envelope: ``{"error": {"code", "message", "errors": [{"reason"}]}}``."""

    error: ErrorBody | str = ""
    error_description: str = ""
