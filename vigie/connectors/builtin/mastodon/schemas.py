"""Pydantic models of the Mastodon REST payloads Vigie reads (unknown fields are ignored)."""

from __future__ import annotations

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class Account(_Lenient):
    id: str
    username: str = ""
    acct: str = ""
    display_name: str = ""
    url: str | None = None
    avatar: str | None = None
    bot: bool = False
    followers_count: int | None = None


class Status(_Lenient):
    id: str
    uri: str = ""
    url: str | None = None
    created_at: str
    edited_at: str | None = None
    content: str = ""
    spoiler_text: str = ""
    visibility: str = "public"
    language: str | None = None
    in_reply_to_id: str | None = None
    in_reply_to_account_id: str | None = None
    reblog: Status | None = None
    replies_count: int = 0
    reblogs_count: int = 0
    favourites_count: int = 0
    account: Account


class Notification(_Lenient):
    id: str
    type: str
    created_at: str
    account: Account | None = None
    status: Status | None = None


class SearchResults(_Lenient):
    statuses: list[Status] = []


class ApiError(_Lenient):
    """Mastodon's error envelope: ``{"error": "...", "error_description": "..."}``."""

    error: str = ""
    error_description: str = ""
