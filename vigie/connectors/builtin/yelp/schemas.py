"""Pydantic models of the Yelp Fusion payloads Vigie reads (unknown fields are ignored)."""

from __future__ import annotations

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class User(_Lenient):
    id: str = ""
    profile_url: str = ""
    image_url: str | None = None
    name: str = ""


class Review(_Lenient):
    id: str
    url: str = ""
    text: str = ""
    rating: int | None = None
    # "2024-03-02 19:41:07": the business's local time, without an offset.
    time_created: str
    user: User | None = None


class ReviewsResponse(_Lenient):
    reviews: list[Review] = []
    total: int | None = None
    possible_languages: list[str] = []


class Business(_Lenient):
    id: str
    alias: str = ""
    name: str = ""
    url: str = ""
    review_count: int | None = None
    rating: float | None = None
