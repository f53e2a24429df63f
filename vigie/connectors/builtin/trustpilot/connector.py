"""Trustpilot: the service reviews of one business unit; company replies.

Reviews are read newest first with the API key (``page`` + ``perPage``); the API cannot order or
filter them by update time. Each poll reads back to the newest review of the previous poll minus a
re-scan window (``rescan_days``), so that replies and edits on recent reviews are picked up again.
A review edited later than that (a customer who changes 2 stars to 4 a month after, once the
problem is solved) would never be read again: so once every ``deep_rescan_hours`` a poll reads back
``deep_rescan_days`` (0: every review), and edits of older reviews arrive within a day.

Trustpilot never says a review was deleted: it stops listing it. Each page read proves which
reviews exist within the span of creation times it covers (``Page.complete_ids`` with
``complete_after``/``complete_before``), so a review deleted on Trustpilot is marked deleted in
Vigie at the next poll that reads back to it (within a day for ``deep_rescan_days``).

Replies use the private API with a business-user OAuth token obtained with the client-credentials
grant (API key + secret); the token is kept in memory for its lifetime and renewed once on a 401.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, Field

from vigie.connectors.builtin.trustpilot.schemas import (
    AccessToken,
    BusinessUnit,
    Review,
    ReviewsPage,
)
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
    ReplyResult,
)
from vigie.connectors.http import decode_json, parse_payload, retry_after
from vigie.connectors.normalise import aware_datetime, rating_to_five, raw_rating
from vigie.connectors.platforms import runtime_gettext as _

M = TypeVar("M", bound=BaseModel)
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"  # noqa: S105 - a URL path
PUBLIC_REVIEW_URL = "https://www.trustpilot.com/reviews/{id}"
PROFILE_URL = "https://www.trustpilot.com/users/{id}"
# Trustpilot recommends at most 833 calls per 5 minutes: without a hint, wait a minute.
DEFAULT_RETRY_AFTER = 60.0


class TrustpilotConfig(ConnectorConfig):
    """The business unit to read and, for replies, the OAuth client and the replying user."""

    api_key: str = Field(description="Clé d'API (API key)", json_schema_extra={"secret": True})
    business_unit_id: str = Field(description="Identifiant de l'entreprise (business unit id)")
    api_secret: str = Field(
        default="",
        description="Secret d'API, nécessaire pour répondre",
        json_schema_extra={"secret": True},
    )
    business_user_id: str = Field(
        default="", description="Identifiant de l'utilisateur qui signe les réponses"
    )
    token_url: str = Field(default="", description="Adresse du jeton OAuth (vide : celle de Trustpilot)")
    per_page: int = Field(default=100, ge=1, le=100)
    rescan_days: int = Field(default=7, ge=0, le=90, description="Jours relus à chaque passage")
    deep_rescan_days: int = Field(
        default=365, ge=0, le=3650, description="Jours relus lors de la relecture profonde (0 : tout)"
    )
    deep_rescan_hours: int = Field(
        default=24, ge=1, le=24 * 30, description="Heures entre deux relectures profondes"
    )


class TrustpilotConnector(Connector[TrustpilotConfig]):
    """Reads a business unit's service reviews; publishes and deletes the company reply."""

    slug: ClassVar[str] = "trustpilot"
    label: ClassVar[str] = "Trustpilot"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.FETCH,
            Capability.REPLY,
            Capability.EDIT_REPLY,
            Capability.DELETE_REPLY,
            Capability.DETECTS_DELETIONS,
        }
    )
    Config: ClassVar[type[ConnectorConfig]] = TrustpilotConfig
    default_poll_seconds: ClassVar[int] = 1800
    default_base_url: ClassVar[str] = "https://api.trustpilot.com"
    kind: ClassVar[PlatformKind] = PlatformKind.REVIEWS
    # A review holds one company reply: a second call replaces it, so a retry is harmless.
    # Trustpilot documents no length limit for it, so none is declared.
    reply_replaces: ClassVar[bool] = True
    reply_idempotent: ClassVar[bool] = True

    def __init__(self, config: TrustpilotConfig, http: httpx.Client | None = None) -> None:
        super().__init__(config, http)
        self._token: str = ""
        self._token_expires_at: float = 0.0

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """Read the business unit with the API key, and get a token when replies are configured."""
        unit = _model(BusinessUnit, self._public("GET", f"/v1/business-units/{self.config.business_unit_id}"))
        names = {"name": unit.displayName or unit.id, "id": unit.id}
        if self.config.api_secret:
            self._access_token(renew=True)
            return _("%(name)s (%(id)s), réponses activées") % names
        return "{name} ({id})".format(**names)

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one page of reviews, newest first, down to the re-scan window."""
        since = _optional_time(cursor.get("since"))
        run_newest = _optional_time(cursor.get("run_newest"))
        page_number = cursor.get("page")
        if not isinstance(page_number, int) or page_number < 1:
            page_number = 1
        deep_at = _optional_time(cursor.get("deep_at"))
        now = datetime.now(tz=UTC)
        deep = bool(cursor.get("deep")) if page_number > 1 else _deep_due(deep_at, now, self.config)
        floor = self._floor(since, deep)

        data = self._public(
            "GET",
            f"/v1/business-units/{self.config.business_unit_id}/reviews",
            params={"page": page_number, "perPage": self.config.per_page, "orderBy": "createdat.desc"},
        )
        page = _model(ReviewsPage, data)
        raw_reviews = data.get("reviews") or []
        items: list[MentionIn] = []
        listed: list[MentionIn] = []
        reached_floor = False
        for review, raw in zip(page.reviews, raw_reviews, strict=True):
            mention = _to_mention(review, raw)
            listed.append(mention)
            if floor is not None and mention.created_at < floor:
                reached_floor = True
                continue
            items.append(mention)
            run_newest = max(run_newest, mention.created_at) if run_newest else mention.created_at

        has_next_link = any(link.rel == "next-page" for link in page.links)
        more = (
            bool(page.reviews)
            and not reached_floor
            and (has_next_link or len(page.reviews) >= self.config.per_page)
        )
        span = _listed_span(listed, first_page=page_number == 1)
        if more:
            state: dict[str, Any] = {
                "page": page_number + 1,
                "since": _iso(since),
                "run_newest": _iso(run_newest),
                "deep": deep,
                "deep_at": _iso(deep_at),
            }
            return Page(items=items, next_cursor=state, has_more=True, **span)
        newest = max(filter(None, [since, run_newest])) if (since or run_newest) else None
        done = {"since": _iso(newest), "deep_at": _iso(now if deep else deep_at)}
        return Page(items=items, next_cursor=done, has_more=False, **span)

    def _floor(self, since: datetime | None, deep: bool) -> datetime | None:
        """The oldest creation time this run reads back to (None: every review)."""
        if since is None:
            return None
        if deep:
            days = self.config.deep_rescan_days
            return since - timedelta(days=days) if days else None
        return since - timedelta(days=self.config.rescan_days)

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Publish (or replace) the company reply; a review holds one reply, so a retry is harmless."""
        if not self.config.business_user_id:
            raise ConnectorError(
                "Trustpilot replies need business_user_id in the configuration", permanent=True
            )
        body = {"authorBusinessUserId": self.config.business_user_id, "message": text}
        data = self._private("POST", f"/v1/private/reviews/{mention.external_id}/reply", json=body)
        return ReplyResult(
            external_id=mention.external_id,
            url=PUBLIC_REVIEW_URL.format(id=mention.external_id),
            raw=data if isinstance(data, dict) else {},
        )

    def delete_reply(self, mention: MentionIn, reply_external_id: str) -> None:
        """Remove the company reply; one already gone counts as deleted."""
        try:
            self._private("DELETE", f"/v1/private/reviews/{mention.external_id}/reply")
        except ConnectorError as exc:
            if "HTTP 404" not in exc.message:
                raise

    # --- HTTP -------------------------------------------------------------------------------

    def _public(self, method: str, path: str, *, params: dict[str, Any] | None = None) -> Any:
        response = self._send(
            method, f"{self.base_url}{path}", params=params, headers={"apikey": self.config.api_key}
        )
        return _json(response)

    def _private(self, method: str, path: str, *, json: dict[str, Any] | None = None) -> Any:
        if not self.config.api_secret:
            raise ConnectorError("Trustpilot replies need api_secret in the configuration", permanent=True)
        for attempt in range(2):
            token = self._access_token(renew=attempt > 0)
            headers = {"Authorization": f"Bearer {token}"}
            try:
                response = self._send(method, f"{self.base_url}{path}", json=json, headers=headers)
            except ConnectorError as exc:
                # A token revoked or expired early: get a fresh one once, then give up.
                if exc.needs_reauth and attempt == 0:
                    continue
                raise
            return _json(response) if response.content.strip() else {}
        raise AssertionError("unreachable")  # pragma: no cover

    def _access_token(self, *, renew: bool = False) -> str:
        if self._token and not renew and time.monotonic() < self._token_expires_at:
            return self._token
        url = self.config.token_url or f"{self.base_url}{TOKEN_PATH}"
        response = self._send(
            "POST",
            url,
            data={"grant_type": "client_credentials"},
            auth=(self.config.api_key, self.config.api_secret),
            token_request=True,
        )
        token = _model(AccessToken, _json(response))
        self._token = token.access_token
        try:
            lifetime = float(token.expires_in or 3600)
        except ValueError:
            lifetime = 3600.0
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
        auth: tuple[str, str] | None = None,
        token_request: bool = False,
    ) -> httpx.Response:
        all_headers = {"Accept": "application/json", **(headers or {})}
        try:
            response = self.http.request(
                method, url, params=params, json=json, data=data, headers=all_headers, auth=auth
            )
        except httpx.HTTPError as exc:
            host = urlsplit(url).netloc
            raise ConnectorError(f"Trustpilot unreachable at {host} ({type(exc).__name__})") from None
        if response.status_code >= 400:
            raise _error_for(response, token_request=token_request)
        return response


