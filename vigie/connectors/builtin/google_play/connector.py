"""Google Play: the reviews of one Android app, and the developer's reply.

The Android Publisher API (v3 ``reviews.list``) only returns reviews created or modified in the
**last seven days**, newest modified first, and only those with a text: an older review is out of
the API's reach for good. So the connector polls every hour by default and reads the whole week at
each poll (a few pages at most): edits and replies written in the Play Console are picked up, and
a source that stays paused or failing for more than a week loses the reviews of the gap.

Authentication is a service account: its JSON key signs a JWT (RS256) that Google's token
endpoint exchanges for an access token, kept in memory for its hour of life and renewed once
when the API answers 401. A reply (``reviews.reply``) replaces the previous one; Google refuses
replies over 350 characters, so they are refused here before sending.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, Field, ValidationError, field_validator

from vigie.connectors.builtin.google_play.jwt import load_rsa_key, sign_rs256
from vigie.connectors.builtin.google_play.schemas import ReplyResponse as ReplyPayload
from vigie.connectors.builtin.google_play.schemas import (
    Review,
    ReviewsListResponse,
    ServiceAccount,
    Timestamp,
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
from vigie.connectors.normalise import aware_datetime, rating_to_five, raw_rating

M = TypeVar("M", bound=BaseModel)
PLATFORM = "Google Play"
SCOPE = "https://www.googleapis.com/auth/androidpublisher"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
API_PATH = "/androidpublisher/v3/applications/{package}"
REPLY_MAX = 350
PAGE_SIZE = 100
# The reviews quota is counted per hour: without a hint, wait ten minutes.
DEFAULT_RETRY_AFTER = 600.0
STORE_URL = "https://play.google.com/store/apps/details?id={package}&reviewId={review}"
_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+")


class GooglePlayConfig(ConnectorConfig):
    """The app to read and the service account allowed to read and answer its reviews."""

    package_name: str = Field(description="Nom du paquet de l'application (par exemple com.exemple.app)")
    service_account_json: str = Field(
        description="Clé JSON du compte de service Google Cloud",
        json_schema_extra={"secret": True},
    )

    @field_validator("package_name")
    @classmethod
    def _package(cls, value: str) -> str:
        if not _PACKAGE.fullmatch(value):
            raise ValueError("expected an Android package name such as com.example.app")
        return value

    @field_validator("service_account_json", mode="before")
    @classmethod
    def _service_account(cls, value: Any) -> str:
        # Pasted as text in the form, or given as a JSON object in the CLI's --config.
        text = json.dumps(value) if isinstance(value, dict) else str(value or "")
        try:
            account = ServiceAccount.model_validate_json(text)
        except ValidationError:
            raise ValueError(
                "expected the service account's JSON key (with client_email and private_key)"
            ) from None
        load_rsa_key(account.private_key)
        return text


class GooglePlayConnector(Connector[GooglePlayConfig]):
    """Reads the last week of an app's reviews; publishes and replaces the developer reply."""

    slug: ClassVar[str] = "google_play"
    label: ClassVar[str] = "Google Play"
    # No delete: the API can only create or replace a reply (removing one is done in the Console).
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.FETCH, Capability.REPLY, Capability.EDIT_REPLY}
    )
    Config: ClassVar[type[ConnectorConfig]] = GooglePlayConfig
    # The API forgets reviews after a week: poll every hour so nothing is missed.
    default_poll_seconds: ClassVar[int] = 3600
    default_base_url: ClassVar[str] = "https://androidpublisher.googleapis.com"
    kind: ClassVar[PlatformKind] = PlatformKind.REVIEWS
    # One developer reply per review: a second one replaces the first, so a retry is harmless.
    reply_replaces: ClassVar[bool] = True
    reply_idempotent: ClassVar[bool] = True
    reply_limit: ClassVar[LengthLimit | None] = LengthLimit(REPLY_MAX)

    def __init__(self, config: GooglePlayConfig, http: httpx.Client | None = None) -> None:
        super().__init__(config, http)
        self._account = ServiceAccount.model_validate_json(config.service_account_json)
        self._token = ""
        self._token_expires_at = 0.0

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """Read one review: proves the key, the app and the account's permission on it."""
        from django.utils.translation import gettext  # connectors load without Django

        self._api("GET", "/reviews", params={"maxResults": 1})
        # The health text says what the API forgets: a source left paused a week loses reviews.
        return gettext(
            "%(package)s (compte %(account)s) : l'API de Google Play ne garde que les avis des "
            "7 derniers jours ; relevez-les au moins une fois par jour."
        ) % {"package": self.config.package_name, "account": self._account.client_email}

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one page of the week of reviews the API keeps; a poll reads every page."""
        params: dict[str, Any] = {"maxResults": PAGE_SIZE}
        token = cursor.get("token")
        if isinstance(token, str) and token:
            params["token"] = token
        data = self._api("GET", "/reviews", params=params)
        listing = _model(ReviewsListResponse, data)
        raw_reviews = (data.get("reviews") or []) if isinstance(data, dict) else []
        items: list[MentionIn] = []
        for review, raw in zip(listing.reviews, raw_reviews, strict=True):
            mention = self._to_mention(review, raw)
            if mention is not None:
                items.append(mention)
        next_token = listing.tokenPagination.nextPageToken if listing.tokenPagination else None
        # A token that comes back unchanged would serve the same page forever: the walk ends.
        if next_token and next_token != token and listing.reviews:
            return Page(items=items, next_cursor={"token": next_token}, has_more=True)
        return Page(items=items, next_cursor={}, has_more=False)

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Publish or replace the developer reply (at most 350 characters)."""
        if len(text) > REPLY_MAX:
            raise ConnectorError(
                f"Google Play refuses replies over {REPLY_MAX} characters (this one has {len(text)})",
                permanent=True,
            )
        review = quote(mention.external_id, safe=":")
        data = self._api("POST", f"/reviews/{review}:reply", json={"replyText": text})
        _model(ReplyPayload, data)
        return ReplyResult(
            external_id=mention.external_id,
            url=self._store_url(mention.external_id),
            raw=data if isinstance(data, dict) else {},
        )

    # --- mapping ----------------------------------------------------------------------------

    def _store_url(self, review_id: str) -> str:
        return STORE_URL.format(package=self.config.package_name, review=quote(review_id, safe=""))

    def _to_mention(self, review: Review, raw: dict[str, Any]) -> MentionIn | None:
        user = next((c.userComment for c in review.comments if c.userComment is not None), None)
        if user is None:
            return None  # a review without the customer's comment has nothing to show
        developer = next((c.developerComment for c in review.comments if c.developerComment), None)
        # The API gives the last modification, never the creation: the first sight is kept.
        created_at = _time(user.lastModified, review.reviewId)
        title, body = user.text.split("\t", 1) if "\t" in user.text else ("", user.text)
        language, _, country = (user.reviewerLanguage or "").partition("_")
        facets = {
            "app_version": user.appVersionName or "",
            "app_version_code": user.appVersionCode,
            "language": language.lower(),
            "country": country.upper(),
            "device": user.device or "",
            "android_os_version": user.androidOsVersion,
        }
        return MentionIn(
            external_id=review.reviewId,
            kind="review",
            created_at=created_at,
            title=title.strip(),
            text=body.strip(),
            url=self._store_url(review.reviewId),
            # Play gives no reviewer id, and many reviewers are "A Google user": one author per
            # review, so two people with the same name never merge.
            author=AuthorIn(external_id=f"review:{review.reviewId}", display_name=review.authorName or ""),
            rating=rating_to_five(user.starRating),
            rating_raw=raw_rating(user.starRating),
            likes=user.thumbsUpCount or 0,
            language=language.lower()[:8],
            owner_reply_text=developer.text if developer else "",
            # The reply's time is a detail: a reply without one is imported all the same.
            owner_reply_at=_time(developer.lastModified, review.reviewId)
            if developer and developer.lastModified
            else None,
            raw={**raw, "vigie": facets},
        )

    # --- HTTP -------------------------------------------------------------------------------

    def _api(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> Any:
        url = f"{self.base_url}{API_PATH.format(package=self.config.package_name)}{path}"
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {self._access_token(renew=attempt > 0)}"}
            try:
                response = self._send(method, url, params=params, json=json, headers=headers)
            except ConnectorError as exc:
                # A token revoked or expired early: get a fresh one once, then give up.
                if exc.needs_reauth and attempt == 0 and "HTTP 401" in exc.message:
                    continue
                raise
            return decode_json(response, PLATFORM)
        raise AssertionError("unreachable")  # pragma: no cover

    def _token_url(self) -> str:
        # One address for every host: a proxy or a local stand-in serves the token too.
        return f"{self.config.base_url.rstrip('/')}/token" if self.config.base_url else GOOGLE_TOKEN_URL

    def _access_token(self, *, renew: bool = False) -> str:
        if self._token and not renew and time.monotonic() < self._token_expires_at:
            return self._token
        token_url = self._token_url()
        now = int(time.time())
        claims = {
            "iss": self._account.client_email,
            "scope": SCOPE,
            "aud": token_url,
            "iat": now,
            "exp": now + 3600,
        }
        assertion = sign_rs256(load_rsa_key(self._account.private_key), claims, self._account.private_key_id)
        response = self._send(
            "POST", token_url, data={"grant_type": JWT_BEARER, "assertion": assertion}, token_request=True
        )
        token = _model(TokenResponse, decode_json(response, PLATFORM))
        try:
            lifetime = float(token.expires_in or 3600)
        except ValueError:
            lifetime = 3600.0
        self._token = token.access_token
        # Renew a minute early so a token never expires between the check and the call.
        self._token_expires_at = time.monotonic() + max(lifetime - 60, 0)
        return self._token

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
        all_headers = {"Accept": "application/json", **(headers or {})}
        try:
            response = self.http.request(
                method, url, params=params, json=json, data=data, headers=all_headers
            )
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"Google Play unreachable at {urlsplit(url).netloc} ({type(exc).__name__})"
            ) from None
        if response.status_code >= 400:
            raise _error_for(response, token_request=token_request)
        return response


