"""The JSON body Vigie accepts on a webhook source. Unknown fields are ignored, so senders may
add their own keys; the fields below are read. A ``null`` is read as the field left out: no-code
tools (Zapier, Make, n8n) send ``null`` for every empty field they map, and a required field sent
as ``null`` is refused as a missing one."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


def _id_text(value: Any) -> Any:
    """An id sent as a JSON number (CRMs and no-code tools often do) as the same text as its string
    form: ``4711`` and ``"4711"`` are one item, never two. A number with a fraction is no id."""
    if isinstance(value, bool):
        return value  # refused by the str field: ``true`` is not an id
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("an id must be text or a whole number")
        return str(int(value))
    return value


IdText = Annotated[str, BeforeValidator(_id_text)]


class _NullIsAbsent(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


class WebhookAuthor(_NullIsAbsent):
    model_config = ConfigDict(extra="ignore")

    id: IdText = Field("", max_length=200)
    handle: str = ""
    name: str = ""
    url: str = ""
    followers: int | None = Field(None, ge=0)


class WebhookItem(_NullIsAbsent):
    """One pushed mention."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: IdText = Field(min_length=1, max_length=255)
    kind: str = Field("post", pattern=r"^(review|post|comment|reply|article|survey_answer)$")
    created_at: str | float = Field(description="ISO 8601 with offset, or epoch seconds")
    text: str = ""
    html: str = ""
    title: str = Field("", max_length=500)
    url: str = Field("", max_length=1000)
    rating: int | float | str | None = None
    rating_scale: float = Field(5, gt=1)
    author: WebhookAuthor | None = None
    parent_id: IdText = ""
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