def _error_for(response: httpx.Response, *, token_request: bool) -> ConnectorError:
    status = response.status_code
    message = _platform_message(response)
    text = f"Trustpilot HTTP {status}: {message}" if message else f"Trustpilot HTTP {status}"
    if status == 404:
        # Said to people (a connection test, a source's last error): a sentence, not "no such route".
        # It keeps "HTTP 404", which ``delete_reply`` looks for.
        if token_request:
            text = _(
                "Trustpilot ne connaît pas cette adresse (HTTP 404) : vérifiez l'adresse du jeton OAuth."
            )
        elif "/business-units/" in response.request.url.path:
            text = _(
                "Trustpilot ne connaît pas cette adresse (HTTP 404) : vérifiez l'identifiant de l'entreprise."
            )
        else:
            text = _("Trustpilot ne connaît pas cette adresse (HTTP 404) : l'avis a peut-être été supprimé.")
    if status == 429:
        return RateLimited(text, retry_after=retry_after(response, DEFAULT_RETRY_AFTER))
    if status == 401 or (token_request and status in {400, 403}):
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text, permanent=False)
    return ConnectorError(text, permanent=True)


def _platform_message(response: httpx.Response) -> str:
    """The human message of Trustpilot's error bodies (their API gateway and their API differ)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    fault = body.get("fault")
    if isinstance(fault, dict) and fault.get("faultstring"):
        return str(fault["faultstring"])[:500]
    for key in ("message", "error_description", "details", "error"):
        if isinstance(body.get(key), str) and body[key]:
            return str(body[key])[:500]
    return ""


def _listed_span(listed: list[MentionIn], *, first_page: bool) -> dict[str, Any]:
    """What a page of the newest-first listing proves about deletions (``Page.complete_ids``).

    Every review created strictly between the oldest and the newest of the page is on it (the first
    page also holds every review newer than its newest), so a stored review of that span missing
    from it was deleted on Trustpilot. The bounds are strict: reviews sharing the boundary time may
    sit on the neighbouring page, and a review deleted meanwhile on an earlier page shifts the
    pages (``page`` is an offset), which moves reviews across a boundary, never inside a span. An
    empty page proves nothing (a glitch must not mark every review deleted).
    """
    if not listed:
        return {}
    times = [mention.created_at for mention in listed]
    return {
        "complete_ids": frozenset(mention.external_id for mention in listed),
        "complete_after": min(times),
        "complete_before": None if first_page else max(times),
    }


def _deep_due(deep_at: datetime | None, now: datetime, config: TrustpilotConfig) -> bool:
    return deep_at is None or now - deep_at >= timedelta(hours=config.deep_rescan_hours)


def _optional_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return aware_datetime(value)
    except ValueError:
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _to_mention(review: Review, raw: dict[str, Any]) -> MentionIn:
    """A Trustpilot service review as a ``MentionIn`` (times without offset are UTC)."""
    consumer = review.consumer
    author = (
        AuthorIn(
            # A consumer without an id (a deleted profile) is this review's author alone.
            external_id=consumer.id or f"review:{review.id}",
            handle=consumer.id,
            display_name=consumer.displayName,
            profile_url=PROFILE_URL.format(id=consumer.id) if consumer.id else "",
        )
        if consumer is not None and (consumer.id or consumer.displayName)
        else None
    )
    reply = review.companyReply
    reply_at = (reply.updatedAt or reply.createdAt) if reply else None
    try:
        created_at = aware_datetime(review.createdAt)
    except ValueError:
        raise ConnectorError(f"Trustpilot review {review.id}: unreadable createdAt") from None
    return MentionIn(
        external_id=review.id,
        kind="review",
        created_at=created_at,
        title=review.title or "",
        text=review.text or "",
        url=PUBLIC_REVIEW_URL.format(id=review.id),
        author=author,
        rating=rating_to_five(review.stars),
        rating_raw=raw_rating(review.stars),
        likes=review.numberOfLikes,
        language=review.language or "",
        owner_reply_text=reply.text if reply else "",
        owner_reply_at=_optional_time(reply_at),
        raw=raw,
    )


def _json(response: httpx.Response) -> Any:
    return decode_json(response, "Trustpilot")


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, "Trustpilot")
