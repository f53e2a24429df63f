"""App Store Connect: the customer reviews of one iOS app, and the developer response.

Reviews are read newest first (``sort=-createdDate``, ``limit=200``, JSON:API ``links.next``
paging) with their response (``include=response``). Each poll reads back to the newest review
of the previous poll minus ``RESCAN_DAYS``, so responses published since (Apple reviews them:
``PENDING_PUBLISH`` then ``PUBLISHED``) and recent edits are read again. Apple never says a
review was removed: it stops listing it, so each page marks deleted the stored reviews of the span
of creation times it covers that it no longer lists (``Page.complete_ids``).

Authentication is a JWT signed ES256 with the team's .p8 API key (``iss`` the issuer id, ``kid``
the key id, ``aud`` ``appstoreconnect-v1``, 20 minutes at most), made here and renewed before it
expires. A review holds at most one response: a new text replaces it by deleting the response and
creating the new one (``DELETE`` then ``POST /v1/customerReviewResponses``), so a retry never
leaves two.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, Field, field_validator

from vigie.connectors.builtin.app_store.jwt import load_ec_key, normalise_pem, sign_es256
from vigie.connectors.builtin.app_store.schemas import (
    AppDocument,
    CustomerReview,
    CustomerReviewResponse,
    ResponseDocument,
    ReviewsDocument,
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
PLATFORM = "App Store Connect"
AUDIENCE = "appstoreconnect-v1"
TOKEN_SECONDS = 19 * 60  # Apple refuses tokens that live over 20 minutes.
PAGE_SIZE = 200
RESCAN_DAYS = 14
RESPONSE_MAX = 5970
# Apple's limit is a rolling hour per key and its 429 carries no Retry-After.
DEFAULT_RETRY_AFTER = 900.0
APP_URL = "https://apps.apple.com/app/id{app}?see-all=reviews"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class AppStoreConfig(ConnectorConfig):
    """The app to read and the App Store Connect API key that reads and answers its reviews."""

    app_id: str = Field(description="Identifiant Apple de l'application (Apple ID, chiffres)")
    issuer_id: str = Field(description="Identifiant de l'émetteur (Issuer ID) des clés d'API")
    key_id: str = Field(description="Identifiant de la clé d'API (Key ID)")
    private_key: str = Field(
        description="Clé privée .p8 de l'API App Store Connect",
        json_schema_extra={"secret": True},
    )

    @field_validator("app_id")
    @classmethod
    def _app(cls, value: str) -> str:
        value = value.removeprefix("id")
        if not value.isdigit():
            raise ValueError("expected the app's Apple ID, digits such as 1234567890")
        return value

    @field_validator("issuer_id")
    @classmethod
    def _issuer(cls, value: str) -> str:
        if not _UUID.fullmatch(value):
            raise ValueError("expected the issuer id, a UUID such as 57246542-96fe-1a63-e053-0824d011072a")
        return value.lower()

    @field_validator("key_id")
    @classmethod
    def _key_id(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z0-9]{8,12}", value):
            raise ValueError("expected the key id, such as 2X9R4HXF34")
        return value

    @field_validator("private_key")
    @classmethod
    def _private_key(cls, value: str) -> str:
        load_ec_key(value)
        return normalise_pem(value)


class AppStoreConnector(Connector[AppStoreConfig]):
    """Reads an app's customer reviews; publishes, replaces and deletes the developer response."""

    slug: ClassVar[str] = "app_store"
    label: ClassVar[str] = "App Store"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.FETCH,
            Capability.REPLY,
            Capability.EDIT_REPLY,
            Capability.DELETE_REPLY,
            Capability.DETECTS_DELETIONS,
        }
    )
    Config: ClassVar[type[ConnectorConfig]] = AppStoreConfig
    default_poll_seconds: ClassVar[int] = 3600
    default_base_url: ClassVar[str] = "https://api.appstoreconnect.apple.com"
    kind: ClassVar[PlatformKind] = PlatformKind.REVIEWS
    # One response per review: a new one replaces it (delete, then create), so a retry is harmless.
    reply_replaces: ClassVar[bool] = True
    reply_idempotent: ClassVar[bool] = True
    reply_limit: ClassVar[LengthLimit | None] = LengthLimit(RESPONSE_MAX)

    def __init__(self, config: AppStoreConfig, http: httpx.Client | None = None) -> None:
        super().__init__(config, http)
        self._token = ""
        self._token_expires_at = 0.0

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        from django.utils.translation import gettext  # connectors load without Django

        app = _model(AppDocument, self._api("GET", f"/v1/apps/{self._app()}")).data
        name = str(app.attributes.get("name") or app.id)
        bundle = str(app.attributes.get("bundleId") or "")
        return gettext(
            "%(name)s (%(bundle)s) : réponses activées ; une nouvelle réponse remplace la précédente."
        ) % {"name": name, "bundle": bundle or app.id}

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one page of reviews, newest first, down to the re-scan window."""
        since = _optional_time(cursor.get("since"))
        run_newest = _optional_time(cursor.get("run_newest"))
        next_path = cursor.get("next")
        if isinstance(next_path, str) and next_path.startswith(f"/v1/apps/{self._app()}/customerReviews?"):
            data = self._api("GET", next_path)
        else:
            data = self._api(
                "GET",
                f"/v1/apps/{self._app()}/customerReviews",
                params={"sort": "-createdDate", "limit": PAGE_SIZE, "include": "response"},
            )
        document = _model(ReviewsDocument, data)
        responses = _responses(document.included)
        raw_reviews = (data.get("data") or []) if isinstance(data, dict) else []
        floor = since - timedelta(days=RESCAN_DAYS) if since else None
        items: list[MentionIn] = []
        listed: list[MentionIn] = []
        reached_floor = False
        for review, raw in zip(document.data, raw_reviews, strict=True):
            mention = self._to_mention(review, raw, responses)
            listed.append(mention)
            if floor is not None and mention.created_at < floor:
                reached_floor = True
                continue
            items.append(mention)
            run_newest = max(run_newest, mention.created_at) if run_newest else mention.created_at
        following = _relative(document.links.next if document.links else None)
        span = _listed_span(listed, first_page=not isinstance(next_path, str) or not next_path)
        # A link that comes back unchanged would serve the same page forever: the walk ends.
        if following and following != next_path and document.data and not reached_floor:
            state = {"since": _iso(since), "run_newest": _iso(run_newest), "next": following}
            return Page(items=items, next_cursor=state, has_more=True, **span)
        newest = max(filter(None, [since, run_newest])) if (since or run_newest) else None
        return Page(items=items, next_cursor={"since": _iso(newest)}, has_more=False, **span)

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Replace the review's response: delete the one in place (if any), then create."""
        if len(text) > RESPONSE_MAX:
            raise ConnectorError(
                f"App Store responses are limited to {RESPONSE_MAX} characters (this one has {len(text)})",
                permanent=True,
            )
        existing = self._current_response(mention.external_id)
        if existing:
            self.delete_reply(mention, existing)
        body = {
            "data": {
                "type": "customerReviewResponses",
                "attributes": {"responseBody": text},
                "relationships": {"review": {"data": {"type": "customerReviews", "id": mention.external_id}}},
            }
        }
        data = self._api("POST", "/v1/customerReviewResponses", json=body)
        created = _model(ResponseDocument, data).data
        if created is None:
            raise ConnectorError("App Store Connect created a response but did not return it")
        return ReplyResult(
            external_id=created.id,
            url=APP_URL.format(app=self._app()),
            raw=data if isinstance(data, dict) else {},
        )

    def delete_reply(self, mention: MentionIn, reply_external_id: str) -> None:
        """Delete the response (found again if its id is not known); one already gone is deleted."""
        response_id = reply_external_id or self._current_response(mention.external_id)
        if not response_id:
            return
        try:
            self._api("DELETE", f"/v1/customerReviewResponses/{quote(response_id, safe='')}")
        except ConnectorError as exc:
            if "HTTP 404" not in exc.message:
                raise

    # --- mapping ----------------------------------------------------------------------------

    def _app(self) -> str:
        return quote(self.config.app_id, safe="")

    def _current_response(self, review_id: str) -> str:
        try:
            data = self._api("GET", f"/v1/customerReviews/{quote(review_id, safe='')}/response")
        except ConnectorError as exc:
            if "HTTP 404" in exc.message:
                return ""
            raise
        found = _model(ResponseDocument, data).data
        return found.id if found is not None else ""

    def _to_mention(
        self, review: CustomerReview, raw: dict[str, Any], responses: dict[str, CustomerReviewResponse]
    ) -> MentionIn:
        attributes = review.attributes
        try:
            created_at = aware_datetime(attributes.createdDate)
        except ValueError:
            raise ConnectorError(f"App Store review {review.id}: unreadable createdDate") from None
        link = review.relationships.response if review.relationships else None
        response = responses.get(link.data.id) if link is not None and link.data is not None else None
        response_attributes = response.attributes if response is not None else None
        nickname = attributes.reviewerNickname or ""
        facets = {
            "country": attributes.territory or "",
            "response_id": response.id if response is not None else "",
            "response_state": (response_attributes.state or "") if response_attributes else "",
        }
        return MentionIn(
            external_id=review.id,
            kind="review",
            created_at=created_at,
            title=attributes.title or "",
            text=attributes.body or "",
            url=APP_URL.format(app=self._app()),
            # App Store nicknames are unique: the nickname identifies the reviewer.
            author=AuthorIn(external_id=nickname, handle=nickname, display_name=nickname)
            if nickname
            else None,
            rating=rating_to_five(attributes.rating),
            rating_raw=raw_rating(attributes.rating),
            owner_reply_text=response_attributes.responseBody if response_attributes else "",
            owner_reply_at=_optional_time(response_attributes.lastModifiedDate)
            if response_attributes
            else None,
            raw={**raw, "vigie": facets},
        )

    # --- HTTP -------------------------------------------------------------------------------

    def _bearer(self) -> str:
        if self._token and time.monotonic() < self._token_expires_at:
            return self._token
        now = int(time.time())
        claims = {"iss": self.config.issuer_id, "iat": now, "exp": now + TOKEN_SECONDS, "aud": AUDIENCE}
        self._token = sign_es256(load_ec_key(self.config.private_key), claims, self.config.key_id)
        self._token_expires_at = time.monotonic() + TOKEN_SECONDS - 60
        return self._token

    def _api(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> Any:
        url = f"{self.base_url}{path}"
        headers = {"Authorization": f"Bearer {self._bearer()}", "Accept": "application/json"}
        try:
            response = self.http.request(method, url, params=params, json=json, headers=headers)
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"App Store Connect unreachable at {urlsplit(url).netloc} ({type(exc).__name__})"
            ) from None
        if response.status_code >= 400:
            raise _error_for(response)
        if not response.content.strip():
            return {}
        return decode_json(response, PLATFORM)


