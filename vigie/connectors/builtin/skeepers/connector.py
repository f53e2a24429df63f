"""Skeepers (Avis Vérifiés, Verified Reviews): the product and site reviews of one website.

Reviews are read from the Published API (``/products/reviews`` then ``/brands/reviews``), newest
first, ``limit`` 200 with an opaque ``cursor``; each poll reads back to the newest review of the
previous poll minus ``RESCAN_DAYS``, so an answer the merchant wrote in the back office days
later is read again. Only published (moderated) reviews are exposed by the API.

Authentication is an OAuth 2.0 client-credentials grant (``audience=verified-reviews``); the token
is kept in memory for its lifetime and renewed once on a 401.

Skeepers has no public endpoint to publish the merchant's answer (it is written in the back office):
the connector does not claim to reply, and the agent copies the answer and opens the back office.
Where Skeepers' public documentation stops (the key names of a review, where the next cursor is
given), what the connector assumes is written in doc.md.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, tzinfo
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import BaseModel, Field, field_validator

from vigie.connectors.builtin.skeepers.schemas import Comment, Review, TokenResponse
from vigie.connectors.contract import (
    AuthorIn,
    Capability,
    Connector,
    ConnectorConfig,
    ConnectorError,
    Item,
    MentionIn,
    Page,
    PlatformKind,
    RateLimited,
)
from vigie.connectors.http import decode_json, parse_payload, retry_after
from vigie.connectors.normalise import aware_datetime, rating_to_five, raw_rating
from vigie.connectors.platforms import gettext_noop

M = TypeVar("M", bound=BaseModel)
Stream = Literal["products", "brands"]
PLATFORM = "Skeepers"
API_PATH = "/verified-reviews/v1/published"
TOKEN_PATH = "/realms/skeepers/protocol/openid-connect/token"  # noqa: S105 - a URL path
SKEEPERS_AUTH = "https://auth.skeepers.io"
BACK_OFFICE_URL = "https://app.netreviews.eu/"
AUDIENCE = "verified-reviews"
PAGE_SIZE = 200
RESCAN_DAYS = 30
# Skeepers announces "fair usage" throttling without figures: without a hint, wait a minute.
DEFAULT_RETRY_AFTER = 60.0
STREAMS: tuple[Stream, ...] = ("products", "brands")
# Who wrote a message of the exchange: the merchant's answers are the owner's reply.
MERCHANT_ORIGINS = {"merchant", "brand", "shop", "website", "2"}
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class SkeepersConfig(ConnectorConfig):
    """The website whose reviews are read, and the API account created in the back office."""

    client_id: str = Field(description="Identifiant client de l'API (Client ID)")
    client_secret: str = Field(description="Secret client de l'API", json_schema_extra={"secret": True})
    website_id: str = Field(description="Identifiant du site (website ID)")

    @field_validator("website_id")
    @classmethod
    def _website(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9A-Za-z-]{1,64}", value):
            raise ValueError("expected the website id shown in the back office (a UUID)")
        return value


class SkeepersConnector(Connector[SkeepersConfig]):
    """Reads product and site reviews with the merchant's answer; answers are copied and opened."""

    slug: ClassVar[str] = "skeepers"
    label: ClassVar[str] = gettext_noop("Avis Vérifiés (Skeepers)")
    # Customers know the review site, not the company behind it.
    public_label: ClassVar[str] = "Avis Vérifiés"
    # Read only: the public API offers no way to publish or delete the merchant's answer.
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.FETCH})
    Config: ClassVar[type[ConnectorConfig]] = SkeepersConfig
    default_poll_seconds: ClassVar[int] = 3600
    default_base_url: ClassVar[str] = "https://api.skeepers.io"
    kind: ClassVar[PlatformKind] = PlatformKind.REVIEWS

    @classmethod
    def item_url(cls, item: Item) -> str:
        # A site review has no public page of its own; the answer is written in the back office.
        return item.url or BACK_OFFICE_URL

    def __init__(self, config: SkeepersConfig, http: httpx.Client | None = None) -> None:
        super().__init__(config, http)
        self._token = ""
        self._token_expires_at = 0.0

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        from django.utils.translation import gettext  # connectors load without Django

        self._api("GET", "/brands/reviews", params=self._params(limit=1))
        return gettext(
            "site %(website)s : avis produits et avis sur le site ; les réponses s'écrivent dans "
            "l'espace Skeepers (copier puis ouvrir)."
        ) % {"website": self.config.website_id}

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one page of product reviews, then of site reviews, down to the re-scan window."""
        stream: Stream = "brands" if cursor.get("stream") == "brands" else "products"
        stored = cursor.get("since")
        since_by_stream: dict[str, Any] = dict(stored) if isinstance(stored, dict) else {}
        since = _optional_time(since_by_stream.get(stream))
        run_newest = _optional_time(cursor.get("run_newest"))
        page_cursor = cursor.get("cursor")
        if not isinstance(page_cursor, str):
            page_cursor = ""

        response = self._api("GET", f"/{stream}/reviews", params=self._params(cursor=page_cursor))
        raw_reviews, next_cursor = _reviews_and_cursor(response)
        floor = since - timedelta(days=RESCAN_DAYS) if since else None
        items: list[MentionIn] = []
        reached_floor = False
        for raw in raw_reviews:
            mention = _to_mention(_model(Review, raw), raw, stream, self.local_zone)
            if floor is not None and mention.created_at < floor:
                reached_floor = True
                continue
            items.append(mention)
            run_newest = max(run_newest, mention.created_at) if run_newest else mention.created_at

        # A cursor that comes back unchanged would serve the same page forever: the walk ends.
        if next_cursor and next_cursor != page_cursor and raw_reviews and not reached_floor:
            state = {
                "stream": stream,
                "cursor": next_cursor,
                "since": since_by_stream,
                "run_newest": _iso(run_newest),
            }
            return Page(items=items, next_cursor=state, has_more=True)
        newest = max(filter(None, [since, run_newest])) if (since or run_newest) else None
        done = {**since_by_stream, stream: _iso(newest)}
        if stream == "products":
            return Page(items=items, next_cursor={"stream": "brands", "since": done}, has_more=True)
        return Page(items=items, next_cursor={"since": done}, has_more=False)

    def _params(self, *, cursor: str = "", limit: int = PAGE_SIZE) -> dict[str, Any]:
        params: dict[str, Any] = {
            "website_id": self.config.website_id,
            "limit": limit,
            "sort": "-publish_date",
        }
        if cursor:
            params["cursor"] = cursor
        return params

    # --- HTTP -------------------------------------------------------------------------------

    def _api(self, method: str, path: str, *, params: dict[str, Any] | None = None) -> httpx.Response:
        url = f"{self.base_url}{API_PATH}{path}"
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {self._access_token(renew=attempt > 0)}"}
            try:
                return self._send(method, url, params=params, headers=headers)
            except ConnectorError as exc:
                # A token revoked or expired early: get a fresh one once, then give up.
                if exc.needs_reauth and attempt == 0:
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _token_url(self) -> str:
        # One address for every host: with base_url set, the token comes from there too.
        return f"{(self.config.base_url or SKEEPERS_AUTH).rstrip('/')}{TOKEN_PATH}"

    def _access_token(self, *, renew: bool = False) -> str:
        if self._token and not renew and time.monotonic() < self._token_expires_at:
            return self._token
        response = self._send(
            "POST",
            self._token_url(),
            data={"grant_type": "client_credentials", "audience": AUDIENCE},
            auth=(self.config.client_id, self.config.client_secret),
            token_request=True,
        )
        token = _model(TokenResponse, decode_json(response, PLATFORM))
        try:
            lifetime = float(token.expires_in or 300)
        except ValueError:
            lifetime = 300.0
        self._token = token.access_token
        self._token_expires_at = time.monotonic() + max(lifetime - 30, 0)
        return self._token

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        token_request: bool = False,
    ) -> httpx.Response:
        all_headers = {"Accept": "application/json", **(headers or {})}
        try:
            response = self.http.request(
                method, url, params=params, data=data, headers=all_headers, auth=auth
            )
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"Skeepers unreachable at {urlsplit(url).netloc} ({type(exc).__name__})"
            ) from None
        if response.status_code >= 400:
            raise _error_for(response, token_request=token_request)
        return response


def _reviews_and_cursor(response: httpx.Response) -> tuple[list[dict[str, Any]], str]:
    """The reviews of a page and the cursor of the next one.

    The Published API answers a JSON array; the next cursor is read from an ``X-Next-Cursor``
    header or a ``Link: <…?cursor=…>; rel="next"`` header. An object ``{"data": [...],
    "next_cursor": ...}`` is read too (see doc.md: where Skeepers gives the cursor is not
    documented publicly).
    """
    body = decode_json(response, PLATFORM)
    cursor = response.headers.get("x-next-cursor", "").strip()
    link = _LINK_NEXT.search(response.headers.get("link", ""))
    if not cursor and link:
        cursor = (parse_qs(urlsplit(link.group(1)).query).get("cursor") or [""])[-1]
    if isinstance(body, dict):
        reviews = body.get("data")
        cursor = cursor or str(body.get("next_cursor") or "")
    else:
        reviews = body
    if not isinstance(reviews, list) or not all(isinstance(r, dict) for r in reviews):
        raise ConnectorError("Skeepers sent reviews that are not a list of objects")
    return reviews, cursor


def _to_mention(review: Review, raw: dict[str, Any], stream: Stream, local_zone: tzinfo) -> MentionIn:
    # Skeepers writes its dates without an offset ("2026-03-29 10:15:00"), in local time: they
    # are read in the source's timezone (its location's, else its organisation's).
    try:
        created_at = aware_datetime(review.publish_date, local_zone)
    except ValueError:
        raise ConnectorError(f"Skeepers review {review.review_id}: unreadable publish_date") from None
    answer = _merchant_answer(review.comments)
    customer = review.customer
    name = " ".join(p for p in (customer.first_name, customer.last_name) if p) if customer else ""
    product = review.product
    facets = {
        "review_type": "product" if stream == "products" else "site",
        # Only published reviews come through the API: that is the status when none is given.
        "moderation_status": (review.moderation_status or "published").lower(),
        "product_id": product.product_variation_id if product else "",
        "product_name": product.name if product else "",
    }
    return MentionIn(
        external_id=review.review_id,
        kind="review",
        created_at=created_at,
        title=review.review_title or "",
        text=review.review_content or "",
        url=product.url if product and stream == "products" else "",
        # Customers are anonymised ("Marie D."): one author per review, so namesakes never merge.
        author=AuthorIn(external_id=f"review:{review.review_id}", display_name=name) if name else None,
        rating=rating_to_five(review.review_rate),
        rating_raw=raw_rating(review.review_rate),
        language=(review.language or "")[:8].lower(),
        owner_reply_text=answer.content if answer else "",
        owner_reply_at=_optional_time(answer.comment_date, local_zone) if answer else None,
        raw={**raw, "vigie": facets},
    )


def _merchant_answer(comments: list[Comment]) -> Comment | None:
    answers = [c for c in comments if c.origin.strip().lower() in MERCHANT_ORIGINS and c.content]
    return answers[-1] if answers else None


def _optional_time(value: Any, local_zone: tzinfo | None = None) -> datetime | None:
    if not value:
        return None
    try:
        return aware_datetime(value, local_zone)
    except ValueError:
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _error_for(response: httpx.Response, *, token_request: bool) -> ConnectorError:
    status = response.status_code
    message = _platform_message(response)
    text = f"Skeepers HTTP {status}: {message}" if message else f"Skeepers HTTP {status}"
    if status == 429:
        return RateLimited(text, retry_after=retry_after(response, DEFAULT_RETRY_AFTER))
    if status == 401 or (token_request and status in {400, 403}):
        return ConnectorError(text, needs_reauth=True)
    if status == 403:
        # The API account may not read this website.
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text)
    return ConnectorError(text, permanent=True)


def _platform_message(response: httpx.Response) -> str:
    """Keycloak's ``error_description`` or the API's ``message`` / ``error``."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    for key in ("error_description", "message", "detail", "error"):
        if isinstance(body.get(key), str) and body[key]:
            return str(body[key])[:500]
    return ""


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, PLATFORM)
