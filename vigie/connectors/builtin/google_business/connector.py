"""Google Business Profile: the reviews of every location of an account; owner replies.

Reviews are listed per location, most recently updated first (``orderBy=updateTime desc``,
``pageSize`` ≤ 50, ``pageToken``). The cursor keeps, per location, the newest ``updateTime`` read:
the next poll stops at the first review not updated since, so new and edited reviews (and their
replies) are read again and nothing else is.

Authentication is an OAuth 2.0 user grant: the "connect Google account" page stores a refresh
token; each run exchanges it for an access token (kept in memory for its hour of life) and renews
it once when the API answers 401.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx
from pydantic import BaseModel, Field, ValidationError, field_validator

from vigie.connectors.builtin.google_business.schemas import (
    ErrorDetail,
    ErrorEnvelope,
    ListReviewsResponse,
    Review,
    ReviewReply,
    TokenResponse,
)
from vigie.connectors.contract import (
    AuthorIn,
    Capability,
    Connector,
    ConnectorConfig,
    ConnectorError,
    LengthLimit,
    MentionIn,
    Page,
    PlatformKind,
    RateLimited,
    ReplyResult,
)
from vigie.connectors.http import decode_json, parse_payload, retry_after
from vigie.connectors.normalise import aware_datetime, rating_to_five

M = TypeVar("M", bound=BaseModel)
SCOPE = "https://www.googleapis.com/auth/business.manage"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL
GOOGLE_AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth"
PAGE_SIZE = 50
REPLY_MAX_BYTES = 4096
DEFAULT_RETRY_AFTER = 60.0
_TRANSLATED = "(Translated by Google)"
_ORIGINAL = "(Original)"


class GoogleBusinessConfig(ConnectorConfig):
    """The account and locations to read, and the OAuth client of the organisation."""

    account_id: str = Field(description="Identifiant du compte (accounts/…)")
    location_ids: list[str] = Field(min_length=1, description="Identifiants des établissements (locations/…)")
    client_id: str = Field(description="Identifiant du client OAuth (Google Cloud)")
    client_secret: str = Field(description="Secret du client OAuth", json_schema_extra={"secret": True})
    refresh_token: str = Field(
        default="",
        description="Jeton de renouvellement, rempli par « Connecter le compte Google »",
        json_schema_extra={"secret": True},
    )
    access_token: str = Field(
        default="", description="Jeton d'accès en cours", json_schema_extra={"secret": True}
    )
    access_token_expires_at: str = Field(
        default="", description="Fin de validité du jeton d'accès (ISO 8601)"
    )
    token_url: str = Field(default=GOOGLE_TOKEN_URL, description="Adresse du jeton OAuth")
    auth_url: str = Field(default=GOOGLE_AUTH_URL, description="Adresse d'autorisation OAuth")

    @field_validator("account_id")
    @classmethod
    def _account(cls, value: str) -> str:
        value = value.strip().removeprefix("accounts/")
        if not value or "/" in value:
            raise ValueError("expected an account id such as 1122334455")
        return value

    @field_validator("location_ids")
    @classmethod
    def _locations(cls, values: list[str]) -> list[str]:
        cleaned = [value.strip().rsplit("locations/", 1)[-1] for value in values]
        if any("/" in value for value in cleaned):
            raise ValueError("expected location ids such as 9988776655")
        return [value for value in dict.fromkeys(cleaned) if value]


class GoogleBusinessConnector(Connector[GoogleBusinessConfig]):
    """Reads the reviews of the account's locations; creates, updates and deletes replies."""

    slug: ClassVar[str] = "google_business"
    label: ClassVar[str] = "Google Business Profile"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.FETCH, Capability.REPLY, Capability.EDIT_REPLY, Capability.DELETE_REPLY}
    )
    Config: ClassVar[type[ConnectorConfig]] = GoogleBusinessConfig
    default_poll_seconds: ClassVar[int] = 1800
    default_base_url: ClassVar[str] = "https://mybusiness.googleapis.com"
    kind: ClassVar[PlatformKind] = PlatformKind.REVIEWS
    # One owner reply per review: a second PUT replaces the first, so a retry is harmless.
    reply_replaces: ClassVar[bool] = True
    reply_idempotent: ClassVar[bool] = True
    reply_limit: ClassVar[LengthLimit | None] = LengthLimit(REPLY_MAX_BYTES, "bytes")
    urls: ClassVar[str | None] = "vigie.connectors.builtin.google_business.urls"

    def __init__(self, config: GoogleBusinessConfig, http: httpx.Client | None = None) -> None:
        super().__init__(config, http)
        self._token = ""
        self._token_expires_at = 0.0
        if config.access_token and config.access_token_expires_at:
            try:
                remaining = (
                    aware_datetime(config.access_token_expires_at) - datetime.now(tz=UTC)
                ).total_seconds()
            except ValueError:
                remaining = 0
            if remaining > 60:
                self._token = config.access_token
                self._token_expires_at = time.monotonic() + remaining - 60

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """Read one review of each location: proves the grant, the project's access and the ids."""
        total = 0
        for location in self.config.location_ids:
            listing = _model(
                ListReviewsResponse,
                self._api("GET", f"{self._location_path(location)}/reviews", params={"pageSize": 1}),
            )
            total += listing.totalReviewCount or 0
        count = len(self.config.location_ids)
        return f"account {self.config.account_id}: {count} location(s), {total} reviews"

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one page of one location; move to the next location when it is caught up."""
        locations = self.config.location_ids
        index = cursor.get("location", 0)
        if not isinstance(index, int) or not 0 <= index < len(locations):
            index = 0
        location = locations[index]
        since: dict[str, str] = dict(cursor.get("since") or {})
        known = _optional_time(since.get(location))
        page_token = cursor.get("page_token") if cursor.get("location") == index else None
        run_newest = _optional_time(cursor.get("run_newest")) if page_token else None

        params: dict[str, Any] = {"pageSize": PAGE_SIZE, "orderBy": "updateTime desc"}
        if page_token:
            params["pageToken"] = page_token
        data = self._api("GET", f"{self._location_path(location)}/reviews", params=params)
        listing = _model(ListReviewsResponse, data)
        raw_reviews = data.get("reviews") or []
        items: list[MentionIn] = []
        caught_up = False
        for review, raw in zip(listing.reviews, raw_reviews, strict=True):
            updated = _review_time(review.updateTime or review.createTime, review.reviewId)
            if known is not None and updated <= known:
                # Sorted by update time: everything after this one was read before.
                caught_up = True
                break
            items.append(self._to_mention(review, raw, location))
            run_newest = max(run_newest, updated) if run_newest else updated

        if listing.nextPageToken and not caught_up and listing.reviews:
            next_cursor = {
                "location": index,
                "page_token": listing.nextPageToken,
                "since": since,
                "run_newest": _iso(run_newest),
            }
            return Page(items=items, next_cursor=next_cursor, has_more=True)
        newest = max(filter(None, [known, run_newest]), default=None)
        if newest is not None:
            since[location] = newest.isoformat()
        if index + 1 < len(locations):
            return Page(items=items, next_cursor={"location": index + 1, "since": since}, has_more=True)
        return Page(items=items, next_cursor={"location": 0, "since": since}, has_more=False)

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Create or replace the owner reply (one per review, so a retry is harmless)."""
        if len(text.encode("utf-8")) > REPLY_MAX_BYTES:
            raise ConnectorError(f"Google replies are limited to {REPLY_MAX_BYTES} bytes", permanent=True)
        data = self._api("PUT", f"/v4/{self._review_name(mention)}/reply", json={"comment": text})
        _model(ReviewReply, data)
        return ReplyResult(
            external_id=f"{self._review_name(mention)}/reply",
            url=str(mention.raw.get("reviewReplyUrl") or mention.url),
            raw=data if isinstance(data, dict) else {},
        )

    def delete_reply(self, mention: MentionIn, reply_external_id: str) -> None:
        """Delete the owner reply; one already gone counts as deleted."""
        try:
            self._api("DELETE", f"/v4/{self._review_name(mention)}/reply")
        except ConnectorError as exc:
            if "HTTP 404" not in exc.message:
                raise

    # --- OAuth user flow (used by the "connect Google account" page) -------------------------

    def authorization_url(self, redirect_uri: str, state: str) -> str:
        """Where to send the manager to grant Vigie access (offline, so a refresh token comes back)."""
        query = urlencode(
            {
                "client_id": self.config.client_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": SCOPE,
                "access_type": "offline",
                # Without a fresh consent Google sends no refresh token to an app it already knows.
                "prompt": "consent",
                "include_granted_scopes": "true",
                "state": state,
            }
        )
        return f"{self.config.auth_url}?{query}"

    def exchange_code(self, code: str, redirect_uri: str) -> str:
        """Trade the authorisation ``code`` for a refresh token (returned, never logged)."""
        token = self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
            }
        )
        if not token.refresh_token:
            raise ConnectorError(
                "Google returned no refresh token: remove Vigie's access in the Google account and connect again",
                permanent=True,
            )
        self._remember(token)
        return token.refresh_token

    # --- HTTP -------------------------------------------------------------------------------

    def _location_path(self, location: str) -> str:
        return f"/v4/accounts/{self.config.account_id}/locations/{location}"

    def _review_name(self, mention: MentionIn) -> str:
        name = str(mention.raw.get("name") or mention.external_id)
        if not name.startswith("accounts/"):
            raise ConnectorError(
                f"cannot tell which location review {mention.external_id} belongs to", permanent=True
            )
        return name

    def _to_mention(self, review: Review, raw: dict[str, Any], location: str) -> MentionIn:
        name = (
            review.name or f"accounts/{self.config.account_id}/locations/{location}/reviews/{review.reviewId}"
        )
        reviewer = review.reviewer
        author = AuthorIn(
            # Google gives no reviewer id: the name is the best key (anonymous reviewers share one).
            external_id="anonymous"
            if reviewer.isAnonymous or not reviewer.displayName
            else reviewer.displayName,
            display_name=reviewer.displayName,
        )
        reply = review.reviewReply
        return MentionIn(
            external_id=name,
            kind="review",
            created_at=_review_time(review.createTime, review.reviewId),
            text=_original_text(review.comment),
            url=review.reviewReplyUrl,
            author=author,
            rating=rating_to_five(review.starRating),
            rating_raw=review.starRating,
            owner_reply_text=reply.comment if reply else "",
            owner_reply_at=_optional_time(reply.updateTime) if reply else None,
            raw=raw,
        )

    def _api(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> Any:
        for attempt in range(2):
            token = self._access_token(renew=attempt > 0)
            try:
                response = self._send(
                    method,
                    f"{self.base_url}{path}",
                    params=params,
                    json=json,
                    headers={"Authorization": f"Bearer {token}"},
                )
            except ConnectorError as exc:
                # An access token revoked or expired early: renew it once, then give up.
                if exc.needs_reauth and attempt == 0:
                    continue
                raise
            return _json(response) if response.content.strip() else {}
        raise AssertionError("unreachable")  # pragma: no cover

    def _access_token(self, *, renew: bool = False) -> str:
        if self._token and not renew and time.monotonic() < self._token_expires_at:
            return self._token
        if not self.config.refresh_token:
            raise ConnectorError("the Google account is not connected (no refresh token)", needs_reauth=True)
        token = self._token_request(
            {
                "grant_type": "refresh_token",
                "refresh_token": self.config.refresh_token,
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
            }
        )
        self._remember(token)
        return self._token

    def _remember(self, token: TokenResponse) -> None:
        self._token = token.access_token
        # Renew a minute early so a token never expires between the check and the call.
        self._token_expires_at = time.monotonic() + max(token.expires_in - 60, 0)

    def _token_request(self, form: dict[str, str]) -> TokenResponse:
        response = self._send("POST", self.config.token_url, data=form, token_request=True)
        return _model(TokenResponse, _json(response))

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        token_request: bool = False,
    ) -> httpx.Response:
        try:
            response = self.http.request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                headers={"Accept": "application/json", **(headers or {})},
            )
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"Google unreachable at {urlsplit(url).netloc} ({type(exc).__name__})"
            ) from None
        if response.status_code >= 400:
            raise _error_for(response, token_request=token_request)
        return response


