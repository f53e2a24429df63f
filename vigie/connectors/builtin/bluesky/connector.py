"""Bluesky: authenticated keyword search and mentions of the account; replies.

Everything goes through the account's PDS (``base_url``, ``https://bsky.social`` by default), with a
session opened from the handle and an app password (``createSession``). The access JWT lives a
few minutes: it is renewed with ``refreshSession`` before it expires (its ``exp`` claim is read) or
when the server says ``ExpiredToken``; when the refresh token is refused too, a new session is
opened once, and only then is the source marked "needs re-authorisation".

One poll walks every stream in turn (mentions, then each keyword), one page per ``fetch`` call,
following the ``cursor``. Mentions are the account's notifications of reason ``mention``, ``reply``
and ``quote``: search only finds posts that spell out the handle, so a reply in the account's
threads or a quote of its post would be missed. Keywords go through ``searchPosts`` with
``sort=latest``. The cursor keeps per stream the newest time read: notifications are read down to
it, searches pass it back as ``since`` minus an overlap, because posts are indexed a little after
they are written (duplicates are harmless: ingestion upserts by uri).

A post's text shows links shortened ("example.com/offre-ete…"); the full address is in the link
facet over that byte range, and Vigie puts it back in the text.
"""

from __future__ import annotations

import base64
import hashlib
import json as json_lib
import threading
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, Field, ValidationError, field_validator

from vigie.connectors.builtin.bluesky.schemas import (
    Author,
    CreateRecordOutput,
    ListNotificationsOutput,
    Notification,
    PostRecord,
    PostView,
    SearchPostsOutput,
    Session,
    XrpcError,
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
from vigie.connectors.normalise import aware_datetime, estimate_reach

M = TypeVar("M", bound=BaseModel)
SEARCH_LIMIT = 100
NOTIFICATIONS_LIMIT = 50
# What someone says to or about the account: a mention, a reply in its threads, a quote of its post.
NOTIFICATION_REASONS = ("mention", "reply", "quote")
# Notifications read for the first time go back this many pages, not through the account's history.
FIRST_READ_PAGES = 5
LINK_FEATURE = "app.bsky.richtext.facet#link"
MENTIONS = "mentions"
POST_COLLECTION = "app.bsky.feed.post"
REPLY_MAX_CHARS = 300
# Posts reach the search index some time after they are written: read that much again.
INDEX_OVERLAP = timedelta(minutes=15)
# The global window is 3,000 requests per 5 minutes: without a hint, wait for a full window.
DEFAULT_RETRY_AFTER = 300.0
# Sessions outlive one run: ``createSession`` is limited to 300 a day per handle, fewer than the
# runs of a source polled every 5 minutes. Keyed by PDS, handle and a hash of the app password,
# so a changed password opens a new session. Process-local: each worker opens its own.
_SESSIONS: dict[tuple[str, str, str], Session] = {}
_SESSIONS_LOCK = threading.Lock()
# What the AppView shows for an account whose handle no longer resolves to it.
INVALID_HANDLE = "handle.invalid"
_TOKEN_ERRORS = {"ExpiredToken", "InvalidToken", "AuthMissing", "AuthenticationRequired"}


class BlueskyConfig(ConnectorConfig):
    """The PDS, the organisation's handle and app password, and what to search."""

    handle: str = Field(description="Identifiant du compte, par exemple acme.bsky.social")
    app_password: str = Field(
        description="Mot de passe d'application (Réglages → Confidentialité et sécurité)",
        json_schema_extra={"secret": True},
    )
    keywords: list[str] = Field(default_factory=list, description="Mots-clés recherchés")
    include_mentions: bool = Field(default=True, description="Lire les mentions du compte")

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str) -> str:
        value = value.strip().lstrip("@")
        if not value or " " in value:
            raise ValueError("expected a handle such as acme.bsky.social")
        return value

    @field_validator("keywords")
    @classmethod
    def _clean_terms(cls, values: list[str]) -> list[str]:
        return [value for value in dict.fromkeys(value.strip() for value in values) if value]


