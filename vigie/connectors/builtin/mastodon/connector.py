"""Mastodon: mention notifications, hashtag timelines and keyword search on any instance; replies.

One poll walks every stream in turn (mentions, then each hashtag, then each keyword), one page per
``fetch`` call, and asks for the next page right away (``has_more``) until the last stream is done.
The cursor keeps, per stream, the newest id already read, so the next poll asks only for newer
items (``since_id`` for notifications and hashtag timelines, ``min_id`` for search).

Those endpoints never show a status again, so an edit or a deletion would go unseen: at the end of
each poll the ``WATCHED`` newest statuses read are asked for again, one ``GET /api/v1/statuses/:id``
each; a 404 marks the mention deleted, an answer stores an edit (a new version). A check that fails
otherwise (a rate limit) is left for the next poll and never fails this one.

Hashtags are read from the hashtag timeline (``/api/v1/timelines/tag/:hashtag``), which holds every
public status of the tag the instance knows. ``/api/v2/search`` only covers the statuses of
accounts that opted in to search: on a real instance it returned 1 of 6 tagged posts.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qs, quote, urlsplit

import httpx
from pydantic import BaseModel, Field, ValidationError, field_validator

from vigie.connectors.builtin.mastodon.schemas import (
    Account,
    ApiError,
    Notification,
    SearchResults,
    Status,
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
from vigie.connectors.normalise import aware_datetime, estimate_reach, html_to_text, sanitise_html
from vigie.connectors.platforms import runtime_gettext as _

NOTIFICATIONS_LIMIT = 40
SEARCH_LIMIT = 40
TIMELINE_LIMIT = 40
# A stream read for the first time goes back this many pages, not to the beginning of the tag.
FIRST_READ_PAGES = 5
# Mastodon's default window is 300 requests per 5 minutes: without a hint, wait for a full window.
DEFAULT_RETRY_AFTER = 300.0
# Statuses asked for again at the end of each poll (one request each) for edits and deletions.
WATCHED = 10
MENTIONS = "mentions"
M = TypeVar("M", bound=BaseModel)
_Params = list[tuple[str, str | int | float | bool | None]]
_LINK = re.compile(r"<([^>]+)>\s*;\s*rel=\"?([a-z]+)\"?")


class MastodonConfig(ConnectorConfig):
    """The instance, the organisation's access token and what to follow."""

    base_url: str = Field(description="Adresse de l'instance, par exemple https://mastodon.social")
    access_token: str = Field(
        description="Jeton d'accès de l'application (portées read et write:statuses)",
        json_schema_extra={"secret": True},
    )
    keywords: list[str] = Field(default_factory=list, description="Mots-clés recherchés")
    hashtags: list[str] = Field(default_factory=list, description="Mots-dièse suivis, sans le #")
    include_mentions: bool = Field(default=True, description="Lire les mentions du compte")
    reply_visibility: str = Field(default="public", description="Visibilité des réponses publiques")

    @field_validator("base_url")
    @classmethod
    def _instance_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("the instance address must start with https://")
        return value.rstrip("/")

    @field_validator("keywords", "hashtags")
    @classmethod
    def _clean_terms(cls, values: list[str]) -> list[str]:
        cleaned = [value.strip().lstrip("#").strip() for value in values]
        return [value for value in dict.fromkeys(cleaned) if value]

    @field_validator("reply_visibility")
    @classmethod
    def _visibility(cls, value: str) -> str:
        if value not in {"public", "unlisted", "private", "direct"}:
            raise ValueError("visibility is one of public, unlisted, private, direct")
        return value


