"""YouTube Data API v3: comment threads and their replies on the channel's videos; answers and
moderation.

One poll walks its streams in turn, one API page per ``fetch`` call, asking for the next at once
(``has_more``): every thread of the channel (``commentThreads.list`` with
``allThreadsRelatedToChannelId``) when ``channel_id`` is set, then each video of ``video_ids``
(``videoId``), each filtered by ``search_terms`` when set. Threads come newest first
(``order=time``): a stream stops at the first page that reaches what the last poll already read.
A thread carries only some of its replies; when it has more, its replies are read in full
(``comments.list?parentId=``) before the walk goes on.

The day's quota is 10,000 units for the whole Google project (every list call costs 1 unit, a
reply or a moderation 50): the cursor counts the units this source spent on the current Pacific
day and ends the poll once ``daily_units`` are spent. The last top-level comments read are checked
again once per poll (one ``comments.list?id=`` call): those YouTube no longer returns (deleted by
their author, rejected by a moderator) come back marked deleted, the others as they now read (an
edit is stored as a new version). Once a day a poll reads each stream ``FIRST_READ_PAGES`` deep
past what it knows, so older comments edited since are read again too.
"""

from __future__ import annotations

import html
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

import httpx
from pydantic import BaseModel, Field, ValidationError, field_validator

