"""Pydantic models of the Tripadvisor Content API payloads Vigie reads (unknown fields ignored)."""

from __future__ import annotations

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class UserLocation(_Lenient):
    id: str | None = None
    name: str = ""


class User(_Lenient):
    username: str = ""
    user_location: UserLocation | None = None
    review_count: int | None = None
    reviewer_badge: str | None = None


class OwnerResponse(_Lenient):
    id: int | str | None = None
    title: str | None = None
    text: str = ""
    lang: str | None = None
    author: str | None = None
    published_date: str | None = None


class Review(_Lenient):
    id: int | str
    lang: str | None = None
    location_id: int | str | None = None
    published_date: str
    rating: int | None = None
    helpful_votes: int | None = None
    url: str = ""
    title: str | None = ""
    text: str | None = ""
    trip_type: str | None = None
    travel_date: str | None = None
    user: User | None = None
    owner_response: OwnerResponse | None = None


class ReviewsResponse(_Lenient):
    data: list[Review] = []


class LocationDetails(_Lenient):
    location_id: int | str
    name: str = ""
    num_reviews: str | int | None = None
    web_url: str = ""