class MastodonConnector(Connector[MastodonConfig]):
    """Reads an instance's mentions and searches; answers with ``in_reply_to_id``."""

    slug: ClassVar[str] = "mastodon"
    label: ClassVar[str] = "Mastodon"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.FETCH,
            Capability.REPLY,
            Capability.EDIT_REPLY,
            Capability.DELETE_REPLY,
            Capability.POST,
            Capability.DETECTS_DELETIONS,
        }
    )
    Config: ClassVar[type[ConnectorConfig]] = MastodonConfig
    default_poll_seconds: ClassVar[int] = 300
    kind: ClassVar[PlatformKind] = PlatformKind.SOCIAL
    # A reply is a new status (an edit deletes it and posts again); the instance keeps the
    # Idempotency-Key for an hour, so a retry with the same key cannot post twice.
    reply_idempotent: ClassVar[bool] = True
    # The instance default (an instance may allow more); every link counts 23.
    reply_limit: ClassVar[LengthLimit | None] = LengthLimit(500, "characters", url_weight=23)

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """Check the token with ``verify_credentials`` and name the account reached."""
        data = self._call("GET", "/api/v1/accounts/verify_credentials")
        account = _model(Account, data)
        handle = f"@{account.acct or account.username}"
        if account.followers_count is None:
            return _("%(handle)s sur %(host)s") % {"handle": handle, "host": self._host}
        return _("%(handle)s sur %(host)s, %(followers)s abonnés") % {
            "handle": handle,
            "host": self._host,
            "followers": account.followers_count,
        }

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one page of the current stream; see the module docstring for the walk."""
        streams = self._streams()
        if not streams:
            return Page(items=[], next_cursor=dict(cursor), has_more=False)
        index = cursor.get("stream", 0)
        if not isinstance(index, int) or not 0 <= index < len(streams):
            index = 0
        key = streams[index]
        since: dict[str, str] = dict(cursor.get("since") or {})
        pending = cursor.get("page") or {}
        if pending.get("key") != key:
            pending = {}

        if key == MENTIONS:
            items, page_newest, next_state = self._mentions_page(since.get(key), pending)
        elif key.startswith("#"):
            items, page_newest, next_state = self._tag_page(key[1:], since.get(key), pending)
        else:
            items, page_newest, next_state = self._search_page(key, since.get(key), pending)
        newest = _newest_id(pending.get("newest"), page_newest)
        # What the end of this poll checks: the statuses watched when it began (those it reads
        # itself are as fresh as can be).
        stored = cursor.get("watch")
        previous: dict[str, Any] = stored if isinstance(stored, dict) else {}
        starting = index == 0 and not cursor.get("page")
        check = list(previous) if starting else [str(i) for i in cursor.get("check") or []]
        watch = _watched(previous, items)

        if next_state is not None:
            page_state = {"key": key, "newest": newest, **next_state}
            state = {"stream": index, "since": since, "page": page_state, "watch": watch, "check": check}
            return Page(items=items, next_cursor=state, has_more=True)
        # This stream is read up to now: remember its newest id, move on to the next stream.
        if newest:
            since[key] = newest
        if index + 1 < len(streams):
            state = {"stream": index + 1, "since": since, "watch": watch, "check": check}
            return Page(items=items, next_cursor=state, has_more=True)
        checked, watch = self._check(watch, set(check) - {item.external_id for item in items})
        return Page(
            items=items + checked, next_cursor={"stream": 0, "since": since, "watch": watch}, has_more=False
        )

    def _check(self, watch: dict[str, str], wanted: set[str]) -> tuple[list[MentionIn], dict[str, str]]:
        """The ``wanted`` watched statuses as the instance has them now (deleted ones marked so),
        and what stays watched."""
        found: list[MentionIn] = []
        kept = dict(watch)
        for status_id, created in watch.items():
            if status_id not in wanted:
                continue
            try:
                data = self._call("GET", f"/api/v1/statuses/{quote(status_id, safe='')}")
            except ConnectorError as exc:
                if "HTTP 404" in exc.message:
                    found.append(
                        MentionIn(
                            external_id=status_id,
                            kind="post",
                            created_at=aware_datetime(created),
                            deleted=True,
                        )
                    )
                    kept.pop(status_id)
                    continue
                break  # throttled or unreachable: the rest waits for the next poll
            if isinstance(data, dict):
                found.append(_to_mention(_model(Status, data), data))
        return found, kept

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Post a public answer under ``mention``; Mastodon keeps the idempotency key for an hour."""
        handle = mention.author.handle if mention.author else ""
        if handle and f"@{handle}".lower() not in text.lower():
            # Without the mention the author is not notified of the answer.
            text = f"@{handle} {text}"
        body: dict[str, Any] = {
            "status": text,
            "in_reply_to_id": mention.external_id,
            "visibility": self._reply_visibility(mention),
        }
        if mention.language:
            body["language"] = mention.language[:2]
        data = self._call("POST", "/api/v1/statuses", json=body, headers={"Idempotency-Key": idempotency_key})
        status = _model(Status, data)
        return ReplyResult(external_id=status.id, url=status.url or status.uri, raw=data)

    def publish_post(self, text: str, *, idempotency_key: str) -> ReplyResult:
        """Post a public status of the organisation's account (a crisis statement); the
        idempotency key makes a retry within the hour return the same status, never a second."""
        body: dict[str, Any] = {"status": text, "visibility": "public"}
        data = self._call("POST", "/api/v1/statuses", json=body, headers={"Idempotency-Key": idempotency_key})
        status = _model(Status, data)
        return ReplyResult(external_id=status.id, url=status.url or status.uri, raw=data)

    def delete_reply(self, mention: MentionIn, reply_external_id: str) -> None:
        """Delete our answer; one already gone counts as deleted."""
        try:
            self._call("DELETE", f"/api/v1/statuses/{reply_external_id}")
        except ConnectorError as exc:
            if "HTTP 404" not in exc.message:
                raise

    # --- streams ----------------------------------------------------------------------------

    def _streams(self) -> list[str]:
        streams = [MENTIONS] if self.config.include_mentions else []
        streams += [f"#{tag}" for tag in self.config.hashtags]
        streams += [f"q:{keyword}" for keyword in self.config.keywords]
        return streams

    def _mentions_page(
        self, since_id: str | None, pending: dict[str, Any]
    ) -> tuple[list[MentionIn], str | None, dict[str, Any] | None]:
        params: _Params = [("types[]", "mention"), ("limit", NOTIFICATIONS_LIMIT)]
        if since_id:
            params.append(("since_id", since_id))
        if pending.get("max_id"):
            params.append(("max_id", pending["max_id"]))
        response = self._send("GET", "/api/v1/notifications", params=params)
        data = _json(response)
        if not isinstance(data, list):
            raise ConnectorError("Mastodon notifications: expected a JSON list")
        notifications = [_model(Notification, entry) for entry in data]
        items = [
            _to_mention(note.status, raw, note.account)
            for note, raw in zip(notifications, data, strict=True)
            if note.type == "mention" and note.status is not None
        ]
        newest = _newest_id(None, *(note.id for note in notifications))
        return items, newest, _next_page(response, bool(notifications), since_id, pending)

    def _tag_page(
        self, tag: str, since_id: str | None, pending: dict[str, Any]
    ) -> tuple[list[MentionIn], str | None, dict[str, Any] | None]:
        params: _Params = [("limit", TIMELINE_LIMIT)]
        if since_id:
            params.append(("since_id", since_id))
        if pending.get("max_id"):
            params.append(("max_id", pending["max_id"]))
        response = self._send("GET", f"/api/v1/timelines/tag/{quote(tag, safe='')}", params=params)
        data = _json(response)
        if not isinstance(data, list):
            raise ConnectorError("Mastodon hashtag timeline: expected a JSON list")
        statuses = [_model(Status, entry) for entry in data]
        items = [_to_mention(status, raw) for status, raw in zip(statuses, data, strict=True)]
        newest = _newest_id(None, *(status.id for status in statuses))
        return items, newest, _next_page(response, bool(statuses), since_id, pending)

    def _search_page(
        self, key: str, since_id: str | None, pending: dict[str, Any]
    ) -> tuple[list[MentionIn], str | None, dict[str, Any] | None]:
        query = key[2:] if key.startswith("q:") else key
        offset = int(pending.get("offset") or 0)
        params: _Params = [
            ("q", query),
            ("type", "statuses"),
            ("limit", SEARCH_LIMIT),
            ("offset", offset),
            ("resolve", "false"),
        ]
        if since_id:
            params.append(("min_id", since_id))
        data = _json(self._send("GET", "/api/v2/search", params=params))
        results = _model(SearchResults, data)
        raw_statuses = (data.get("statuses") or []) if isinstance(data, dict) else []
        items = [_to_mention(status, raw) for status, raw in zip(results.statuses, raw_statuses, strict=True)]
        newest = _newest_id(None, *(status.id for status in results.statuses))
        more = len(results.statuses) >= SEARCH_LIMIT
        return items, newest, ({"offset": offset + len(results.statuses)} if more else None)

    def _reply_visibility(self, mention: MentionIn) -> str:
        # Never answer a private or direct message in public.
        original = str(mention.raw.get("visibility") or "")
        if original in {"private", "direct"}:
            return original
        return self.config.reply_visibility

    # --- HTTP -------------------------------------------------------------------------------

    @property
    def _host(self) -> str:
        return urlsplit(self.base_url).netloc

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        return _json(self._send(method, path, json=json, headers=headers))

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: _Params | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = {"Authorization": f"Bearer {self.config.access_token}", "Accept": "application/json"}
        all_headers.update(headers or {})
        try:
            response = self.http.request(
                method, f"{self.base_url}{path}", params=params, json=json, headers=all_headers
            )
        except httpx.HTTPError as exc:
            # The exception text may carry the URL; the name of the failure is enough.
            raise ConnectorError(
                f"Mastodon instance {self._host} unreachable ({type(exc).__name__})"
            ) from None
        if response.status_code >= 400:
            raise _error_for(response)
        return response