class BlueskyConnector(Connector[BlueskyConfig]):
    """Searches Bluesky posts about the organisation and answers in their thread."""

    slug: ClassVar[str] = "bluesky"
    label: ClassVar[str] = "Bluesky"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.FETCH, Capability.REPLY, Capability.EDIT_REPLY, Capability.DELETE_REPLY, Capability.POST}
    )
    Config: ClassVar[type[ConnectorConfig]] = BlueskyConfig
    default_poll_seconds: ClassVar[int] = 300
    default_base_url: ClassVar[str] = "https://bsky.social"
    kind: ClassVar[PlatformKind] = PlatformKind.SOCIAL
    # A reply is a new post (an edit deletes it and posts again) and createRecord takes no
    # idempotency key: not retry-safe, so reply_idempotent stays False.
    reply_limit: ClassVar[LengthLimit | None] = LengthLimit(REPLY_MAX_CHARS, "graphemes")

    def __init__(self, config: BlueskyConfig, http: httpx.Client | None = None) -> None:
        super().__init__(config, http)
        password_hash = hashlib.sha256(config.app_password.encode()).hexdigest()
        self._session_key = (self.base_url, config.handle, password_hash)
        with _SESSIONS_LOCK:
            self._session: Session | None = _SESSIONS.get(self._session_key)

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """Open a session with the handle and app password; name the account reached."""
        session = self._create_session()
        return f"@{session.handle} ({session.did})"

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

        known = _optional_time(since.get(key))
        if key == MENTIONS:
            return self._notifications_page(index, len(streams), since, known, pending)
        params: dict[str, Any] = {"sort": "latest", "limit": SEARCH_LIMIT, "q": key.removeprefix("q:")}
        if known is not None:
            params["since"] = _zulu(known - INDEX_OVERLAP)
        if pending.get("cursor"):
            params["cursor"] = pending["cursor"]
        data = self._xrpc("GET", "app.bsky.feed.searchPosts", params=params)
        output = _model(SearchPostsOutput, data)
        raw_posts = data.get("posts") or []
        items = [_to_mention(post, raw) for post, raw in zip(output.posts, raw_posts, strict=True)]

        newest = _optional_time(pending.get("newest"))
        for post in output.posts:
            sort_at = _sort_at(post)
            if sort_at is not None and (newest is None or sort_at > newest):
                newest = sort_at

        # A cursor that comes back unchanged would serve the same page forever: the walk ends.
        if output.cursor and output.posts and output.cursor != pending.get("cursor"):
            page_state = {"key": key, "cursor": output.cursor, "newest": _iso(newest)}
            return Page(
                items=items, next_cursor={"stream": index, "since": since, "page": page_state}, has_more=True
            )
        return _stream_done(items, index, len(streams), since, key, known, newest)

    def _notifications_page(
        self,
        index: int,
        stream_count: int,
        since: dict[str, str],
        known: datetime | None,
        pending: dict[str, Any],
    ) -> Page:
        """One page of mention, reply and quote notifications, newest first, down to ``known``."""
        params: dict[str, Any] = {"limit": NOTIFICATIONS_LIMIT, "reasons": list(NOTIFICATION_REASONS)}
        if pending.get("cursor"):
            params["cursor"] = pending["cursor"]
        data = self._xrpc("GET", "app.bsky.notification.listNotifications", params=params)
        output = _model(ListNotificationsOutput, data)
        raw_notes = data.get("notifications") or []
        items: list[MentionIn] = []
        newest = _optional_time(pending.get("newest"))
        reached_known = False
        for note, raw in zip(output.notifications, raw_notes, strict=True):
            indexed = _optional_time(note.indexedAt)
            if known is not None and indexed is not None and indexed <= known:
                reached_known = True
                break
            if indexed is not None and (newest is None or indexed > newest):
                newest = indexed
            # A server that ignores ``reasons`` also sends likes, follows and reposts.
            if note.reason in NOTIFICATION_REASONS:
                items.append(_notification_to_mention(note, raw))

        pages = int(pending.get("pages") or 1)
        first_read_done = known is None and pages >= FIRST_READ_PAGES
        repeated = output.cursor == pending.get("cursor")
        if (
            output.cursor
            and output.notifications
            and not repeated
            and not reached_known
            and not first_read_done
        ):
            page_state = {
                "key": MENTIONS,
                "cursor": output.cursor,
                "newest": _iso(newest),
                "pages": pages + 1,
            }
            return Page(
                items=items, next_cursor={"stream": index, "since": since, "page": page_state}, has_more=True
            )
        return _stream_done(items, index, stream_count, since, MENTIONS, known, newest)

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Create a post replying to ``mention`` (``reply.parent`` = it, ``reply.root`` = its thread).

        Bluesky has no idempotency key: the outbox must not retry a reply that may have been
        created (a timeout after sending), only one that was refused.
        """
        if len(text) > REPLY_MAX_CHARS:
            raise ConnectorError(f"Bluesky posts are limited to {REPLY_MAX_CHARS} characters", permanent=True)
        try:
            post = PostView.model_validate(mention.raw)
        except ValidationError:
            raise ConnectorError(
                f"cannot reply to {mention.external_id}: its uri and cid were not kept", permanent=True
            ) from None
        if post.viewer is not None and post.viewer.replyDisabled:
            raise ConnectorError(
                "the author's thread settings do not allow this account to reply", permanent=True
            )
        parent = {"uri": post.uri, "cid": post.cid}
        root = post.record.reply.root.model_dump() if post.record.reply else parent
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": _zulu(datetime.now(tz=UTC)),
            "reply": {"root": root, "parent": parent},
        }
        if mention.language:
            record["langs"] = [mention.language]
        session = self._ensure_session()
        body = {"repo": session.did, "collection": POST_COLLECTION, "record": record}
        data = self._xrpc("POST", "com.atproto.repo.createRecord", json=body)
        created = _model(CreateRecordOutput, data)
        handle = self._session.handle if self._session else self.config.handle
        return ReplyResult(external_id=created.uri, url=_post_url(handle, created.uri), raw=data)

    def publish_post(self, text: str, *, idempotency_key: str) -> ReplyResult:
        """Post from the account (a crisis statement). createRecord takes no idempotency key: the
        statements' outbox sends once and never retries on its own."""
        if len(text) > REPLY_MAX_CHARS:
            raise ConnectorError(f"Bluesky posts are limited to {REPLY_MAX_CHARS} characters", permanent=True)
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": _zulu(datetime.now(tz=UTC)),
        }
        session = self._ensure_session()
        body = {"repo": session.did, "collection": POST_COLLECTION, "record": record}
        data = self._xrpc("POST", "com.atproto.repo.createRecord", json=body)
        created = _model(CreateRecordOutput, data)
        handle = self._session.handle if self._session else self.config.handle
        return ReplyResult(external_id=created.uri, url=_post_url(handle, created.uri), raw=data)

    def delete_reply(self, mention: MentionIn, reply_external_id: str) -> None:
        """Delete our reply post, named by the record key at the end of its uri."""
        session = self._ensure_session()
        body = {
            "repo": session.did,
            "collection": POST_COLLECTION,
            "rkey": reply_external_id.rsplit("/", 1)[-1],
        }
        self._xrpc("POST", "com.atproto.repo.deleteRecord", json=body)

    # --- session ----------------------------------------------------------------------------

    def _streams(self) -> list[str]:
        streams = [MENTIONS] if self.config.include_mentions else []
        return streams + [f"q:{keyword}" for keyword in self.config.keywords]

    def _ensure_session(self) -> Session:
        if self._session is None:
            self._create_session()
        assert self._session is not None
        expires = _jwt_expiry(self._session.accessJwt)
        if expires is not None and expires <= datetime.now(tz=UTC) + timedelta(seconds=30):
            return self._refresh_session()
        return self._session

    def _create_session(self) -> Session:
        body = {"identifier": self.config.handle, "password": self.config.app_password}
        try:
            response = self._send("POST", "com.atproto.server.createSession", json=body, auth="")
        except ConnectorError:
            self._forget()
            raise
        return self._keep(_model(Session, _json(response)))

    def _keep(self, session: Session) -> Session:
        self._session = session
        with _SESSIONS_LOCK:
            _SESSIONS[self._session_key] = session
        return session

    def _forget(self) -> None:
        self._session = None
        with _SESSIONS_LOCK:
            _SESSIONS.pop(self._session_key, None)

    def _refresh_session(self) -> Session:
        """Renew the access JWT; open a new session when the refresh JWT is refused too."""
        if self._session is None:
            return self._create_session()
        try:
            response = self._send("POST", "com.atproto.server.refreshSession", auth=self._session.refreshJwt)
        except ConnectorError as exc:
            if not exc.needs_reauth:
                raise
            return self._create_session()
        return self._keep(_model(Session, _json(response)))

    def _xrpc(
        self,
        method: str,
        nsid: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> Any:
        for attempt in range(2):
            session = self._ensure_session() if attempt == 0 else self._refresh_session()
            try:
                response = self._send(method, nsid, params=params, json=json, auth=session.accessJwt)
            except ConnectorError as exc:
                if exc.needs_reauth and attempt == 0:
                    continue
                raise
            return _json(response) if response.content.strip() else {}
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        method: str,
        nsid: str,
        *,
        auth: str,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {auth}"
        url = f"{self.base_url}/xrpc/{nsid}"
        try:
            response = self.http.request(method, url, params=params, json=json, headers=headers)
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"Bluesky unreachable at {urlsplit(url).netloc} ({type(exc).__name__})"
            ) from None
        if response.status_code >= 400:
            raise _error_for(response, nsid)
        return response


