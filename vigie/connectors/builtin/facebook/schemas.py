"""Pydantic models of the Graph API payloads the Facebook connector reads (unknown fields ignored;
Meta leaves empty fields out rather than sending null, so nearly everything has a default)."""

from __future__ import annotations

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class Cursors(_Lenient):
    before: str = ""
    after: str = ""


class Paging(_Lenient):
    cursors: Cursors | None = None
    next: str = ""


class GraphError(_Lenient):
    message: str = ""
    type: str = ""
    code: int = 0
    error_subcode: int | None = None
    is_transient: bool = False
    fbtrace_id: str = ""


class GraphErrorEnvelope(_Lenient):
    error: GraphError


class Sender(_Lenient):
    """``from``: Graph only returns it when the token may moderate the Page (since v11)."""

    id: str = ""
    name: str = ""
    username: str = ""


class Summary(_Lenient):
    total_count: int = 0


class Counted(_Lenient):
    """An edge asked with ``.summary(total_count).limit(0)``: only its summary matters."""

    summary: Summary | None = None


class Shares(_Lenient):
    count: int = 0


class Parent(_Lenient):
    id: str = ""


class Post(_Lenient):
    """An entry of ``/{page-id}/feed``: ids look like ``{pageId}_{postId}``."""

    id: str
    message: str = ""
    story: str = ""
    created_time: str
    updated_time: str = ""
    permalink_url: str = ""
    from_: Sender | None = None
    shares: Shares | None = None
    reactions: Counted | None = None
    comments: Counted | None = None


class Comment(_Lenient):
    """An entry of ``/{object-id}/comments`` (``filter=stream`` lists replies too, with ``parent``)."""

    id: str
    message: str = ""
    created_time: str
    permalink_url: str = ""
    from_: Sender | None = None
    like_count: int = 0
    comment_count: int = 0
    parent: Parent | None = None
    is_hidden: bool = False
    can_reply_privately: bool = False


class OpenGraphStory(_Lenient):
    id: str = ""


class Rating(_Lenient):
    """An entry of ``/{page-id}/ratings``: a recommendation (``positive``/``negative``) since 2018,
    a 1-5 ``rating`` before; no id of its own (its ``open_graph_story.id`` is answered)."""

    created_time: str
    recommendation_type: str = ""
    review_text: str = ""
    reviewer: Sender | None = None
    rating: int | None = None
    has_rating: bool = False
    has_review: bool = False
    open_graph_story: OpenGraphStory | None = None


class PageInfo(_Lenient):
    id: str
    name: str = ""
    link: str = ""
    followers_count: int | None = None
    fan_count: int | None = None


class TokenData(_Lenient):
    """``/debug_token``'s ``data``: ``expires_at`` 0 means the token never expires."""

    is_valid: bool = True
    expires_at: int = 0
    data_access_expires_at: int = 0
    scopes: list[str] = []


class Created(_Lenient):
    """What Graph answers to a created comment or reply."""

    id: str


class MessageSent(_Lenient):
    recipient_id: str = ""
    message_id: str