def _error_for(response: httpx.Response) -> ConnectorError:
    """The ``ConnectorError`` that an HTTP error answer of Mastodon means."""
    status = response.status_code
    message = _platform_message(response)
    text = f"Mastodon HTTP {status}: {message}" if message else f"Mastodon HTTP {status}"
    if status == 429:
        return RateLimited(
            text, retry_after=retry_after(response, DEFAULT_RETRY_AFTER, reset_header="x-ratelimit-reset")
        )
    if status == 401:
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text, permanent=False)
    return ConnectorError(text, permanent=True)


def _platform_message(response: httpx.Response) -> str:
    try:
        error = ApiError.model_validate(response.json())
    except (ValueError, ValidationError):
        return ""
    return (error.error_description or error.error)[:500]


def _next_page(
    response: httpx.Response, got_items: bool, since_id: str | None, pending: dict[str, Any]
) -> dict[str, Any] | None:
    """The state of the next page of a ``Link``-paged list, or None when the walk is over.

    A stream read for the first time stops after ``FIRST_READ_PAGES`` pages: a popular hashtag's
    whole history is not what a desk needs, and the next poll goes on from the newest id.
    """
    next_max_id = _link_param(response.headers.get("link", ""), "next", "max_id")
    if not got_items or next_max_id is None:
        return None
    if next_max_id == pending.get("max_id"):
        # A link that comes back unchanged would serve the same page forever: the stream ends.
        return None
    pages = int(pending.get("pages") or 1)
    if since_id is None and pages >= FIRST_READ_PAGES:
        return None
    return {"max_id": next_max_id, "pages": pages + 1}