def _error_for(response: httpx.Response, *, token_request: bool) -> ConnectorError:
    status = response.status_code
    code, message = _platform_error(response)
    detail = ": ".join(part for part in (code, message) if part)
    text = f"Google HTTP {status}: {detail}" if detail else f"Google HTTP {status}"
    if status == 429:
        return RateLimited(text, retry_after=retry_after(response, DEFAULT_RETRY_AFTER))
    if status == 401 or (token_request and status == 400 and code in {"invalid_grant", "invalid_client"}):
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text, permanent=False)
    return ConnectorError(text, permanent=True)


def _platform_error(response: httpx.Response) -> tuple[str, str]:
    """``(status or error code, message)`` from either of Google's error bodies."""
    try:
        envelope = ErrorEnvelope.model_validate(response.json())
    except (ValueError, ValidationError):
        return "", ""
    if isinstance(envelope.error, ErrorDetail):
        return envelope.error.status, envelope.error.message[:500]
    return envelope.error or "", envelope.error_description[:500]


def _review_time(value: str, review_id: str) -> datetime:
    try:
        return aware_datetime(value)
    except ValueError:
        raise ConnectorError(f"Google review {review_id}: unreadable time {value!r}") from None


def _optional_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return aware_datetime(value)
    except ValueError:
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _original_text(comment: str) -> str:
    """The reviewer's own words when Google sends its translation and the original together."""
    if comment.startswith(_TRANSLATED) and f"\n{_ORIGINAL}\n" in comment:
        return comment.split(f"\n{_ORIGINAL}\n", 1)[1].strip()
    return comment


def _json(response: httpx.Response) -> Any:
    return decode_json(response, "Google")


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, "Google")