def _responses(included: list[dict[str, Any]]) -> dict[str, CustomerReviewResponse]:
    found: dict[str, CustomerReviewResponse] = {}
    for resource in included:
        if resource.get("type") == "customerReviewResponses":
            response = _model(CustomerReviewResponse, resource)
            found[response.id] = response
    return found


def _listed_span(listed: list[MentionIn], *, first_page: bool) -> dict[str, Any]:
    """What a page of the newest-first listing proves about deletions (``Page.complete_ids``):
    every review created strictly between the page's oldest and newest is on it (on the first
    page, every review newer than its oldest), so a stored one of that span it lacks was removed
    from the App Store. Strict bounds: reviews sharing a boundary time may sit on the next page.
    An empty page proves nothing."""
    if not listed:
        return {}
    times = [mention.created_at for mention in listed]
    return {
        "complete_ids": frozenset(mention.external_id for mention in listed),
        "complete_after": min(times),
        "complete_before": None if first_page else max(times),
    }


def _relative(link: str | None) -> str:
    """The path and query of Apple's absolute ``links.next``, so the next page goes to
    ``base_url`` (a proxy, a local stand-in) and never to an address a payload names."""
    if not link:
        return ""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _optional_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return aware_datetime(value)
    except ValueError:
        return None


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _error_for(response: httpx.Response) -> ConnectorError:
    status = response.status_code
    code, message = _platform_error(response)
    text = f"App Store Connect HTTP {status}: {message}" if message else f"App Store Connect HTTP {status}"
    if status == 429 or code == "RATE_LIMIT_EXCEEDED":
        return RateLimited(text, retry_after=retry_after(response, DEFAULT_RETRY_AFTER))
    if status in {401, 403}:
        # A revoked key, a wrong issuer or key id, or a key whose role may not do this.
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text)
    return ConnectorError(text, permanent=True)


def _platform_error(response: httpx.Response) -> tuple[str, str]:
    """The first of Apple's ``{"errors": [{"code", "title", "detail"}]}``."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return "", ""
    first = errors[0]
    message = str(first.get("detail") or first.get("title") or "")[:500]
    return str(first.get("code") or ""), message


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, PLATFORM)