from vigie.connectors.builtin.youtube.schemas import (
    ChannelList,
    Comment,
    CommentList,
    ErrorBody,
    ErrorEnvelope,
    ThreadList,
    TokenAnswer,
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
from vigie.connectors.http import decode_json, parse_payload
from vigie.connectors.normalise import aware_datetime, estimate_reach
from vigie.connectors.platforms import runtime_gettext as _
from vigie.core.egress import EgressRefused, check_url

API = "/youtube/v3"
GRANT_PATH = "/oauth2/v4/token"
PAGE_SIZE = 100
FIRST_READ_PAGES = 5
# Replies of this many threads at most are read in full per poll (1 unit each page).
MAX_PARENTS = 20
# Top-level comments checked again for deletion and edits (one ``comments.list?id=`` call takes 50).
WATCHED = 50
# Once in this many hours a poll reads every stream ``FIRST_READ_PAGES`` pages deep whatever it
# already knows: YouTube lists nothing by update time, so an older comment edited since is only
# seen again this way (5 units a stream a day).
DEEP_READ_HOURS = 24
DEFAULT_DAILY_UNITS = 2000
LIST_UNITS = 1
PACIFIC = ZoneInfo("America/Los_Angeles")
WATCH = "https://www.youtube.com/watch"
M = TypeVar("M", bound=BaseModel)


class YoutubeConfig(ConnectorConfig):
    """The API key, the channel and its videos; OAuth tokens of the channel to answer and moderate."""

    base_url: str = Field(default="", description="Adresse de l'API (par défaut https://www.googleapis.com)")
    api_key: str = Field(description="Clé d'API Google (lecture)", json_schema_extra={"secret": True})
    channel_id: str = Field(default="", description="Identifiant de la chaîne (UC…)")
    video_ids: list[str] = Field(default_factory=list, description="Vidéos suivies une à une")
    search_terms: str = Field(default="", description="Ne garder que les fils contenant ces termes")
    access_token: str = Field(
        default="",
        description="Jeton d'accès OAuth de la chaîne (réponses)",
        json_schema_extra={"secret": True},
    )
    refresh_token: str = Field(
        default="",
        description="Jeton de renouvellement OAuth de la chaîne",
        json_schema_extra={"secret": True},
    )
    client_id: str = Field(default="", description="Identifiant client OAuth")
    client_secret: str = Field(
        default="", description="Secret client OAuth", json_schema_extra={"secret": True}
    )
    daily_units: int = Field(
        default=DEFAULT_DAILY_UNITS,
        ge=10,
        le=10000,
        description="Part du quota quotidien (10 000 unités par projet) que cette source peut dépenser en lecture",
    )

    @field_validator("video_ids")
    @classmethod
    def _clean_ids(cls, values: list[str]) -> list[str]:
        return [value for value in dict.fromkeys(v.strip() for v in values) if value]

    @field_validator("channel_id")
    @classmethod
    def _channel(cls, value: str) -> str:
        if value and not value.startswith("UC"):
            raise ValueError("a channel id starts with UC (not the @handle)")
        return value


def pacific_day(now: datetime | None = None) -> date:
    """The day YouTube's quota counts in (it resets at midnight Pacific time)."""
    return (now or datetime.now(tz=UTC)).astimezone(PACIFIC).date()


def seconds_to_pacific_midnight(now: datetime | None = None) -> float:
    current = (now or datetime.now(tz=UTC)).astimezone(PACIFIC)
    midnight = datetime.combine(current.date() + timedelta(days=1), datetime.min.time(), tzinfo=PACIFIC)
    return max(60.0, (midnight - current).total_seconds())


class YoutubeConnector(Connector[YoutubeConfig]):
    """Reads comment threads of a channel's videos; answers threads and sets moderation status."""

    slug: ClassVar[str] = "youtube"
    label: ClassVar[str] = "YouTube"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.FETCH,
            Capability.REPLY,
            Capability.DELETE_REPLY,
            Capability.HIDE_COMMENT,
            Capability.DELETE_COMMENT,
            Capability.DETECTS_DELETIONS,
        }
    )
    Config: ClassVar[type[ConnectorConfig]] = YoutubeConfig
    default_poll_seconds: ClassVar[int] = 1800
    default_base_url: ClassVar[str] = "https://www.googleapis.com"
    kind: ClassVar[PlatformKind] = PlatformKind.SOCIAL
    reply_limit: ClassVar[LengthLimit | None] = LengthLimit(10000)

    def __init__(self, config: YoutubeConfig, http: httpx.Client | None = None) -> None:
        super().__init__(config, http)
        self._token = config.access_token
        self._token_expires_at = 0.0 if not config.access_token else float("inf")

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """Read the channel (1 unit) and name it."""
        if not self.config.channel_id:
            return _("%(count)s vidéo(s) suivie(s)") % {"count": len(self.config.video_ids)}
        data = self._get("/channels", {"part": "snippet", "id": self.config.channel_id})
        channels = _model(ChannelList, data).items
        if not channels:
            raise ConnectorError(
                _("YouTube: aucune chaîne %(channel)s") % {"channel": self.config.channel_id}, permanent=True
            )
        snippet = channels[0].snippet
        return f"{snippet.title} ({snippet.customUrl or channels[0].id})"

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one page: queued replies first, then the current stream, then the deletion check."""
        state = dict(cursor)
        quota = dict(state.get("quota") or {})
        today = pacific_day().isoformat()
        if quota.get("day") != today:
            quota = {"day": today, "used": 0}
        state["quota"] = quota
        if int(quota["used"]) + LIST_UNITS > self.config.daily_units:
            # This source's share of the day is spent: the poll ends, the next one starts afresh tomorrow.
            state.pop("page", None)
            return Page([], state, has_more=False)
        quota["used"] = int(quota["used"]) + LIST_UNITS
        phase = state.get("phase") or "threads"
        if phase == "threads" and not state.get("page") and not state.get("stream"):
            # A poll starts: it is a deep one when the last was a day ago (or never).
            state["deep"] = _deep_due(state.get("deep_at"))
        if phase == "replies" and state.get("parents"):
            return self._replies_page(state)
        if phase in {"replies", "check"}:
            if state.get("watch"):
                return self._deletions_page(state)
            return self._end(state)
        streams = self._streams()
        index = state.get("stream", 0)
        if not isinstance(index, int) or not 0 <= index < len(streams):
            index = 0
        return self._threads_page(state, streams, index)

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Answer the thread: YouTube replies only to top-level comments (50 units)."""
        parent = _thread_of(mention)
        body = {"snippet": {"parentId": parent, "textOriginal": text}}
        data = _json(self._oauth("POST", "/comments", params={"part": "snippet"}, json=body))
        comment = _model(Comment, data)
        video = comment.snippet.videoId or str(mention.raw.get("snippet", {}).get("videoId") or "")
        url = f"{WATCH}?v={video}&lc={comment.id}" if video else ""
        return ReplyResult(external_id=comment.id, url=url, raw=data)

    def delete_reply(self, mention: MentionIn, reply_external_id: str) -> None:
        """Delete our own reply (50 units); one already gone counts as deleted."""
        try:
            self._oauth("DELETE", "/comments", params={"id": reply_external_id})
        except ConnectorError as exc:
            if "HTTP 404" not in exc.message:
                raise

    def hide_item(self, mention: MentionIn, *, hidden: bool = True) -> None:
        """Hold the comment for review (hidden from the public) or publish it again (50 units)."""
        status = "heldForReview" if hidden else "published"
        self._oauth(
            "POST",
            "/comments/setModerationStatus",
            params={"id": mention.external_id, "moderationStatus": status},
        )

    def delete_item(self, mention: MentionIn) -> None:
        """Reject the comment: removed from the video with its replies, for good (50 units)."""
        self._oauth(
            "POST",
            "/comments/setModerationStatus",
            params={"id": mention.external_id, "moderationStatus": "rejected"},
        )

    # --- reading ----------------------------------------------------------------------------

    def _streams(self) -> list[str]:
        streams = ["channel"] if self.config.channel_id else []
        return streams + [f"v:{video}" for video in self.config.video_ids] or ["none"]

    def _threads_page(self, state: dict[str, Any], streams: list[str], index: int) -> Page:
        key = streams[index]
        if key == "none":
            return Page([], state, has_more=False)
        since: dict[str, str] = dict(state.get("since") or {})
        pending = state.get("page") or {}
        if pending.get("key") != key:
            pending = {}
        params: dict[str, str | int] = {
            "part": "snippet,replies",
            "maxResults": PAGE_SIZE,
            "order": "time",
            "textFormat": "plainText",
        }
        if key == "channel":
            params["allThreadsRelatedToChannelId"] = self.config.channel_id
        else:
            params["videoId"] = key[2:]
        if self.config.search_terms:
            params["searchTerms"] = self.config.search_terms
        if pending.get("token"):
            params["pageToken"] = pending["token"]
        try:
            data = self._get("/commentThreads", params)
        except ConnectorError as exc:
            if "commentsDisabled" not in exc.message and "videoNotFound" not in exc.message:
                raise
            data = {"items": []}  # this video takes no comments (or is gone): nothing to read there
        listing = _model(ThreadList, data)
        raw_threads = data.get("items") or [] if isinstance(data, dict) else []
        previous = since.get(key, "")
        items: list[MentionIn] = []
        parents = list(state.get("parents") or [])
        watch: dict[str, str] = dict(state.get("watch") or {})
        reached_known = False
        newest = pending.get("newest") or ""
        replies_of: dict[str, int] = dict(state.get("replies_of") or {})
        for thread, raw in zip(listing.items, raw_threads, strict=False):
            top = thread.snippet.topLevelComment
            published = top.snippet.publishedAt
            newest = max(newest, published)
            if previous and published <= previous:
                reached_known = True
            raw_top = raw.get("snippet", {}).get("topLevelComment", {}) if isinstance(raw, dict) else {}
            if not self._ours(top):
                # The channel's own comment is not a mention; the replies under it are.
                items.append(_to_mention(top, raw_top, replies=thread.snippet.totalReplyCount))
                watch[top.id] = published
                replies_of[top.id] = thread.snippet.totalReplyCount
            inline = thread.replies.comments if thread.replies else []
            raw_inline = (raw.get("replies") or {}).get("comments") or [] if isinstance(raw, dict) else []
            items += [
                _to_mention(reply, raw_reply)
                for reply, raw_reply in zip(inline, raw_inline, strict=False)
                if not self._ours(reply)
            ]
            if thread.snippet.totalReplyCount > len(inline) and len(parents) < MAX_PARENTS:
                parents.append(top.id)
        state["watch"] = dict(sorted(watch.items(), key=lambda kv: kv[1])[-WATCHED:])
        state["replies_of"] = {cid: replies_of.get(cid, 0) for cid in state["watch"]}
        state["parents"] = parents
        pages = int(pending.get("pages") or 1)
        token = listing.nextPageToken
        # A token that comes back unchanged would serve the same page forever: the walk ends.
        repeated = token == pending.get("token")
        deep = bool(state.get("deep"))
        # A first read, and a deep one, go FIRST_READ_PAGES deep; a usual poll stops at what it knows.
        bounded = not previous or deep
        if (
            token
            and not repeated
            and (deep or not reached_known)
            and not (bounded and pages >= FIRST_READ_PAGES)
        ):
            state["page"] = {"key": key, "token": token, "newest": newest, "pages": pages + 1}
            return Page(items, state, has_more=True)
        state.pop("page", None)
        if newest:
            since[key] = newest
        state["since"] = since
        if index + 1 < len(streams):
            state["stream"] = index + 1
            return Page(items, state, has_more=True)
        return self._next_phase(state, items)

    def _next_phase(self, state: dict[str, Any], items: list[MentionIn]) -> Page:
        """After the streams: replies in full, then the deletion check, then the poll ends."""
        if state.get("parents"):
            state["phase"] = "replies"
        elif state.get("watch"):
            state["phase"] = "check"
        else:
            return self._end(state, items)
        return Page(items, state, has_more=True)

    def _end(self, state: dict[str, Any], items: list[MentionIn] | None = None) -> Page:
        state["phase"], state["stream"] = "threads", 0
        if state.pop("deep", False):
            state["deep_at"] = datetime.now(tz=UTC).isoformat()
        state.pop("parents", None)
        state.pop("parent_token", None)
        return Page(items or [], state, has_more=False)

    def _replies_page(self, state: dict[str, Any]) -> Page:
        parents = list(state["parents"])
        parent = parents[0]
        params: dict[str, str | int] = {
            "part": "snippet",
            "parentId": parent,
            "maxResults": PAGE_SIZE,
            "textFormat": "plainText",
        }
        if state.get("parent_token"):
            params["pageToken"] = state["parent_token"]
        try:
            data = self._get("/comments", params)
        except ConnectorError as exc:
            if "commentNotFound" not in exc.message:
                raise
            data = {"items": []}  # the thread is gone: the deletion check marks it
        listing = _model(CommentList, data)
        raw_items = data.get("items") or [] if isinstance(data, dict) else []
        items = [
            _to_mention(reply, raw)
            for reply, raw in zip(listing.items, raw_items, strict=False)
            if not self._ours(reply)
        ]
        if listing.nextPageToken and listing.nextPageToken != state.get("parent_token"):
            state["parent_token"] = listing.nextPageToken
        else:
            state.pop("parent_token", None)
            state["parents"] = parents[1:]
            if not state["parents"]:
                state["phase"] = "check"
                if not state.get("watch"):
                    return self._end(state, items)
        return Page(items, state, has_more=True)

    def _deletions_page(self, state: dict[str, Any]) -> Page:
        """The last top-level comments read, asked for again: those YouTube no longer returns come
        back marked deleted, the others as YouTube has them now (an edit since is stored as a new
        version; their reply count is the one their thread last gave)."""
        watch: dict[str, str] = dict(state.get("watch") or {})
        replies_of: dict[str, int] = dict(state.get("replies_of") or {})
        data = self._get("/comments", {"part": "snippet", "id": ",".join(watch), "textFormat": "plainText"})
        raw_items = data.get("items") or [] if isinstance(data, dict) else []
        items: list[MentionIn] = []
        present: set[str] = set()
        for comment, raw in zip(_model(CommentList, data).items, raw_items, strict=False):
            if comment.id not in watch:
                continue
            present.add(comment.id)
            items.append(_to_mention(comment, raw, replies=int(replies_of.get(comment.id) or 0)))
        items += [
            MentionIn(external_id=cid, kind="comment", created_at=aware_datetime(watch[cid]), deleted=True)
            for cid in watch
            if cid not in present
        ]
        state["watch"] = {cid: at for cid, at in watch.items() if cid in present}
        state["replies_of"] = {cid: count for cid, count in replies_of.items() if cid in present}
        return self._end(state, items)

    def _ours(self, comment: Comment) -> bool:
        author = comment.snippet.authorChannelId.value if comment.snippet.authorChannelId else ""
        return bool(self.config.channel_id) and author == self.config.channel_id

    # --- HTTP -------------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, str | int]) -> Any:
        return _json(self._send("GET", f"{API}{path}", params={**params, "key": self.config.api_key}))

    def _oauth(
        self, method: str, path: str, *, params: dict[str, str | int], json: dict[str, Any] | None = None
    ) -> httpx.Response:
        """A call in the channel's name; an expired access token is renewed once."""
        for attempt in (0, 1):
            token = self._access_token(renew=attempt == 1)
            try:
                return self._send(method, f"{API}{path}", params=params, json=json, token=token)
            except ConnectorError as exc:
                if not (exc.needs_reauth and attempt == 0 and self.config.refresh_token):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _access_token(self, *, renew: bool = False) -> str:
        if self._token and not renew and time.monotonic() < self._token_expires_at:
            return self._token
        if not (self.config.refresh_token and self.config.client_id and self.config.client_secret):
            if self._token and not renew:
                return self._token
            raise ConnectorError(
                "répondre ou modérer sur YouTube demande la connexion OAuth de la chaîne", needs_reauth=True
            )
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self.config.refresh_token,
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
        }
        token = _model(TokenAnswer, _json(self._send("POST", GRANT_PATH, data=form)))
        self._token = token.access_token
        # Renewed a minute early so a token never expires between the check and the call.
        self._token_expires_at = time.monotonic() + max(token.expires_in - 60, 0)
        return self._token

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        json: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        token: str = "",
    ) -> httpx.Response:
        url = f"{self.base_url}{path}"
        try:
            check_url(url)
        except EgressRefused as exc:
            raise ConnectorError(
                _("%(platform)s: adresse refusée (%(reason)s)") % {"platform": "YouTube", "reason": exc},
                permanent=True,
            ) from None
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self.http.request(method, url, params=params, json=json, data=data, headers=headers)
        except httpx.HTTPError as exc:
            raise ConnectorError(f"YouTube unreachable ({type(exc).__name__})") from None
        if response.status_code >= 400:
            raise _error_for(response)
        return response


