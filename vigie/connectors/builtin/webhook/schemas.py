"""The JSON body Vigie accepts on a webhook source. Unknown fields are ignored, so senders may
add their own keys; the fields below are read."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WebhookAuthor(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field("", max_length=200)
    handle: str = ""
    name: str = ""
    url: str = ""
    followers: int | None = Field(None, ge=0)


class WebhookItem(BaseModel):
    """One pushed mention."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=255)
    kind: str = Field("post", pattern=r"^(review|post|comment|reply|article|survey_answer)$")
    created_at: str | float = Field(description="ISO 8601 with offset, or epoch seconds")
    text: str = ""
    html: str = ""
    title: str = Field("", max_length=500)
    url: str = Field("", max_length=1000)
    rating: int | float | str | None = None
    rating_scale: float = Field(5, gt=1)
    author: WebhookAuthor | None = None
    parent_id: str = ""
    language: str = Field("", max_length=8)
    deleted: bool = False
    likes: int = Field(0, ge=0)
    shares: int = Field(0, ge=0)
    replies: int = Field(0, ge=0)
    reach: int = Field(0, ge=0)


class WebhookBody(BaseModel):
    """``{"items": [...]}``; a bare list is accepted too."""

    model_config = ConfigDict(extra="ignore")

    items: list[dict[str, Any]]
