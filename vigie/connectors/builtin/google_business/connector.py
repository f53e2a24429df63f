"""Google Business Profile: the reviews of every location of an account; owner replies.

The account's locations are listed by the Business Information API (title, store code, address,
place id) once a day; each review carries its location as a ``PlaceIn`` so ingestion files it
under its own Vigie location. Reviews are listed per location, most recently updated first
(``orderBy=updateTime desc``, ``pageSize`` ≤ 50, ``pageToken``). The cursor keeps, per location,
the newest ``updateTime`` read: the next poll stops at the first review not updated since, so new
and edited reviews (and their replies) are read again and nothing else is. Google's list omits a
deleted review, so once every ``reconcile_hours`` a location is read in full and the page says
which reviews it still lists (``Page.complete_ids``).

Authentication is an OAuth 2.0 user grant: the "connect Google account" page stores a refresh
token; each run exchanges it for an access token (kept in memory for its hour of life) and renews
it once when the API answers 401.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx
from pydantic import BaseModel, Field, ValidationError, field_validator

from vigie.connectors.builtin.google_business.schemas import (
    ErrorDetail,
    ErrorEnvelope,
    ListLocationsResponse,
    ListReviewsResponse,
    Location,
    PostalAddress,
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
    PlaceIn,
    PlatformKind,
    RateLimited,
    ReplyResult,
)
from vigie.connectors.http import decode_json, parse_payload, retry_after
from vigie.connectors.normalise import aware_datetime, rating_to_five
from vigie.connectors.platforms import runtime_gettext as _

M = TypeVar("M", bound=BaseModel)
logger = logging.getLogger(__name__)
SCOPE = "https://www.googleapis.com/auth/business.manage"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL
GOOGLE_AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth"
PAGE_SIZE = 50
INFORMATION_URL = "https://mybusinessbusinessinformation.googleapis.com"
READ_MASK = "name,title,storeCode,storefrontAddress,metadata"
LOCATIONS_PAGE_SIZE = 100
MAX_DISCOVERY_PAGES = 50
# A full reconciliation reads at most this many pages (20 000 reviews) in one go.
MAX_RECONCILE_PAGES = 400
DISCOVERY_EVERY = timedelta(hours=24)
PLACE_REVIEWS_URL = "https://search.google.com/local/reviews"
REPLY_MAX_BYTES = 4096
DEFAULT_RETRY_AFTER = 60.0
_TRANSLATED = "(Translated by Google)"
_ORIGINAL = "(Original)"


class GoogleBusinessConfig(ConnectorConfig):
    """The account and locations to read, and the OAuth client of the organisation."""

    account_id: str = Field(description="Identifiant du compte (accounts/…)")
    location_ids: list[str] = Field(
        default_factory=list,
        description="Établissements à lire (locations/…) ; vide : tous les établissements du compte",
    )
    client_id: str = Field(description="Identifiant du client OAuth (Google Cloud)")
    client_secret: str = Field(
        default="", description="Secret du client OAuth", json_schema_extra={"secret": True}
    )
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
    reconcile_hours: int = Field(
        default=24,
        ge=1,
        le=24 * 30,
        description="Relecture complète de chaque établissement (heures) : détecte les avis supprimés",
    )

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
    # Customers review "on Google" (Maps, Search): the product's name is the business's side.
    public_label: ClassVar[str] = "Google"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.FETCH,
            Capability.REPLY,
            Capability.EDIT_REPLY,
            Capability.DELETE_REPLY,
            Capability.DETECTS_DELETIONS,
        }
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
    places_field: ClassVar[str] = "location_ids"

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

    @property
    def information_url(self) -> str:
        """The Business Information API (locations) lives on its own host at Google; a ``base_url``
        set for a proxy or a test serves both APIs."""
        return (self.config.base_url or INFORMATION_URL).rstrip("/")

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """List the account's locations, then read one review of each chosen location: proves the
        grant, the project's access to both APIs and the ids."""
        places = self._discover()
        total = 0
        locations = self._locations(places)
        for location in locations:
            listing = _model(
                ListReviewsResponse,
                self._api("GET", f"{self._location_path(location)}/reviews", params={"pageSize": 1}),
            )
            total += listing.totalReviewCount or 0
        return _("compte %(account)s : %(locations)s établissement(s), %(reviews)s avis") % {
            "account": self.config.account_id,
            "locations": len(locations),
            "reviews": total,
        }

    def list_places(self) -> list[PlaceIn]:
        """Every location of the account (Business Information API), as places to choose."""
        return [_place(location_id, data) for location_id, data in self._discover().items()]

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one page of one location; move to the next location when it is caught up.

        The account's locations are listed at the start of a round once a day (names, store
        codes, addresses, links). Once every ``reconcile_hours`` a location is read in full and
        the page says which reviews it still lists, so ingestion marks the others deleted.
        """
        index = cursor.get("location", 0)
        page_token = cursor.get("page_token") if isinstance(index, int) else None
        places: dict[str, dict[str, str]] = dict(cursor.get("places") or {})
        places_at = _optional_time(cursor.get("places_at"))
        now = datetime.now(tz=UTC)
        if not places or (
            not page_token and index == 0 and (places_at is None or now - places_at >= DISCOVERY_EVERY)
        ):
            places, places_at = self._discover(), now
        state: dict[str, Any] = {
            "places": places,
            "places_at": _iso(places_at),
            "since": dict(cursor.get("since") or {}),
            "reconciled": dict(cursor.get("reconciled") or {}),
            "unreadable": dict(cursor.get("unreadable") or {}),
        }
        locations = self._locations(places)
        if not locations:
            return Page(items=[], next_cursor={"location": 0, **state}, has_more=False)
        if not isinstance(index, int) or not 0 <= index < len(locations):
            index, page_token = 0, None
        location = locations[index]
        reconciled = _optional_time(state["reconciled"].get(location))
        try:
            if not page_token and reconciled is not None and now - reconciled >= self._reconcile_every:
                page = self._reconcile(location, places, index, state, now)
            else:
                page = self._read_new(location, places, index, page_token, cursor, state, now)
        except ConnectorError as exc:
            return self._skip_unreadable(exc, location, locations, index, state)
        page.next_cursor["unreadable"].pop(location, None)
        return page

    def _skip_unreadable(
        self, exc: ConnectorError, location: str, locations: list[str], index: int, state: dict[str, Any]
    ) -> Page:
        """Go past a location whose reviews Google refuses for good (404 for a location removed or
        not verified, 403 for one the account may no longer manage), so it does not hold back
        the account's other locations; the error is raised when no location is readable."""
        if isinstance(exc, RateLimited) or exc.needs_reauth or not exc.permanent:
            raise exc
        state["unreadable"][location] = exc.message[:300]
        if all(other in state["unreadable"] for other in locations):
            raise exc
        logger.warning("Google location %s skipped: %s", location, exc.message)
        more = index + 1 < len(locations)
        return Page(items=[], next_cursor={"location": index + 1 if more else 0, **state}, has_more=more)

    def _read_new(
        self,
        location: str,
        places: dict[str, dict[str, str]],
        index: int,
        page_token: Any,
        cursor: dict[str, Any],
        state: dict[str, Any],
        now: datetime,
    ) -> Page:
        since: dict[str, str] = state["since"]
        known = _optional_time(since.get(location))
        run_newest = _optional_time(cursor.get("run_newest")) if page_token else None
        params: dict[str, Any] = {"pageSize": PAGE_SIZE, "orderBy": "updateTime desc"}
        if page_token:
            params["pageToken"] = page_token
        data = self._api("GET", f"{self._location_path(location)}/reviews", params=params)
        listing = _model(ListReviewsResponse, data)
        raw_reviews = data.get("reviews") or []
        place = _place(location, places.get(location) or {})
        link = (places.get(location) or {}).get("url", "")
        items: list[MentionIn] = []
        caught_up = False
        for review, raw in zip(listing.reviews, raw_reviews, strict=True):
            updated = _review_time(review.updateTime or review.createTime, review.reviewId)
            if known is not None and updated <= known:
                # Sorted by update time: everything after this one was read before.
                caught_up = True
                break
            items.append(self._to_mention(review, raw, location, place, link))
            run_newest = max(run_newest, updated) if run_newest else updated

        # A token that comes back unchanged would serve the same page forever: the walk ends.
        repeated = bool(page_token) and listing.nextPageToken == page_token
        if listing.nextPageToken and not repeated and not caught_up and listing.reviews:
            next_cursor = {
                "location": index,
                "page_token": listing.nextPageToken,
                "run_newest": _iso(run_newest),
                **state,
            }
            return Page(items=items, next_cursor=next_cursor, has_more=True)
        newest = max(filter(None, [known, run_newest]), default=None)
        if newest is not None:
            since[location] = newest.isoformat()
        # A location read to its end for the first time is complete as of now: the first full
        # reconciliation comes ``reconcile_hours`` later.
        state["reconciled"].setdefault(location, now.isoformat())
        more = index + 1 < len(self._locations(places))
        return Page(items=items, next_cursor={"location": index + 1 if more else 0, **state}, has_more=more)

    def _reconcile(
        self,
        location: str,
        places: dict[str, dict[str, str]],
        index: int,
        state: dict[str, Any],
        now: datetime,
    ) -> Page:
        """Read every review of ``location``: the page lists them all (``complete_ids``), so the
        stored ones Google no longer lists are marked deleted; then the location is read as
        usual (``has_more``)."""
        state["reconciled"][location] = now.isoformat()
        place = _place(location, places.get(location) or {})
        link = (places.get(location) or {}).get("url", "")
        items: list[MentionIn] = []
        page_token: str | None = None
        announced = 0
        for _page in range(MAX_RECONCILE_PAGES):
            params: dict[str, Any] = {"pageSize": PAGE_SIZE, "orderBy": "updateTime desc"}
            if page_token:
                params["pageToken"] = page_token
            data = self._api("GET", f"{self._location_path(location)}/reviews", params=params)
            listing = _model(ListReviewsResponse, data)
            announced = max(announced, listing.totalReviewCount or 0)
            for review, raw in zip(listing.reviews, data.get("reviews") or [], strict=True):
                items.append(self._to_mention(review, raw, location, place, link))
            if listing.nextPageToken and listing.nextPageToken == page_token:
                # A token that comes back unchanged: the listing cannot be trusted to be whole.
                return Page(items=items, next_cursor={"location": index, **state}, has_more=True)
            page_token = listing.nextPageToken
            if not page_token or not listing.reviews:
                break
        else:
            # Too many reviews to list in one go: no claim of completeness rather than a wrong one.
            return Page(items=items, next_cursor={"location": index, **state}, has_more=True)
        if not items and announced:
            # An empty list that announces reviews is not a listing to delete everything by.
            return Page(items=items, next_cursor={"location": index, **state}, has_more=True)
        return Page(
            items=items,
            next_cursor={"location": index, **state},
            has_more=True,
            complete_ids=frozenset(item.external_id for item in items),
            complete_prefix=f"{self._location_path(location).removeprefix('/v4/')}/reviews/",
        )

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Create or replace the owner reply (one per review, so a retry is harmless)."""
        if len(text.encode("utf-8")) > REPLY_MAX_BYTES:
            raise ConnectorError(f"Google replies are limited to {REPLY_MAX_BYTES} bytes", permanent=True)
        data = self._api("PUT", f"/v4/{self._review_name(mention)}/reply", json={"comment": text})
        _model(ReviewReply, data)
        return ReplyResult(
            external_id=f"{self._review_name(mention)}/reply",
            url=mention.url,
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

    @property
    def _reconcile_every(self) -> timedelta:
        return timedelta(hours=self.config.reconcile_hours)

    def _locations(self, places: dict[str, dict[str, str]]) -> list[str]:
        """The locations a round reads: the configured ones, else every location of the account."""
        return list(self.config.location_ids) or list(places)

    def _discover(self) -> dict[str, dict[str, str]]:
        """The account's locations by id (Business Information API), as kept in the cursor."""
        found: dict[str, dict[str, str]] = {}
        page_token: str | None = None
        path = f"{self.information_url}/v1/accounts/{self.config.account_id}/locations"
        for _page in range(MAX_DISCOVERY_PAGES):
            params: dict[str, Any] = {"readMask": READ_MASK, "pageSize": LOCATIONS_PAGE_SIZE}
            if page_token:
                params["pageToken"] = page_token
            listing = _model(ListLocationsResponse, self._api("GET", path, params=params, absolute=True))
            for location in listing.locations:
                location_id = location.name.rsplit("/", 1)[-1]
                if location_id:
                    found[location_id] = _place_data(location)
            page_token = listing.nextPageToken
            if not page_token:
                break
        return found

    def _location_path(self, location: str) -> str:
        return f"/v4/accounts/{self.config.account_id}/locations/{location}"

    def _review_name(self, mention: MentionIn) -> str:
        name = str(mention.raw.get("name") or mention.external_id)
        if not name.startswith("accounts/"):
            raise ConnectorError(
                f"cannot tell which location review {mention.external_id} belongs to", permanent=True
            )
        return name

    def _to_mention(
        self, review: Review, raw: dict[str, Any], location: str, place: PlaceIn, link: str
    ) -> MentionIn:
        name = (
            review.name or f"accounts/{self.config.account_id}/locations/{location}/reviews/{review.reviewId}"
        )
        reviewer = review.reviewer
        author = AuthorIn(
            # Google gives no stable reviewer id (a display name is shared by many people: two
            # "Marie D." are two customers), so each review's author is keyed by the review.
            external_id=f"review:{review.reviewId}",
            display_name=reviewer.displayName,
        )
        reply = review.reviewReply
        return MentionIn(
            external_id=name,
            kind="review",
            created_at=_review_time(review.createTime, review.reviewId),
            text=_original_text(review.comment),
            # No permalink per review at Google: the location's page of reviews.
            url=link,
            author=author,
            place=place,
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
        absolute: bool = False,
    ) -> Any:
        for attempt in range(2):
            token = self._access_token(renew=attempt > 0)
            try:
                response = self._send(
                    method,
                    path if absolute else f"{self.base_url}{path}",
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
        if not self.config.client_secret:
            raise ConnectorError("the OAuth client secret is missing", needs_reauth=True)
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


def _https(value: str) -> str:
    return value if value.startswith("https://") and len(value) <= 1000 else ""


def _place_data(location: Location) -> dict[str, str]:
    """What the cursor keeps of a location: its name, store code, address and public link."""
    address = location.storefrontAddress or PostalAddress()
    metadata = location.metadata
    if metadata.placeId:
        # Google has no link to one review: this opens the location's reviews on Google.
        url = f"{PLACE_REVIEWS_URL}?{urlencode({'placeid': metadata.placeId})}"
    else:
        url = _https(metadata.mapsUri) or _https(metadata.newReviewUri)
    return {
        "name": location.title,
        "store_code": location.storeCode,
        "address": ", ".join(line.strip() for line in address.addressLines if line.strip()),
        "postcode": address.postalCode,
        "city": address.locality,
        "url": url,
    }


def _place(location_id: str, data: dict[str, str]) -> PlaceIn:
    return PlaceIn(
        external_id=location_id,
        # A configured location Google did not list keeps a recognisable name.
        name=str(data.get("name") or f"Google {location_id}"),
        store_code=str(data.get("store_code") or ""),
        address=str(data.get("address") or ""),
        postcode=str(data.get("postcode") or ""),
        city=str(data.get("city") or ""),
    )


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
