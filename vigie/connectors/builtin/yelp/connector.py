"""Yelp Fusion (Yelp Places API): the review excerpts Yelp gives for one business.

The public API returns at most three review excerpts per business on the base plans (the text is
cut at about 160 characters and ends with "..."), in one locale. There is no cursor and nothing
to page through on those plans: each poll reads the excerpts again; the ingestion stores a new one
and updates one that changed. Replying is not possible with the public API (Yelp's
"Respond to Reviews" API is for partners only): the agent copies the answer and opens the review.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from pydantic import BaseModel, Field, field_validator

from vigie.connectors.builtin.yelp.schemas import Business, Review, ReviewsResponse
from vigie.connectors.contract import (
    AuthorIn,
    Capability,
    Connector,
    ConnectorConfig,
    ConnectorError,
    MentionIn,
    Page,
    PlatformKind,
    RateLimited,
)
from vigie.connectors.http import decode_json, parse_payload, retry_after
from vigie.connectors.normalise import aware_datetime, rating_to_five, raw_rating

M = TypeVar("M", bound=BaseModel)
PLATFORM = "Yelp"
# Yelp's per-second limit clears quickly; the daily one comes with its reset time.
DEFAULT_RETRY_AFTER = 60.0
DAILY_RETRY_AFTER = 3600.0
PAGE_LIMIT = 50
MAX_OFFSET = 200
NO_REVIEWS = "BUSINESS_UNAVAILABLE"


class YelpConfig(ConnectorConfig):
    """The business whose review excerpts are read, and the API key."""

    api_key: str = Field(description="Clé d'API Yelp Fusion", json_schema_extra={"secret": True})
    business_id: str = Field(description="Identifiant ou alias de l'établissement Yelp")
    locale: str = Field(default="fr_FR", description="Langue des avis lus (par exemple fr_FR)")
    # Empty: the source's own timezone (its location's, else its organisation's).
    timezone: str = Field(
        default="",
        description="Fuseau horaire de l'établissement pour les dates Yelp sans fuseau (vide : celui "
        "du lieu de la source, sinon de l'organisation)",
    )

    @field_validator("business_id")
    @classmethod
    def _business(cls, value: str) -> str:
        if not value or "/" in value:
            raise ValueError("expected a Yelp business id or alias such as casa-bella-paris")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not value:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected a timezone name such as Europe/Paris") from None
        return value


class YelpConnector(Connector[YelpConfig]):
    """Reads the review excerpts of one business; answers are copied and opened on Yelp."""

    slug: ClassVar[str] = "yelp"
    label: ClassVar[str] = "Yelp"
    # Read only: the public API has no way to answer, and reviews that leave the excerpts are
    # not deleted, only no longer shown, so deletions are not detected either.
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.FETCH})
    Config: ClassVar[type[ConnectorConfig]] = YelpConfig
    # Base plans allow 300 calls a day: one poll every two hours spends 12.
    default_poll_seconds: ClassVar[int] = 7200
    default_base_url: ClassVar[str] = "https://api.yelp.com"
    kind: ClassVar[PlatformKind] = PlatformKind.REVIEWS

    def __init__(self, config: YelpConfig, http: httpx.Client | None = None) -> None:
        super().__init__(config, http)

    def test_connection(self) -> str:
        from django.utils.translation import gettext  # connectors load without Django

        business = _model(Business, self._get(f"/v3/businesses/{self._business_path()}"))
        return gettext(
            "%(name)s (%(count)s avis) : l'API ne donne que des extraits (3 avis au plus, texte "
            "tronqué) ; les réponses s'écrivent sur Yelp (copier puis ouvrir)."
        ) % {"name": business.name or business.alias or business.id, "count": business.review_count or 0}

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read the excerpts the plan allows (usually three), one page per call."""
        offset = cursor.get("offset")
        if not isinstance(offset, int) or offset < 0:
            offset = 0
        try:
            data = self._get(
                f"/v3/businesses/{self._business_path()}/reviews",
                params={"locale": self.config.locale, "limit": PAGE_LIMIT, "offset": offset},
            )
        except ConnectorError as exc:
            # Yelp answers 403 BUSINESS_UNAVAILABLE for a business without a recommended review
            # in this locale (a new listing, or reviews in another language): nothing to read
            # yet, not a broken source.
            if not exc.message.startswith(f"Yelp HTTP 403: {NO_REVIEWS}"):
                raise
            return Page(items=[], next_cursor={}, has_more=False)
        listing = _model(ReviewsResponse, data)
        raw_reviews = (data.get("reviews") or []) if isinstance(data, dict) else []
        items = [
            self._to_mention(review, raw) for review, raw in zip(listing.reviews, raw_reviews, strict=True)
        ]
        following = offset + len(listing.reviews)
        more = (
            len(listing.reviews) >= PAGE_LIMIT
            and (listing.total is None or following < listing.total)
            and following < MAX_OFFSET
        )
        if more:
            return Page(items=items, next_cursor={"offset": following}, has_more=True)
        return Page(items=items, next_cursor={}, has_more=False)

    def _business_path(self) -> str:
        return quote(self.config.business_id, safe="")

    def _to_mention(self, review: Review, raw: dict[str, Any]) -> MentionIn:
        try:
            created_at = aware_datetime(review.time_created, self.config.timezone or self.local_zone)
        except ValueError:
            raise ConnectorError(f"Yelp review {review.id}: unreadable time_created") from None
        user = review.user
        author = (
            AuthorIn(external_id=user.id, display_name=user.name, profile_url=user.profile_url)
            if user is not None and user.id
            else None
        )
        return MentionIn(
            external_id=review.id,
            kind="review",
            created_at=created_at,
            text=review.text,
            url=review.url,
            author=author,
            rating=rating_to_five(review.rating),
            rating_raw=raw_rating(review.rating),
            language=self.config.locale.split("_")[0].lower()[:8],
            raw=raw,
        )

    def _get(self, path: str, *, params: dict[str, Any] | None = None) -> Any:
        url = f"{self.base_url}{path}"
        headers = {"Authorization": f"Bearer {self.config.api_key}", "Accept": "application/json"}
        try:
            response = self.http.request("GET", url, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"Yelp unreachable at {urlsplit(url).netloc} ({type(exc).__name__})"
            ) from None
        if response.status_code >= 400:
            raise _error_for(response)
        return decode_json(response, PLATFORM)


def _error_for(response: httpx.Response) -> ConnectorError:
    status = response.status_code
    code, description = _platform_error(response)
    detail = ": ".join(part for part in (code, description) if part)
    text = f"Yelp HTTP {status}: {detail}" if detail else f"Yelp HTTP {status}"
    if code == "ACCESS_LIMIT_REACHED":
        # The daily cap: wait for the reset time Yelp gives (midnight UTC), not a minute.
        return RateLimited(text, retry_after=retry_after(response, DAILY_RETRY_AFTER, "RateLimit-ResetTime"))
    if status == 429 or code == "TOO_MANY_REQUESTS_PER_SECOND":
        return RateLimited(text, retry_after=retry_after(response, DEFAULT_RETRY_AFTER))
    if status == 401 or code in {"TOKEN_INVALID", "TOKEN_MISSING", "UNAUTHORIZED_ACCESS_TOKEN"}:
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text)
    return ConnectorError(text, permanent=True)


def _platform_error(response: httpx.Response) -> tuple[str, str]:
    """Yelp's ``{"error": {"code", "description"}}`` envelope."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", ""
    return str(error.get("code") or "")[:80], str(error.get("description") or "")[:400]


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, PLATFORM)