def _stream_done(
    items: list[MentionIn],
    index: int,
    stream_count: int,
    since: dict[str, str],
    key: str,
    known: datetime | None,
    newest: datetime | None,
) -> Page:
    """The page that ends stream ``index``: remember its newest time, move on to the next stream."""
    if newest is not None and (known is None or newest > known):
        since[key] = newest.isoformat()
    if index + 1 < stream_count:
        return Page(items=items, next_cursor={"stream": index + 1, "since": since}, has_more=True)
    return Page(items=items, next_cursor={"stream": 0, "since": since}, has_more=False)


def _error_for(response: httpx.Response, nsid: str) -> ConnectorError:
    status = response.status_code
    error = _xrpc_error(response)
    detail = ": ".join(part for part in (error.error, error.message) if part)
    text = f"Bluesky {nsid} HTTP {status}: {detail}" if detail else f"Bluesky {nsid} HTTP {status}"
    if status == 429:
        return RateLimited(
            text, retry_after=retry_after(response, DEFAULT_RETRY_AFTER, reset_header="ratelimit-reset")
        )
    if status == 401 or error.error in _TOKEN_ERRORS:
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text, permanent=False)
    return ConnectorError(text, permanent=True)


def _xrpc_error(response: httpx.Response) -> XrpcError:
    try:
        return XrpcError.model_validate(response.json())
    except (ValueError, ValidationError):
        return XrpcError()


