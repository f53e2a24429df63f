"""Pydantic models of the Instagram Graph API payloads Vigie reads (unknown fields ignored; Meta
leaves empty fields out rather than sending null)."""

from __future__ import annotations

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class IgUser(_Lenient):
    """``from`` of a comment: only the commenter's app-scoped id and username."""

    id: str = ""
    username: str = ""


class IgComment(_Lenient):
    """An entry of ``/{ig-media-id}/comments`` (``replies`` nested) or a mentioned comment."""

    id: str
    text: str = ""
    timestamp: str = ""
    username: str = ""
    like_count: int = 0
    hidden: bool = False
    from_: IgUser | None = None
    parent_id: str = ""


class IgMedia(_Lenient):
    """An entry of ``/{ig-user-id}/media`` or ``/tags``, or a mentioned media."""

    id: str
    caption: str = ""
    timestamp: str = ""
    permalink: str = ""
    username: str = ""
    media_type: str = ""
    like_count: int = 0
    comments_count: int = 0


class IgAccount(_Lenient):
    id: str
    username: str = ""
    name: str = ""
    followers_count: int | None = None