def _link_param(link_header: str, rel: str, name: str) -> str | None:
    """The query parameter ``name`` of the ``rel`` link of an HTTP ``Link`` header."""
    for url, link_rel in _LINK.findall(link_header):
        if link_rel == rel:
            values = parse_qs(urlsplit(url).query).get(name)
            if values:
                return values[0]
    return None


def _watched(previous: Any, items: list[MentionIn]) -> dict[str, str]:
    """The ``WATCHED`` newest statuses read so far (id: creation time), for ``_check``."""
    watch = {str(k): str(v) for k, v in previous.items()} if isinstance(previous, dict) else {}
    for item in items:
        if not item.deleted:
            watch[item.external_id] = item.created_at.isoformat()
    newest = sorted(watch, key=_id_order)[-WATCHED:]
    return {status_id: watch[status_id] for status_id in newest}


def _id_order(value: str) -> tuple[int, str]:
    # Mastodon ids are numeric strings of growing length: compare them as numbers.
    return (len(value), value)


def _newest_id(*values: str | None) -> str | None:
    present = [value for value in values if value]
    return max(present, key=_id_order) if present else None


def _to_mention(status: Status, raw: dict[str, Any], sender: Account | None = None) -> MentionIn:
    """A Mastodon status as a ``MentionIn`` (the boosted status when it is a boost).

    ``sender`` is the notification's account: it is the fuller copy of the author (with the
    follower count) when the embedded status carries a trimmed one.
    """
    if status.reblog is not None:
        raw = raw.get("reblog") or raw
        status = status.reblog
    elif "status" in raw and isinstance(raw.get("status"), dict):
        raw = raw["status"]
    account = status.account
    if sender is not None and sender.id == account.id and account.followers_count is None:
        account = sender
    author = AuthorIn(
        external_id=account.id,
        handle=account.acct or account.username,
        display_name=account.display_name or account.username,
        profile_url=account.url or "",
        followers_count=account.followers_count,
    )
    return MentionIn(
        external_id=status.id,
        kind="reply" if status.in_reply_to_id else "post",
        created_at=aware_datetime(status.created_at),
        text=html_to_text(status.content),
        html=sanitise_html(status.content),
        title=status.spoiler_text,
        url=status.url or status.uri,
        author=author,
        parent_external_id=status.in_reply_to_id or "",
        likes=status.favourites_count,
        shares=status.reblogs_count,
        replies_count=status.replies_count,
        reach=estimate_reach(
            account.followers_count, status.favourites_count, status.reblogs_count, status.replies_count
        ),
        language=status.language or "",
        raw=raw,
    )


def _json(response: httpx.Response) -> Any:
    return decode_json(response, "Mastodon")


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, "Mastodon")