def _jwt_expiry(token: str) -> datetime | None:
    """The ``exp`` claim of a JWT, read without verifying it (the server does that)."""
    try:
        payload = token.split(".")[1]
        claims = json_lib.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def _optional_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return aware_datetime(value)
    except ValueError:
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _zulu(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _sort_at(post: PostView) -> datetime | None:
    # The AppView sorts on the earlier of createdAt and indexedAt (posts may claim a future date).
    times = [t for t in (_optional_time(post.record.createdAt), _optional_time(post.indexedAt)) if t]
    return min(times) if times else None


def _post_url(handle: str, uri: str) -> str:
    # A post's uri names its author's DID (at://did:plc:…/app.bsky.feed.post/rkey): it stands in
    # for a handle Bluesky could not verify ("handle.invalid"), which opens no profile.
    profile = handle if _valid_handle(handle) else uri.removeprefix("at://").split("/", 1)[0]
    return f"https://bsky.app/profile/{profile}/post/{uri.rsplit('/', 1)[-1]}"


def _valid_handle(handle: str) -> bool:
    return bool(handle) and handle != INVALID_HANDLE


def full_text(record: PostRecord) -> str:
    """The post's text with each shortened link replaced by the full address of its link facet.

    Facets index UTF-8 bytes, not characters; a facet outside the text or overlapping another one
    is ignored (the text is then kept as written).
    """
    data = record.text.encode("utf-8")
    links = sorted(
        (facet.index.byteStart, facet.index.byteEnd, feature.uri)
        for facet in record.facets
        for feature in facet.features
        if feature.type == LINK_FEATURE and feature.uri.startswith(("https://", "http://"))
    )
    kept: list[tuple[int, int, str]] = []
    for start, end, uri in links:
        if 0 <= start < end <= len(data) and (not kept or start >= kept[-1][1]):
            kept.append((start, end, uri))
    for start, end, uri in reversed(kept):
        data = data[:start] + uri.encode("utf-8") + data[end:]
    return data.decode("utf-8", errors="replace")


def _author(author: Author) -> AuthorIn:
    handle = author.handle if _valid_handle(author.handle) else ""
    return AuthorIn(
        external_id=author.did,
        handle=handle,
        display_name=author.displayName or handle,
        profile_url=f"https://bsky.app/profile/{handle or author.did}",
    )


def _notification_to_mention(note: Notification, raw: dict[str, Any]) -> MentionIn:
    """A mention, reply or quote notification as a ``MentionIn`` (notifications carry no counts).

    ``raw`` keeps the notification: its ``uri``, ``cid``, ``author`` and ``record`` are what a
    reply needs, as for a post read by search.
    """
    created_at = _optional_time(note.record.createdAt) or _optional_time(note.indexedAt)
    if created_at is None:
        raise ConnectorError(f"Bluesky post {note.uri}: no readable date")
    return MentionIn(
        external_id=note.uri,
        kind="reply" if note.record.reply else "post",
        created_at=created_at,
        text=full_text(note.record),
        url=_post_url(note.author.handle, note.uri),
        author=_author(note.author),
        parent_external_id=note.record.reply.parent.uri if note.record.reply else "",
        language=note.record.langs[0] if note.record.langs else "",
        raw=raw,
    )


def _to_mention(post: PostView, raw: dict[str, Any]) -> MentionIn:
    """A Bluesky ``postView`` as a ``MentionIn``."""
    created_at = _optional_time(post.record.createdAt) or _optional_time(post.indexedAt)
    if created_at is None:
        raise ConnectorError(f"Bluesky post {post.uri}: no readable date")
    author = _author(post.author)
    shares = post.repostCount + post.quoteCount
    return MentionIn(
        external_id=post.uri,
        kind="reply" if post.record.reply else "post",
        created_at=created_at,
        text=full_text(post.record),
        url=_post_url(post.author.handle, post.uri),
        author=author,
        parent_external_id=post.record.reply.parent.uri if post.record.reply else "",
        likes=post.likeCount,
        shares=shares,
        replies_count=post.replyCount,
        reach=estimate_reach(None, post.likeCount, shares, post.replyCount),
        language=post.record.langs[0] if post.record.langs else "",
        raw=raw,
    )


def _json(response: httpx.Response) -> Any:
    return decode_json(response, "Bluesky")


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, "Bluesky")
