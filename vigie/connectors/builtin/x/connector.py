"""X (Twitter) API v2: the account's mentions and a recent-search query; replies within X's rule.

One poll walks two streams in turn, one page per ``fetch`` call, asking for the next at once
(``has_more``): the account's mentions (``GET /2/users/:id/mentions``, paged by
``pagination_token``) then the search query (``GET /2/tweets/search/recent``, paged by
``next_token``). The cursor keeps each stream's ``meta.newest_id``: the next poll asks only for
newer posts (``since_id``). A stream read for the first time stops after ``FIRST_READ_PAGES``
pages: every post read is billed under X's pay-per-use pricing.

X returns only ``id`` and ``text`` unless fields are asked for; a post without ``created_at`` takes
its time from its snowflake id. Authors are joined on ``author_id`` (stable) with
``includes.users``. The account's own posts are not mentions and are skipped. An edited post keeps
the id of its first version (``edit_history_tweet_ids[0]``), so an edit updates its mention.

Since February 2026 X accepts an API reply only to a post that mentions the account or quotes one
of its posts: Vigie checks that before sending and refuses, with the reason, otherwise.
"""

from __future__ import annotations

import base64
import re
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import BaseModel, Field, ValidationError, field_validator

from vigie.connectors.builtin.x.schemas import (
    CreatedAnswer,
    DmEventList,
    DmSentAnswer,
    Post,
    PostList,
    Problem,
    TokenAnswer,
    User,
    UserAnswer,
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
from vigie.connectors.normalise import aware_datetime, estimate_reach, snowflake_time
from vigie.connectors.platforms import runtime_gettext as _
from vigie.core.egress import EgressRefused, check_url

# ``note_tweet``: a post longer than 280 characters comes with its ``text`` cut ("…" and a link)
# and its whole text there, only when asked for.
TWEET_FIELDS = (
    "created_at,author_id,public_metrics,conversation_id,in_reply_to_user_id,referenced_tweets,lang,"
    "note_tweet"
)
# ``referenced_tweets.id`` brings the quoted posts (and their authors' ids): the reply rule needs
# to know whether a quote quotes the account.
EXPANSIONS = "author_id,referenced_tweets.id"
USER_FIELDS = "username,name,public_metrics"
PAGE_SIZE = 100
FIRST_READ_PAGES = 3
# X's windows are 15 minutes: without a reset header, wait for a whole one.
DEFAULT_RETRY_AFTER = 900.0
MENTIONS = "mentions"
SEARCH = "search"
DMS = "dms"
DM_FIELDS = "id,text,event_type,created_at,sender_id,dm_conversation_id,participant_ids"
# The mention kind of a direct message: routed to its author's open case, never answered in public.
PRIVATE_MESSAGE = "private_message"
X_WEB = "https://x.com"
REPLY_RULE = (
    "X refuse depuis février 2026 les réponses par API à un message qui ne mentionne pas @{username} "
    "et ne cite aucun de ses messages : répondez depuis X directement."
)
M = TypeVar("M", bound=BaseModel)


class XConfig(ConnectorConfig):
    """The app's bearer token, the account and the search query; OAuth 2.0 user tokens to reply."""

    base_url: str = Field(default="", description="Adresse de l'API X (par défaut https://api.x.com)")
    # Optional for the form's sake (a source may be saved before its app exists): without it the
    # source reads nothing and says it needs re-authorisation.
    bearer_token: str = Field(
        default="",
        description="Jeton « Bearer » de l'application (lecture)",
        json_schema_extra={"secret": True},
    )
    user_id: str = Field(description="Identifiant numérique du compte de l'organisation")
    query: str = Field(default="", description="Requête de recherche récente (7 derniers jours)")
    access_token: str = Field(
        default="",
        description="Jeton d'accès OAuth 2.0 du compte (pour répondre)",
        json_schema_extra={"secret": True},
    )
    refresh_token: str = Field(
        default="",
        description="Jeton de renouvellement OAuth 2.0 (portée offline.access)",
        json_schema_extra={"secret": True},
    )
    client_id: str = Field(default="", description="Identifiant client OAuth 2.0 de l'application")
    client_secret: str = Field(
        default="",
        description="Secret client OAuth 2.0 (client confidentiel)",
        json_schema_extra={"secret": True},
    )
    # Off by default: reading DMs needs the user token (scope dm.read) and every event read is billed.
    read_direct_messages: bool = Field(
        default=False,
        description="Lire les messages privés du compte (jeton OAuth 2.0, portée dm.read)",
    )

    @field_validator("user_id")
    @classmethod
    def _numeric_id(cls, value: str) -> str:
        if not value.isdigit():
            raise ValueError("the account id is a number (not the @name)")
        return value

    @field_validator("query")
    @classmethod
    def _query_length(cls, value: str) -> str:
        if len(value) > 512:
            raise ValueError("X accepts a search query of at most 512 characters")
        return value


class XConnector(Connector[XConfig]):
    """Reads mentions and a search of X; answers a post that mentions or quotes the account."""

    slug: ClassVar[str] = "x"
    label: ClassVar[str] = "X"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.FETCH,
            Capability.REPLY,
            Capability.DELETE_REPLY,
            Capability.DIRECT_MESSAGE,
            Capability.POST,
        }
    )
    Config: ClassVar[type[ConnectorConfig]] = XConfig
    default_poll_seconds: ClassVar[int] = 600
    default_base_url: ClassVar[str] = "https://api.x.com"
    kind: ClassVar[PlatformKind] = PlatformKind.SOCIAL
    reply_limit: ClassVar[LengthLimit | None] = LengthLimit(280, "weighted", url_weight=23)

    def __init__(self, config: XConfig, http: httpx.Client | None = None) -> None:
        super().__init__(config, http)
        # X rotates refresh tokens: the renewed pair is used from here on and handed to be stored.
        self._user_token = config.access_token
        self._refresh_token = config.refresh_token
        self._username = ""

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """Read the account with the bearer token and name it."""
        user = self._account()
        followers = user.public_metrics.followers_count if user.public_metrics else None
        if followers is None:
            return f"@{user.username} ({user.name})"
        return _("@%(username)s (%(name)s), %(followers)s abonnés") % {
            "username": user.username,
            "name": user.name,
            "followers": followers,
        }

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one page of the current stream; see the module docstring for the walk."""
        streams = [MENTIONS] + ([SEARCH] if self.config.query else [])
        streams += [DMS] if self.config.read_direct_messages else []
        index = cursor.get("stream", 0)
        if not isinstance(index, int) or not 0 <= index < len(streams):
            index = 0
        key = streams[index]
        since: dict[str, str] = dict(cursor.get("since") or {})
        pending = cursor.get("page") or {}
        if pending.get("key") != key:
            pending = {}
        if key == DMS:
            return self._dm_page(since, pending, index, len(streams))

        params: dict[str, str | int] = {
            "max_results": PAGE_SIZE,
            "tweet.fields": TWEET_FIELDS,
            "expansions": EXPANSIONS,
            "user.fields": USER_FIELDS,
        }
        if since.get(key):
            params["since_id"] = since[key]
        if key == MENTIONS:
            path = f"/2/users/{self.config.user_id}/mentions"
            if pending.get("token"):
                params["pagination_token"] = pending["token"]
        else:
            path = "/2/tweets/search/recent"
            params["query"] = self.config.query
            params["sort_order"] = "recency"
            if pending.get("token"):
                params["next_token"] = pending["token"]
        try:
            data = _json(self._send("GET", path, params=params, token=self.config.bearer_token))
        except ConnectorError as exc:
            # Recent search covers 7 days: after a longer pause the stored since_id is refused
            # ("must be a tweet id created after …"). Start again from the newest posts.
            if key != SEARCH or "since_id" not in exc.message or "since_id" not in params:
                raise
            params.pop("since_id")
            since.pop(key, None)
            data = _json(self._send("GET", path, params=params, token=self.config.bearer_token))
        _refuse_errors_only(data)
        listing = _model(PostList, data)
        raw_posts = data.get("data") or [] if isinstance(data, dict) else []
        items = self._mentions(listing, raw_posts, key)
        # The first page of a walk holds the newest posts: its newest id is where the next poll starts.
        newest = pending.get("newest") or listing.meta.newest_id
        pages = int(pending.get("pages") or 1)
        token = listing.meta.next_token
        # A token that comes back unchanged would serve the same page forever: the walk ends.
        repeated = token == pending.get("token")
        if token and listing.data and not repeated and not (not since.get(key) and pages >= FIRST_READ_PAGES):
            page_state = {"key": key, "token": token, "newest": newest, "pages": pages + 1}
            return Page(items, {"stream": index, "since": since, "page": page_state}, has_more=True)
        if newest:
            since[key] = newest
        if index + 1 < len(streams):
            return Page(items, {"stream": index + 1, "since": since}, has_more=True)
        return Page(items, {"stream": 0, "since": since}, has_more=False)

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Reply under ``mention`` with the account's user token, after checking X's rule."""
        self.check_reply_allowed(mention)
        target = str(mention.raw.get("id") or mention.external_id)
        body = {"text": text, "reply": {"in_reply_to_tweet_id": target}}
        response = self._user_call("POST", "/2/tweets", json=body)
        created = _model(CreatedAnswer, _json(response)).data
        return ReplyResult(external_id=created.id, url=self._post_url(created.id), raw=_json(response))

    def publish_post(self, text: str, *, idempotency_key: str) -> ReplyResult:
        """Post from the account (a crisis statement), with the user token. X takes no
        idempotency key: the statements' outbox sends once and never retries on its own."""
        response = self._user_call("POST", "/2/tweets", json={"text": text})
        created = _model(CreatedAnswer, _json(response)).data
        return ReplyResult(external_id=created.id, url=self._post_url(created.id), raw=_json(response))

    def _post_url(self, post_id: str) -> str:
        # Without the account's username (not read in this process), X's own /i/status/ link.
        return (
            f"{X_WEB}/{self._username}/status/{post_id}" if self._username else f"{X_WEB}/i/status/{post_id}"
        )

    def send_direct_message(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Write privately to ``mention``'s author (``POST /2/dm_conversations/with/:id/messages``,
        user context, scope dm.write). X takes no idempotency key: the outbox sends it once."""
        participant = str(mention.raw.get("sender_id") or "") or (
            mention.author.external_id if mention.author else ""
        )
        if not participant.isdigit() or participant == self.config.user_id:
            raise ConnectorError("X: pas de destinataire pour ce message privé", permanent=True)
        response = self._user_call(
            "POST", f"/2/dm_conversations/with/{participant}/messages", json={"text": text}
        )
        data = _json(response)
        sent = _model(DmSentAnswer, data).data
        url = f"{X_WEB}/messages/{sent.dm_conversation_id}" if sent.dm_conversation_id else ""
        return ReplyResult(external_id=sent.dm_event_id, url=url, raw=data)

    def delete_reply(self, mention: MentionIn, reply_external_id: str) -> None:
        """Delete our reply; one already gone counts as deleted."""
        try:
            self._user_call("DELETE", f"/2/tweets/{reply_external_id}")
        except ConnectorError as exc:
            if "HTTP 404" not in exc.message:
                raise

    def check_reply_allowed(self, mention: MentionIn) -> None:
        """Refuse, before sending, a reply X would refuse: the post must mention or quote us."""
        username = self._account().username
        quoted_ids = {ref.get("id") for ref in _refs(mention.raw, "quoted")}
        quotes_us = any(
            quoted.get("id") in quoted_ids and quoted.get("author_id") == self.config.user_id
            for quoted in mention.raw.get("quoted_tweets") or []
            if isinstance(quoted, dict)
        )
        if quotes_us or _mentions_handle(mention.text or str(mention.raw.get("text") or ""), username):
            return
        raise ConnectorError(REPLY_RULE.format(username=username), permanent=True)

    # --- reading ----------------------------------------------------------------------------

    def _dm_page(self, since: dict[str, str], pending: dict[str, Any], index: int, count: int) -> Page:
        """One page of ``GET /2/dm_events`` (newest first, no ``since_id``): the messages written
        to the account, down to the newest event read by the last poll."""
        params: dict[str, str | int] = {
            "max_results": PAGE_SIZE,
            "event_types": "MessageCreate",
            "dm_event.fields": DM_FIELDS,
            "expansions": "sender_id",
            "user.fields": USER_FIELDS,
        }
        if pending.get("token"):
            params["pagination_token"] = pending["token"]
        data = _json(self._user_call("GET", "/2/dm_events", params=params))
        listing = _model(DmEventList, data)
        raw_events = data.get("data") or [] if isinstance(data, dict) else []
        users = {user.id: user for user in listing.includes.users}
        newest_read = int(since.get(DMS) or 0)
        newest = int(pending.get("newest") or 0)
        items: list[MentionIn] = []
        reached_known = False
        for event, raw in zip(listing.data, raw_events, strict=False):
            event_id = int(event.id) if event.id.isdigit() else 0
            if newest_read and event_id <= newest_read:
                reached_known = True
                break
            newest = max(newest, event_id)
            if event.event_type not in ("", "MessageCreate") or not event.sender_id:
                continue
            if event.sender_id == self.config.user_id:
                continue  # the account's own message
            items.append(_dm_mention(event.model_dump(), raw, users))
        pages = int(pending.get("pages") or 1)
        token = listing.meta.next_token
        if token and listing.data and not reached_known and (newest_read or pages < FIRST_READ_PAGES):
            page_state = {"key": DMS, "token": token, "newest": str(newest), "pages": pages + 1}
            return Page(items, {"stream": index, "since": since, "page": page_state}, has_more=True)
        if newest:
            since[DMS] = str(max(newest, newest_read))
        if index + 1 < count:
            return Page(items, {"stream": index + 1, "since": since}, has_more=True)
        return Page(items, {"stream": 0, "since": since}, has_more=False)

    def _mentions(self, listing: PostList, raw_posts: list[Any], stream: str) -> list[MentionIn]:
        users = {user.id: user for user in listing.includes.users}
        included = {post.id: post for post in listing.includes.tweets}
        items: list[MentionIn] = []
        for post, raw in zip(listing.data, raw_posts, strict=False):
            if post.author_id == self.config.user_id:
                continue  # the account's own words: not a mention
            quoted = [
                included[ref.id].model_dump(include={"id", "author_id", "text"})
                for ref in post.referenced_tweets
                if ref.type == "quoted" and ref.id in included
            ]
            items.append(_to_mention(post, {**raw, "quoted_tweets": quoted, "stream": stream}, users))
        return items

    def _account(self) -> User:
        user = _model(
            UserAnswer,
            _json(
                self._send(
                    "GET",
                    f"/2/users/{self.config.user_id}",
                    params={"user.fields": USER_FIELDS},
                    token=self.config.bearer_token,
                )
            ),
        ).data
        self._username = user.username
        return user

    # --- HTTP -------------------------------------------------------------------------------

    def _user_call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str | int] | None = None,
    ) -> httpx.Response:
        """A call in the account's name: renew the user token once when X refuses it."""
        if not self._user_token and not self._refresh_token:
            raise ConnectorError(
                "répondre sur X demande un jeton OAuth 2.0 du compte (access_token ou refresh_token)",
                needs_reauth=True,
            )
        if not self._user_token:
            self._renew()
        try:
            return self._send(method, path, json=json, params=params, token=self._user_token)
        except ConnectorError as exc:
            if not (exc.needs_reauth and self._refresh_token):
                raise
        self._renew()
        return self._send(method, path, json=json, params=params, token=self._user_token)

    def _renew(self) -> None:
        if not self._refresh_token or not self.config.client_id:
            raise ConnectorError(
                "le jeton OAuth 2.0 du compte X a expiré : reconnectez le compte", needs_reauth=True
            )
        headers: dict[str, str] = {}
        form = {"grant_type": "refresh_token", "refresh_token": self._refresh_token}
        if self.config.client_secret:
            pair = f"{self.config.client_id}:{self.config.client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        else:
            form["client_id"] = self.config.client_id
        response = self._send("POST", "/2/oauth2/token", data=form, headers=headers, token="")
        token = _model(TokenAnswer, _json(response))
        self._user_token = token.access_token
        self._refresh_token = token.refresh_token or self._refresh_token
        # X's refresh tokens are single-use: the new pair must replace the stored one.
        self.secrets_renewed({"access_token": self._user_token, "refresh_token": self._refresh_token})

    def _send(
        self,
        method: str,
        path: str,
        *,
        token: str,
        params: dict[str, str | int] | None = None,
        json: dict[str, Any] | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        url = f"{self.base_url}{path}"
        if token == "" and path != "/2/oauth2/token":
            raise ConnectorError(_("X: aucun jeton « Bearer » configuré pour lire"), needs_reauth=True)
        try:
            check_url(url)
        except EgressRefused as exc:
            raise ConnectorError(
                _("%(platform)s: adresse refusée (%(reason)s)") % {"platform": "X", "reason": exc},
                permanent=True,
            ) from None
        all_headers = {"Accept": "application/json"}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        all_headers.update(headers or {})
        try:
            response = self.http.request(
                method, url, params=params, json=json, data=data, headers=all_headers
            )
        except httpx.HTTPError as exc:
            raise ConnectorError(f"X unreachable ({type(exc).__name__})") from None
        if response.status_code >= 400:
            raise _error_for(response)
        return response


def _error_for(response: httpx.Response) -> ConnectorError:
    status = response.status_code
    message = _platform_message(response)
    text = f"X HTTP {status}: {message}" if message else f"X HTTP {status}"
    if status == 429:
        return RateLimited(
            text, retry_after=retry_after(response, DEFAULT_RETRY_AFTER, reset_header="x-rate-limit-reset")
        )
    if status == 401:
        return ConnectorError(text, needs_reauth=True)
    if status == 400 and "invalid_grant" in text:
        return ConnectorError(text, needs_reauth=True)
    if status >= 500:
        return ConnectorError(text)
    return ConnectorError(text, permanent=True)


def _platform_message(response: httpx.Response) -> str:
    try:
        problem = Problem.model_validate(response.json())
    except (ValueError, ValidationError):
        return ""
    parts = [problem.detail or problem.title or problem.error_description]
    parts += [error.message or error.detail for error in problem.errors[:2]]
    return "; ".join(part for part in parts if part)[:500]


def _refuse_errors_only(data: Any) -> None:
    """X answers HTTP 200 with only ``errors`` when the request itself names nothing it can read
    (a ``user_id`` that does not exist or was suspended): a failure to say, not an empty page."""
    if not isinstance(data, dict) or "data" in data or "meta" in data:
        return
    errors = data.get("errors")
    if not isinstance(errors, list) or not errors:
        return
    first = errors[0] if isinstance(errors[0], dict) else {}
    detail = str(first.get("detail") or first.get("title") or first.get("message") or "")[:300]
    raise ConnectorError(f"X HTTP 200: {detail}" if detail else "X answered errors only", permanent=True)


def _refs(raw: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    refs = raw.get("referenced_tweets") or []
    return [ref for ref in refs if isinstance(ref, dict) and ref.get("type") == kind]


def _mentions_handle(text: str, username: str) -> bool:
    if not username:
        return False
    # "@acme" but not "@acme_fr": a handle ends where word characters end.
    return re.search(rf"(?<![\w@])@{re.escape(username)}(?!\w)", text, re.IGNORECASE) is not None


def _to_mention(post: Post, raw: dict[str, Any], users: dict[str, User]) -> MentionIn:
    """An X post as a ``MentionIn``, keyed by the id of its first version."""
    first_id = post.edit_history_tweet_ids[0] if post.edit_history_tweet_ids else post.id
    created = aware_datetime(post.created_at) if post.created_at else snowflake_time(first_id)
    if created is None:
        raise ConnectorError(f"X post {post.id}: no creation time and an id that is not a snowflake")
    user = users.get(post.author_id or "")
    followers = user.public_metrics.followers_count if user and user.public_metrics else None
    author = None
    if post.author_id:
        author = AuthorIn(
            external_id=post.author_id,
            handle=user.username if user else "",
            display_name=user.name if user else "",
            profile_url=f"{X_WEB}/{user.username}" if user and user.username else "",
            followers_count=followers,
        )
    replied_to = next((ref.id for ref in post.referenced_tweets if ref.type == "replied_to"), "")
    metrics = post.public_metrics
    likes = metrics.like_count if metrics else 0
    shares = (metrics.retweet_count + metrics.quote_count) if metrics else 0
    replies = metrics.reply_count if metrics else 0
    handle = user.username if user and user.username else "i"
    reach = estimate_reach(followers, likes, shares, replies)
    return MentionIn(
        external_id=first_id,
        kind="reply" if replied_to else "post",
        created_at=created,
        text=post.note_tweet.text if post.note_tweet and post.note_tweet.text else post.text,
        url=f"{X_WEB}/{handle}/status/{post.id}",
        author=author,
        parent_external_id=replied_to,
        likes=likes,
        shares=shares,
        replies_count=replies,
        reach=max(reach, metrics.impression_count if metrics else 0),
        language="" if post.lang in {None, "und", "qme", "zxx", "qht", "qam", "qst"} else str(post.lang),
        raw=raw,
    )


def _dm_mention(event: dict[str, Any], raw: dict[str, Any], users: dict[str, User]) -> MentionIn:
    """A direct message written to the account, keyed by its event id."""
    created = aware_datetime(event["created_at"]) if event.get("created_at") else snowflake_time(event["id"])
    if created is None:
        raise ConnectorError(f"X direct message {event['id']}: no creation time")
    sender_id = str(event.get("sender_id") or "")
    user = users.get(sender_id)
    conversation = str(event.get("dm_conversation_id") or "")
    return MentionIn(
        external_id=str(event["id"]),
        kind=PRIVATE_MESSAGE,
        created_at=created,
        text=str(event.get("text") or ""),
        url=f"{X_WEB}/messages/{conversation}" if conversation else "",
        author=AuthorIn(
            external_id=sender_id,
            handle=user.username if user else "",
            display_name=user.name if user else "",
            profile_url=f"{X_WEB}/{user.username}" if user and user.username else "",
        ),
        raw={**raw, "stream": DMS},
    )


def _json(response: httpx.Response) -> Any:
    return decode_json(response, "X")


def _model(model: type[M], data: Any) -> M:
    return parse_payload(model, data, "X")
