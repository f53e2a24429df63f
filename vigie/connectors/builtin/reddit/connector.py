"""Reddit Data API: new posts and comments of chosen subreddits, and search results; replies as
the organisation's account.

One poll walks its streams in turn, one listing page per ``fetch`` call, asking for the next at
once (``has_more``): for each subreddit its new posts (``/r/{sub}/new``) and its new comments
(``/r/{sub}/comments``), then each query (``/search?q=…&sort=new``). Listings come newest first
and are paged by ``after``; a stream stops at the first page that reaches what the last poll
already read (the cursor keeps each stream's newest ``created_utc``). The poll ends with one
``/api/info`` call on the items read lately: those deleted or removed since come back marked
deleted (Reddit's terms require a deleted post not to be kept as if it were live).

Every call carries a descriptive ``User-Agent`` (Reddit throttles generic ones) and an OAuth bearer
token from ``/api/v1/access_token``: the app's own (client credentials) to read, the
organisation's account (password grant of a script app, or a refresh token) to reply.
"""

from __future__ import annotations

import base64
import html
import re
import time
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, Field, field_validator

from vigie.connectors.builtin.reddit.schemas import (
    CommentAnswerJson,
    Identity,
    Listing,
    ThingData,
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
from vigie.connectors.http import decode_json, parse_payload, retry_after
from vigie.connectors.normalise import estimate_reach, sanitise_html
from vigie.connectors.platforms import runtime_gettext as _
from vigie.core.egress import EgressRefused, check_url

PAGE_SIZE = 100
FIRST_READ_PAGES = 3
# Items read lately that the end-of-poll check asks about (``/api/info`` takes 100 fullnames).
WATCHED = 100
# Reddit's window is 10 minutes: without a reset header, wait for a whole one.
DEFAULT_RETRY_AFTER = 600.0
GRANT_PATH = "/api/v1/access_token"
REDDIT_WEB = "https://www.reddit.com"
REDDIT_GRANT_HOST = "https://www.reddit.com"
GONE_TEXTS = {"[deleted]", "[removed]"}
M = TypeVar("M", bound=BaseModel)
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
_WAIT = re.compile(r"(\d+)\s*(second|minute)")


class RedditConfig(ConnectorConfig):
    """The app's credentials, the subreddits and queries followed; the account to reply with."""

    base_url: str = Field(default="", description="Adresse de l'API (par défaut https://oauth.reddit.com)")
    client_id: str = Field(description="Identifiant de l'application Reddit (reddit.com/prefs/apps)")
    client_secret: str = Field(description="Secret de l'application", json_schema_extra={"secret": True})
    subreddits: list[str] = Field(default_factory=list, description="Subreddits suivis, sans r/")
    queries: list[str] = Field(default_factory=list, description="Recherches sur tout Reddit")
    username: str = Field(default="", description="Compte de l'organisation (application « script »)")
    password: str = Field(
        default="",
        description="Mot de passe du compte (application « script »)",
        json_schema_extra={"secret": True},
    )
    refresh_token: str = Field(
        default="",
        description="Jeton de renouvellement du compte (application « web »)",
        json_schema_extra={"secret": True},
    )
    user_agent: str = Field(default="", description="User-Agent descriptif exigé par Reddit")

    @field_validator("subreddits")
    @classmethod
    def _clean_subreddits(cls, values: list[str]) -> list[str]:
        cleaned = [re.sub(r"^/?r/", "", value.strip()).strip("/") for value in values]
        for name in cleaned:
            if name and not _SUBREDDIT.match(name):
                raise ValueError(f"{name!r} is not a subreddit name")
        return [name for name in dict.fromkeys(cleaned) if name]

    @field_validator("queries")
    @classmethod
    def _clean_queries(cls, values: list[str]) -> list[str]:
        cleaned = [value.strip() for value in values]
        if any(len(value) > 512 for value in cleaned):
            raise ValueError("Reddit accepts a search of at most 512 characters")
        return [value for value in dict.fromkeys(cleaned) if value]


class RedditConnector(Connector[RedditConfig]):
    """Reads subreddits and searches; answers with ``/api/comment`` when an account is configured."""

    slug: ClassVar[str] = "reddit"
    label: ClassVar[str] = "Reddit"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.FETCH, Capability.REPLY, Capability.DELETE_REPLY, Capability.DETECTS_DELETIONS}
    )
    Config: ClassVar[type[ConnectorConfig]] = RedditConfig
    default_poll_seconds: ClassVar[int] = 600
    default_base_url: ClassVar[str] = "https://oauth.reddit.com"
    kind: ClassVar[PlatformKind] = PlatformKind.SOCIAL
    reply_limit: ClassVar[LengthLimit | None] = LengthLimit(10000)

    def __init__(self, config: RedditConfig, http: httpx.Client | None = None) -> None:
        super().__init__(config, http)
        self._tokens: dict[bool, tuple[str, float]] = {}
        self._remaining: float | None = None
        self._reset = 0.0

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """Get a token (and name the account when one is configured)."""
        if self._has_user_grant():
            me = _model(Identity, _json(self._api("GET", "/api/v1/me", user=True)))
            return _("u/%(name)s (%(subreddits)s subreddit(s), %(queries)s recherche(s))") % {
                "name": me.name,
                "subreddits": len(self.config.subreddits),
                "queries": len(self.config.queries),
            }
        self._token(user=False)
        return _("application %(client)s (lecture seule : aucun compte pour répondre)") % {
            "client": self.config.client_id
        }

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one listing page of the current stream, then the deletion check at the end."""
        state = dict(cursor)
        streams = self._streams()
        if state.get("phase") == "check":
            return self._check_page(state)
        if not streams:
            return Page([], state, has_more=False)
        index = state.get("stream", 0)
        if not isinstance(index, int) or not 0 <= index < len(streams):
            index = 0
        key = streams[index]
        since: dict[str, float] = dict(state.get("since") or {})
        pending = state.get("page") or {}
        if pending.get("key") != key:
            pending = {}
        path, params = self._listing(key)
        if pending.get("after"):
            params["after"] = pending["after"]
        listing = _model(Listing, _json(self._api("GET", path, params=params)))
        previous = float(since.get(key) or 0)
        items: list[MentionIn] = []
        watch: list[str] = list(state.get("watch") or [])
        newest = float(pending.get("newest") or 0)
        reached_known = False
        for thing in listing.data.children:
            if thing.kind not in {"t1", "t3"}:
                continue
            data = _model(ThingData, thing.data)
            newest = max(newest, data.created_utc)
            if previous and data.created_utc <= previous:
                reached_known = True
                continue
            items.append(_to_mention(thing.kind, data, thing.data))
            watch.append(data.name)
        state["watch"] = list(dict.fromkeys(watch))[-WATCHED:]
        pages = int(pending.get("pages") or 1)
        after = listing.data.after
        throttled = self._remaining is not None and self._remaining < 2
        if after and not reached_known and not throttled and not (not previous and pages >= FIRST_READ_PAGES):
            state["page"] = {"key": key, "after": after, "newest": newest, "pages": pages + 1}
            return Page(items, state, has_more=True)
        state.pop("page", None)
        if newest:
            since[key] = newest
        state["since"] = since
        if throttled:
            # Reddit's window is nearly spent: the next poll goes on from here.
            state["stream"] = (index + 1) % len(streams)
            return Page(items, state, has_more=False)
        if index + 1 < len(streams):
            state["stream"] = index + 1
            return Page(items, state, has_more=True)
        state["stream"] = 0
        if state["watch"]:
            state["phase"] = "check"
            return Page(items, state, has_more=True)
        return Page(items, state, has_more=False)

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Comment under ``mention`` as the organisation's account."""
        if not self._has_user_grant():
            raise ConnectorError(
                "répondre sur Reddit demande le compte de l'organisation (username et password, "
                "ou refresh_token) : sans lui, l'application ne peut que lire",
                permanent=True,
            )
        form = {"api_type": "json", "thing_id": mention.external_id, "text": text}
        answer = _json(self._api("POST", "/api/comment", data=form, user=True))
        result = CommentAnswerJson.model_validate(
            answer.get("json") or {} if isinstance(answer, dict) else {}
        )
        if result.errors:
            raise _comment_error(result.errors)
        things = result.data.things if result.data else []
        if not things:
            raise ConnectorError("Reddit accepted the comment but returned no comment")
        created = _model(ThingData, things[0].data)
        return ReplyResult(
            external_id=created.name, url=f"{REDDIT_WEB}{created.permalink}", raw=things[0].data
        )

    def delete_reply(self, mention: MentionIn, reply_external_id: str) -> None:
        """Delete our comment (Reddit answers ``{}`` even when it was already gone)."""
        self._api("POST", "/api/del", data={"id": reply_external_id}, user=True)

    # --- reading ----------------------------------------------------------------------------

    def _streams(self) -> list[str]:
        streams: list[str] = []
        for sub in self.config.subreddits:
            streams += [f"new:{sub}", f"comments:{sub}"]
        return streams + [f"q:{query}" for query in self.config.queries]

    def _listing(self, key: str) -> tuple[str, dict[str, str | int]]:
        kind, _, value = key.partition(":")
        params: dict[str, str | int] = {"limit": PAGE_SIZE, "raw_json": 1}
        if kind == "new":
            return f"/r/{quote(value)}/new", params
        if kind == "comments":
            return f"/r/{quote(value)}/comments", params
        params.update({"q": value, "sort": "new", "type": "link", "restrict_sr": "false"})
        return "/search", params

    def _check_page(self, state: dict[str, Any]) -> Page:
        watch: list[str] = list(state.get("watch") or [])
        state["phase"] = "read"
        if not watch:
            return Page([], state, has_more=False)
        listing = _model(
            Listing, _json(self._api("GET", "/api/info", params={"id": ",".join(watch), "raw_json": 1}))
        )
        items: list[MentionIn] = []
        for thing in listing.data.children:
            if thing.kind in {"t1", "t3"}:
                data = _model(ThingData, thing.data)
                mention = _to_mention(thing.kind, data, thing.data)
                # An item edited since it was read comes back with its new text (a comment only
                # when the answer names its post's title, which the mention shows).
                edited = bool(data.edited) and (thing.kind == "t3" or bool(data.link_title))
                if mention.deleted or edited:
                    items.append(mention)
        # A deleted item need not be asked about again.
        gone = {item.external_id for item in items if item.deleted}
        state["watch"] = [name for name in watch if name not in gone]
        return Page(items, state, has_more=False)

    # --- HTTP -------------------------------------------------------------------------------

    def _has_user_grant(self) -> bool:
        return bool(self.config.refresh_token or (self.config.username and self.config.password))

    @property
    def _user_agent(self) -> str:
        if self.config.user_agent:
            return self.config.user_agent
        owner = f" (by /u/{self.config.username})" if self.config.username else " (self-hosted Vigie)"
        return f"server:vigie.{self.config.client_id}:v1.0{owner}"

    def _token(self, *, user: bool, renew: bool = False) -> str:
        known = self._tokens.get(user)
        if known and not renew and time.monotonic() < known[1]:
            return known[0]
        if user and self.config.refresh_token:
            form = {"grant_type": "refresh_token", "refresh_token": self.config.refresh_token}
        elif user:
            form = {
                "grant_type": "password",
                "username": self.config.username,
                "password": self.config.password,
            }
        else:
            form = {"grant_type": "client_credentials"}
        pair = f"{self.config.client_id}:{self.config.client_secret}".encode()
        token_base = self.base_url if self.config.base_url else REDDIT_GRANT_HOST
        response = self._send(
            "POST",
            f"{token_base}{GRANT_PATH}",
            data=form,
            headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
        )
        answer = _model(TokenAnswer, _json(response))
        if answer.error or not answer.access_token:
            # A wrong password comes back as 200 {"error": "invalid_grant"}.
            raise ConnectorError(
                f"Reddit refused the credentials ({answer.error or 'no token'})", needs_reauth=True
            )
        # Renewed a minute early so a token never expires between the check and the call.
        self._tokens[user] = (answer.access_token, time.monotonic() + max(answer.expires_in - 60, 0))
        return answer.access_token

    def _api(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        data: dict[str, str] | None = None,
        user: bool = False,
    ) -> httpx.Response:
        """A call with a bearer token; a token refused once is renewed once."""
        if self._remaining is not None and self._remaining < 1 and self._reset > time.monotonic():
            raise RateLimited("Reddit: window of requests spent", retry_after=self._reset - time.monotonic())
        for attempt in (0, 1):
            token = self._token(user=user, renew=attempt == 1)
            try:
                return self._send(
                    method,
                    f"{self.base_url}{path}",
                    params=params,
                    data=data,
                    headers={"Authorization": f"bearer {token}"},
                )
            except ConnectorError as exc:
                if not (exc.needs_reauth and attempt == 0):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str | int] | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str],
    ) -> httpx.Response:
        try:
            check_url(url)
        except EgressRefused as exc:
            raise ConnectorError(
                _("%(platform)s: adresse refusée (%(reason)s)") % {"platform": "Reddit", "reason": exc},
                permanent=True,
            ) from None
        all_headers = {"Accept": "application/json", "User-Agent": self._user_agent, **headers}
        try:
            response = self.http.request(method, url, params=params, data=data, headers=all_headers)
        except httpx.HTTPError as exc:
            raise ConnectorError(f"Reddit unreachable ({type(exc).__name__})") from None
        self._note_window(response)
        if response.status_code >= 400:
            raise _error_for(response)
        return response

    def _note_window(self, response: httpx.Response) -> None:
        try:
            remaining = float(response.headers.get("x-ratelimit-remaining", ""))
            reset = float(response.headers.get("x-ratelimit-reset", "0"))
        except ValueError:
            return
        self._remaining = remaining
        self._reset = time.monotonic() + reset


