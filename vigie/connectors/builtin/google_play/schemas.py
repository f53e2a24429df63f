"""Pydantic models of the Google Play Developer API payloads Vigie reads (unknown fields ignored).

Google omits empty fields rather than sending ``null``; ``lastModified.seconds`` is a string.
"""

from __future__ import annotations

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class Timestamp(_Lenient):
    seconds: str = "0"
    nanos: int = 0


class UserComment(_Lenient):
    text: str = ""
    originalText: str | None = None
    lastModified: Timestamp | None = None
    starRating: int | None = None
    reviewerLanguage: str | None = None
    device: str | None = None
    androidOsVersion: int | None = None
    appVersionCode: int | None = None
    appVersionName: str | None = None
    thumbsUpCount: int | None = None
    thumbsDownCount: int | None = None


class DeveloperComment(_Lenient):
    text: str = ""
    lastModified: Timestamp | None = None


class Comment(_Lenient):
    userComment: UserComment | None = None
    developerComment: DeveloperComment | None = None


class Review(_Lenient):
    reviewId: str
    authorName: str | None = None
    comments: list[Comment] = []


class TokenPagination(_Lenient):
    nextPageToken: str | None = None


class ReviewsListResponse(_Lenient):
    reviews: list[Review] = []
    tokenPagination: TokenPagination | None = None


class ReplyResult(_Lenient):
    replyText: str = ""
    lastEdited: Timestamp | None = None


class ReplyResponse(_Lenient):
    result: ReplyResult | None = None


class TokenResponse(_Lenient):
    access_token: str
    expires_in: int | str | None = None
    token_type: str | None = None


class ServiceAccount(_Lenient):
    """The fields Vigie uses of the JSON key Google Cloud gives for a service account."""

    type: str = "service_account"
    client_email: str
    private_key: str
    private_key_id: str = ""
    token_uri: str = ""
