"""Pydantic models of the Trustpilot payloads Vigie reads (unknown fields are ignored)."""

from __future__ import annotations

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class Link(_Lenient):
    href: str = ""
    method: str = "GET"
    rel: str = ""


class Consumer(_Lenient):
    id: str = ""
    displayName: str = ""
    displayLocation: str | None = None
    numberOfReviews: int | None = None


class CompanyReply(_Lenient):
    text: str = ""
    createdAt: str | None = None
    updatedAt: str | None = None


class Review(_Lenient):
    id: str
    stars: int | None = None
    title: str | None = ""
    text: str | None = ""
    language: str | None = None
    createdAt: str
    updatedAt: str | None = None
    experiencedAt: str | None = None
    consumer: Consumer | None = None
    companyReply: CompanyReply | None = None
    numberOfLikes: int = 0
    status: str | None = None
    isVerified: bool = False


class ReviewsPage(_Lenient):
    links: list[Link] = []
    reviews: list[Review] = []


class BusinessUnit(_Lenient):
    id: str
    displayName: str = ""


class AccessToken(_Lenient):
    """The OAuth answer; Trustpilot sends ``expires_in`` as a string."""

    access_token: str
    refresh_token: str | None = None
    expires_in: str | int | None = None
