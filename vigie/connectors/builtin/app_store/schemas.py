"""Pydantic models of the App Store Connect (JSON:API) payloads Vigie reads (unknown fields ignored)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class ResourceId(_Lenient):
    type: str
    id: str


class ResponseRelationship(_Lenient):
    data: ResourceId | None = None


class ReviewRelationships(_Lenient):
    response: ResponseRelationship | None = None


class ReviewAttributes(_Lenient):
    rating: int | None = None
    title: str | None = None
    body: str | None = None
    reviewerNickname: str | None = None
    createdDate: str
    territory: str | None = None


class CustomerReview(_Lenient):
    type: str = "customerReviews"
    id: str
    attributes: ReviewAttributes
    relationships: ReviewRelationships | None = None


class ResponseAttributes(_Lenient):
    responseBody: str = ""
    lastModifiedDate: str | None = None
    state: str | None = None


class CustomerReviewResponse(_Lenient):
    type: str = "customerReviewResponses"
    id: str
    attributes: ResponseAttributes | None = None


class Links(_Lenient):
    self: str = ""
    next: str | None = None


class ReviewsDocument(_Lenient):
    data: list[CustomerReview] = []
    included: list[dict[str, Any]] = []
    links: Links | None = None


class ResponseDocument(_Lenient):
    data: CustomerReviewResponse | None = None


class App(_Lenient):
    id: str
    attributes: dict[str, Any] = {}


class AppDocument(_Lenient):
    data: App
