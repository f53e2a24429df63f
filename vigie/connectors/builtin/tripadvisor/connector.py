"""Tripadvisor Content API: the most recent reviews of one location, where a key exists.

The Content API returns at most the five most recent reviews of a location in one language, with
no way to page further back, and has no write endpoint: answers are written in Tripadvisor's
Management Center (copy and open). A business that needs its whole history imports Tripadvisor's
export with the file connector instead. Each poll reads the five again; the ingestion stores the
new ones and updates those edited or answered since.

The five are the most recent: a stored review published after the oldest of them that is not among
them was deleted (by its author, or by Tripadvisor's moderation). Each poll's listing says so
(``Page.complete_ids`` from just after the oldest listed review): the ingestion marks such a review
deleted, kept, and restores it if it is listed again. A review older than the five fell out of the
listing, which proves nothing about it. The listing is in one language (``language``): once a
source has read another language, its stored reviews are no longer all of the listing's kind, and
the connector stops using the listing for deletions (``languages`` in the cursor).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, Field, field_validator

from vigie.connectors.builtin.tripadvisor.schemas import LocationDetails, Review, ReviewsResponse
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
PLATFORM = "Tripadvisor"
DEFAULT_RETRY_AFTER = 60.0


class TripadvisorConfig(ConnectorConfig):
    """The location whose reviews are read, the Content API key and the language asked for."""

    api_key: str = Field(description="Clé de l'API Content Tripadvisor", json_schema_extra={"secret": True})
    location_id: str = Field(description="Identifiant Tripadvisor du lieu (locationId)")
    language: str = Field(default="fr", description="Langue des avis lus (fr, en…)")

    @field_validator("location_id")
    @classmethod
    def _location(cls, value: str) -> str:
        # The id is the "d123456" part of a Tripadvisor address, without the "d".
        value = value.strip().removeprefix("d")
        if not value.isdigit():
            raise ValueError("expected a numeric location id such as 1234567")
        return value


class TripadvisorConnector(Connector[TripadvisorConfig]):
    """Reads a location's five most recent reviews; answers are copied and opened on Tripadvisor."""

    slug: ClassVar[str] = "tripadvisor"
    label: ClassVar[str] = "Tripadvisor"
    # Read only: the Content API has no reply endpoint. A review missing from the five most
    # recent, published after the oldest of them, was deleted; one older simply fell out.
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.FETCH, Capability.DETECTS_DELETIONS}
    )
    Config: ClassVar[type[ConnectorConfig]] = TripadvisorConfig
    # Calls are paid: a poll every two hours is 12 a day per location.
    default_poll_seconds: ClassVar[int] = 7200
    default_base_url: ClassVar[str] = "https://api.content.tripadvisor.com"
    kind: ClassVar[PlatformKind] = PlatformKind.REVIEWS

    def __init__(self, config: TripadvisorConfig, http: httpx.Client | None = None) -> None:
        super().__init__(config, http)

    def test_connection(self) -> str:
        from django.utils.translation import gettext  # connectors load without Django

        details = _model(LocationDetails, self._get(f"/api/v1/location/{self._location()}/details"))
        return gettext(
            "%(name)s : l'API Content ne donne que les 5 avis les plus récents (l'import de fichier "
            "reprend l'historique) ; les réponses s'écrivent sur Tripadvisor (copier puis ouvrir)."
        ) % {"name": details.name or details.location_id}

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read the (at most five) most recent reviews; there is nothing further to page to."""
        data = self._get(f"/api/v1/location/{self._location()}/reviews")
        listing = _model(ReviewsResponse, data)
        raw_reviews = (data.get("data") or []) if isinstance(data, dict) else []
        items = [_to_mention(review, raw) for review, raw in zip(listing.data, raw_reviews, strict=True)]
        # The languages this source has ever read (one, for a source older than this record).
        languages = sorted({*_languages(cursor.get("languages")), self.config.language})
        next_cursor = {"languages": languages}
        if not items or len(languages) > 1:
            # An empty answer proves nothing; after a change of language the stored reviews are
            # not all of the language the listing covers.
            return Page(items=items, next_cursor=next_cursor, has_more=False)
        return Page(
            items=items,
            next_cursor=next_cursor,
            has_more=False,
            complete_ids=frozenset(item.external_id for item in items),
            complete_after=min(item.created_at for item in items),
        )

    def _location(self) -> str:
        return quote(self.config.location_id, safe="")

    def _get(self, path: str) -> Any:
        url = f"{self.base_url}{path}"
        params = {"key": self.config.api_key, "language": self.config.language}
        try:
            response = self.http.request("GET", url, params=params, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            # Never the exception text: it holds the address, and the key is in its query.
            raise ConnectorError(
                f"Tripadvisor unreachable at {urlsplit(url).netloc} ({type(exc).__name__})"
            ) from None
        if response.status_code >= 400:
            raise _error_for(response, self.config.api_key)
        return decode_json(response, PLATFORM)


def _languages(value: Any) -> list[str]:
    return [str(language) for language in value] if isinstance(value, list) else []


def _to_mention(review: Review, raw: dict[str, Any]) -> MentionIn:
    try:
        created_at = aware_datetime(review.published_date)
    except ValueError:
        raise ConnectorError(f"Tripadvisor review {review.id}: unreadable published_date") from None
    user = review.user
    author = (
        AuthorIn(external_id=user.username, handle=user.username, display_name=user.username)
        if user is not None and user.username
        else None
    )
    answer = review.owner_response
    answered_at = None
    if answer is not None and answer.published_date:
        try:
            answered_at = aware_datetime(answer.published_date)
        except ValueError:
            answered_at = None
    return MentionIn(
        external_id=str(review.id),
        kind="review",
        created_at=created_at,
        title=review.title or "",
        text=review.text or "",
        url=review.url,
        author=author,
        rating=rating_to_five(review.rating),
        rating_raw=raw_rating(review.rating),
        likes=review.helpful_votes or 0,
        language=(review.lang or "")[:8],
        owner_reply_text=answer.text if answer is not None else "",
        owner_reply_at=answered_at,
        raw=raw,
    )


def _error_for(response: httpx.Response, key: str) -> ConnectorError:
    status = response.status_code
    message = _platform_message(response).replace(key, "***") if key else _platform_message(response)
    text = f"Tripadvisor HTTP {status}: {message}" if message else f"Tripadvisor HTTP {status}"
    if status == 429:
        return RateLimited(text, retry_after=retry_after(response, DEFAULT_RETRY_AFTER))
    if status in {401, 403}:
        # An unknown key, or one bound to other domains or addresses than this server's.
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text)
    return ConnectorError(text, permanent=True)


def _platform_message(response: httpx.Response) -> str:
    """The message of Tripadvisor's ``{"error": {"message", "type", "code"}}`` (or ``{"message"}``)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])[:500]
    if isinstance(body.get("message"), str):
        return str(body["message"])[:500]
    return ""


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, PLATFORM)