def _error_for(response: httpx.Response) -> ConnectorError:
    status = response.status_code
    message = _platform_message(response)
    text = f"Reddit HTTP {status}: {message}" if message else f"Reddit HTTP {status}"
    if status == 429:
        return RateLimited(
            text, retry_after=retry_after(response, DEFAULT_RETRY_AFTER, reset_header="x-ratelimit-reset")
        )
    if status == 401:
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text)
    return ConnectorError(text, permanent=True)


def _platform_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    return str(data.get("message") or data.get("error") or data.get("reason") or "")[:300]


def _comment_error(errors: list[list[Any]]) -> ConnectorError:
    """Reddit's refusal of a comment, reported inside a 200 answer."""
    code = str(errors[0][0]) if errors[0] else ""
    message = str(errors[0][1]) if len(errors[0]) > 1 else ""
    text = f"Reddit refused the comment ({code}): {message}"
    if code == "RATELIMIT":
        match = _WAIT.search(message)
        wait = 60.0
        if match:
            wait = float(match[1]) * (60 if match[2] == "minute" else 1)
        return RateLimited(text, retry_after=wait)
    return ConnectorError(text, permanent=True)


def _to_mention(kind: str, data: ThingData, raw: dict[str, Any]) -> MentionIn:
    """A Reddit post (t3) or comment (t1) as a ``MentionIn``, keyed by its fullname."""
    is_post = kind == "t3"
    body = data.selftext if is_post else data.body
    escaped = data.selftext_html if is_post else data.body_html
    deleted = bool(data.removed_by_category) or body.strip() in GONE_TEXTS
    author = None
    if data.author_fullname and data.author not in GONE_TEXTS:
        author = AuthorIn(
            external_id=data.author_fullname,
            handle=data.author,
            display_name=f"u/{data.author}",
            profile_url=f"{REDDIT_WEB}/user/{data.author}",
        )
    if is_post:
        mention_kind, parent = "post", ""
    else:
        parent = data.parent_id or ""
        mention_kind = "reply" if parent.startswith("t1_") else "comment"
    return MentionIn(
        external_id=data.name,
        kind=mention_kind,
        created_at=datetime.fromtimestamp(data.created_utc, tz=UTC),
        title=data.title if is_post else data.link_title,
        # A deleted item comes back as "[deleted]": ingestion keeps the text read before.
        text="" if deleted else body,
        html="" if deleted or not escaped else sanitise_html(html.unescape(escaped)),
        url=f"{REDDIT_WEB}{data.permalink}" if data.permalink else data.url,
        author=author,
        parent_external_id=parent,
        likes=max(data.score, 0),
        shares=data.num_crossposts,
        replies_count=data.num_comments,
        reach=estimate_reach(None, max(data.score, 0), data.num_crossposts, data.num_comments),
        deleted=deleted,
        raw=raw,
    )


def _json(response: httpx.Response) -> Any:
    return decode_json(response, "Reddit")


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, "Reddit")
