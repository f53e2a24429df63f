"""Pydantic models of the Reddit Data API payloads Vigie reads (unknown fields are ignored)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class ThingData(_Lenient):
    """The fields of a post (t3) or a comment (t1) that Vigie maps."""

    id: str
    name: str  # the fullname, "t3_…" / "t1_…"
    author: str = ""
    author_fullname: str | None = None  # absent once the account is deleted
    created_utc: float
    edited: bool | float = False
    permalink: str = ""
    subreddit: str = ""
    score: int = 0
    # posts
    title: str = ""
    selftext: str = ""
    selftext_html: str | None = None
    url: str = ""
    num_comments: int = 0
    num_crossposts: int = 0
    subreddit_subscribers: int | None = None
    removed_by_category: str | None = None
    # comments
    body: str = ""
    body_html: str | None = None
    parent_id: str | None = None
    link_id: str | None = None
    link_title: str = ""


class Thing(_Lenient):
    kind: str
    data: dict[str, Any]


class ListingData(_Lenient):
    after: str | None = None
    before: str | None = None
    children: list[Thing] = []


class Listing(_Lenient):
    kind: str
    data: ListingData


class TokenAnswer(_Lenient):
    access_token: str = ""
    expires_in: int = 3600
    error: str = ""


class CommentAnswerData(_Lenient):
    things: list[Thing] = []


class CommentAnswerJson(_Lenient):
    """The ``json`` of ``POST /api/comment`` (``api_type=json``): errors come inside a 200 answer."""

    errors: list[list[Any]] = []
    data: CommentAnswerData | None = None


class Identity(_Lenient):
    name: str = ""
    id: str = ""
