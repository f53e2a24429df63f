"""Pydantic models of the Google Business Profile (v4 reviews) and Google OAuth payloads.

Google omits empty fields rather than sending ``null``: every optional field has a default.
Unknown fields (the 2026 reply state, policy violations, media items) are ignored.
"""

from __future__ import annotations

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class Reviewer(_Lenient):
    displayName: str = ""
    profilePhotoUrl: str = ""
    isAnonymous: bool = False


class ReviewReply(_Lenient):
    comment: str = ""
    updateTime: str | None = None


class Review(_Lenient):
    name: str = ""
    reviewId: str
    reviewer: Reviewer = Reviewer()
    starRating: str = "STAR_RATING_UNSPECIFIED"
    comment: str = ""
    createTime: str
    updateTime: str | None = None
    reviewReply: ReviewReply | None = None
    reviewReplyUrl: str = ""


class ListReviewsResponse(_Lenient):
    reviews: list[Review] = []
    averageRating: float | None = None
    totalReviewCount: int | None = None
    nextPageToken: str | None = None


class PostalAddress(_Lenient):
    """``google.type.PostalAddress`` as the Business Information API sends it."""

    regionCode: str = ""
    languageCode: str = ""
    postalCode: str = ""
    administrativeArea: str = ""
    locality: str = ""
    sublocality: str = ""
    addressLines: list[str] = []


class LocationMetadata(_Lenient):
    placeId: str = ""
    mapsUri: str = ""
    newReviewUri: str = ""


class Location(_Lenient):
    """One location of the Business Information API (``name`` is ``locations/{id}``)."""

    name: str
    title: str = ""
    storeCode: str = ""
    storefrontAddress: PostalAddress | None = None
    metadata: LocationMetadata = LocationMetadata()


class ListLocationsResponse(_Lenient):
    locations: list[Location] = []
    nextPageToken: str | None = None
    totalSize: int | None = None


class TokenResponse(_Lenient):
    """Google's OAuth token answer (``refresh_token`` only on the first consent)."""

    access_token: str
    expires_in: int = 3599
    refresh_token: str | None = None
    scope: str = ""
    token_type: str = ""


class ErrorDetail(_Lenient):
    code: int | None = None
    message: str = ""
    status: str = ""


class ErrorEnvelope(_Lenient):
    """``{"error": {"code", "message", "status"}}`` of Google APIs; the OAuth endpoint instead sends
    ``{"error": "invalid_grant", "error_description": "..."}``."""

    error: ErrorDetail | str | None = None
    error_description: str = ""