def _error_for(response: httpx.Response) -> ConnectorError:
    status = response.status_code
    reasons, message = _reasons(response)
    detail = ", ".join(reasons)
    text = f"YouTube HTTP {status}" + (f" ({detail})" if detail else "") + (f": {message}" if message else "")
    if "quotaExceeded" in reasons or "dailyLimitExceeded" in reasons:
        return RateLimited(text, retry_after=seconds_to_pacific_midnight())
    if status == 429 or "rateLimitExceeded" in reasons:
        return RateLimited(text, retry_after=60.0)
    if status == 401 or "keyInvalid" in reasons or "keyExpired" in reasons or "invalid_grant" in reasons:
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text)
    return ConnectorError(text, permanent=True)


def _reasons(response: httpx.Response) -> tuple[list[str], str]:
    try:
        envelope = ErrorEnvelope.model_validate(response.json())
    except (ValueError, ValidationError):
        return [], ""
    if isinstance(envelope.error, ErrorBody):
        body = envelope.error
        # Google's messages may carry markup (a link to the quota page): keep the words.
        return [item.reason for item in body.errors if item.reason], html.unescape(body.message)[:300]
    return [envelope.error] if envelope.error else [], envelope.error_description[:300]


def _deep_due(deep_at: Any) -> bool:
    if not isinstance(deep_at, str) or not deep_at:
        return True
    try:
        last = aware_datetime(deep_at)
    except ValueError:
        return True
    return datetime.now(tz=UTC) - last >= timedelta(hours=DEEP_READ_HOURS)