def _time(stamp: Timestamp | None, review_id: str) -> datetime:
    if stamp is None:
        raise ConnectorError(f"Google Play review {review_id}: no lastModified")
    try:
        return aware_datetime(int(stamp.seconds) + stamp.nanos / 1e9)
    except ValueError:
        raise ConnectorError(f"Google Play review {review_id}: unreadable lastModified") from None


def _error_for(response: httpx.Response, *, token_request: bool) -> ConnectorError:
    status = response.status_code
    state, message = _platform_error(response)
    text = f"Google Play HTTP {status}: {message}" if message else f"Google Play HTTP {status}"
    if status == 429 or state == "RESOURCE_EXHAUSTED":
        return RateLimited(text, retry_after=retry_after(response, DEFAULT_RETRY_AFTER))
    if status == 401 or (token_request and status in {400, 403}):
        return ConnectorError(text, needs_reauth=True)
    if status == 403:
        # The service account is not invited to the app, or lacks "Reply to reviews".
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text)
    return ConnectorError(text, permanent=True)


def _platform_error(response: httpx.Response) -> tuple[str, str]:
    """Google's ``{"error": {"code", "message", "status"}}``, or OAuth's ``error_description``."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("status") or ""), str(error.get("message") or "")[:500]
    if isinstance(error, str):
        return "", str(body.get("error_description") or error)[:500]
    return "", ""


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, PLATFORM)