def _thread_of(mention: MentionIn) -> str:
    """The top-level comment of ``mention``'s thread (the outbox's copy of a stored mention may lack
    ``parent_external_id``: the raw comment names its parent, and a reply's id starts with it)."""
    snippet = mention.raw.get("snippet") if isinstance(mention.raw.get("snippet"), dict) else {}
    parent = str((snippet or {}).get("parentId") or mention.parent_external_id or "")
    if parent:
        return parent
    return mention.external_id.split(".", 1)[0]


def _to_mention(comment: Comment, raw: dict[str, Any], replies: int = 0) -> MentionIn:
    """A YouTube comment (top-level or reply) as a ``MentionIn``."""
    snippet = comment.snippet
    channel = snippet.authorChannelId.value if snippet.authorChannelId else ""
    author = AuthorIn(
        # The channel id is the stable identity; a comment without one keeps its own id, never a name.
        external_id=channel or f"comment:{comment.id}",
        handle=snippet.authorDisplayName.lstrip("@"),
        display_name=snippet.authorDisplayName,
        profile_url=snippet.authorChannelUrl,
    )
    text = snippet.textOriginal if snippet.textOriginal is not None else html.unescape(snippet.textDisplay)
    url = f"{WATCH}?v={snippet.videoId}&lc={comment.id}" if snippet.videoId else ""
    return MentionIn(
        external_id=comment.id,
        kind="reply" if snippet.parentId else "comment",
        created_at=aware_datetime(snippet.publishedAt),
        text=text,
        url=url,
        author=author,
        parent_external_id=snippet.parentId or "",
        likes=snippet.likeCount,
        replies_count=replies,
        reach=estimate_reach(None, snippet.likeCount, 0, replies),
        raw=raw,
    )


def _json(response: httpx.Response) -> Any:
    return decode_json(response, "YouTube")


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, "YouTube")
