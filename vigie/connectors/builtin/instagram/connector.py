"""Instagram (professional account, Graph API): comments and replies on the account's media,
@mentions and tags; answers, moderation, Instagram Direct private replies; Meta webhooks.

One poll walks its phases, one Graph page per ``fetch`` call (``has_more`` asks for the next):

1. ``media``: ``/{ig-user-id}/media`` published within ``lookback_days`` (``since``); every media whose
   ``comments_count`` changed since the last poll is queued for its comments.
2. ``comments``: ``/{ig-media-id}/comments`` for each queued media, with their ``replies``
   nested (a reply's ``parent_id`` is its top-level comment); then ``replies``: the rest of the
   replies of a comment whose nested page has a next one (``/{ig-comment-id}/replies``).
3. ``tags``: ``/{ig-user-id}/tags``, the media others tagged the account in, newest first down to
   the newest already read.

4. ``messages`` (only with ``read_messages``): ``/{ig-user-id}/conversations?platform=instagram``,
   the Direct messages written to the account since the last poll.

Direct messages also arrive by webhook (``messages`` field): private messages, routed into their
author's open case. @mentions of the account in others' captions and comments arrive by webhook only (``mentions``
field: ids only, the text is then read with ``mentioned_comment`` / ``mentioned_media``). The
account's own comments are not mentions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from pydantic import Field, field_validator

from vigie.connectors.builtin.facebook.graph import PayloadError, RetryLater, graph_time, verify_signature
from vigie.connectors.builtin.facebook.meta import MetaConfig, MetaConnector
from vigie.connectors.builtin.instagram.schemas import IgAccount, IgComment, IgMedia, IgUser
from vigie.connectors.contract import (
    AuthorIn,
    Capability,
    ConnectorConfig,
    ConnectorError,
    LengthLimit,
    MentionIn,
    Page,
    PlatformKind,
    ReplyFormat,
    ReplyResult,
    WebhookRequest,
)
from vigie.connectors.normalise import estimate_reach
from vigie.connectors.platforms import runtime_gettext as _

PAGE_SIZE = 25
MEDIA_FIELDS = "id,caption,timestamp,permalink,username,media_type,like_count,comments_count"
_COMMENT = "id,text,timestamp,username,like_count,hidden,from{id,username},parent_id"
COMMENT_FIELDS = f"{_COMMENT},replies{{{_COMMENT}}}"
SEEN_MEDIA = 300
# Comments whose replies go on past the nested page, read in full in one walk at most.
MAX_MORE_REPLIES = 50
INSTAGRAM = "https://www.instagram.com"


class InstagramConfig(MetaConfig):
    """The professional account, its access token and the Meta app's secret."""

    ig_user_id: str = Field(description="Identifiant du compte Instagram professionnel (17841…)")
    access_token: str = Field(
        min_length=8,
        description="Jeton d'accès longue durée (page liée ou connexion Instagram)",
        json_schema_extra={"secret": True},
    )
    read_tags: bool = Field(default=True, description="Lire les publications où le compte est identifié")

    @field_validator("ig_user_id")
    @classmethod
    def _numeric(cls, value: str) -> str:
        if not value.isdigit():
            raise ValueError("an Instagram account id is a number, e.g. 17841405829374651")
        return value


class InstagramConnector(MetaConnector[InstagramConfig]):
    """Reads the comments and mentions of an Instagram professional account and answers them."""

    slug: ClassVar[str] = "instagram"
    label: ClassVar[str] = "Instagram"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.FETCH,
            Capability.WEBHOOK,
            Capability.REPLY,
            Capability.EDIT_REPLY,
            Capability.DELETE_REPLY,
            Capability.HIDE_COMMENT,
            Capability.DELETE_COMMENT,
            Capability.DIRECT_MESSAGE,
        }
    )
    Config: ClassVar[type[ConnectorConfig]] = InstagramConfig
    default_poll_seconds: ClassVar[int] = 900
    kind: ClassVar[PlatformKind] = PlatformKind.SOCIAL
    # Graph takes no idempotency key: a retried comment after a timeout could appear twice.
    reply_idempotent: ClassVar[bool] = False
    # A comment holds at most 2,200 characters; links in it are not clickable.
    reply_limit: ClassVar[LengthLimit | None] = LengthLimit(2200)
    reply_format: ClassVar[ReplyFormat] = ReplyFormat.PLAIN_TEXT_NO_LINKS
    # Meta's webhook callback is served by the Facebook connector's module, for both platforms.
    urls: ClassVar[str | None] = None
    webhook_url_name: ClassVar[str] = "meta_webhook"
    webhook_object: ClassVar[str] = "instagram"
    messaging_platform: ClassVar[str] = "instagram"

    @property
    def token(self) -> str:
        return self.config.access_token

    @property
    def account_id(self) -> str:
        return self.config.ig_user_id

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """Name the account reached and warn of a token expiring soon."""
        data = self.graph.call("GET", f"/{self.account_id}", {"fields": "id,username,name,followers_count"})
        account = self.graph.model(IgAccount, data)
        names = {"username": account.username or account.id, "id": account.id}
        if account.followers_count is not None:
            reached = _("@%(username)s (%(id)s), %(followers)s abonnés") % {
                **names,
                "followers": account.followers_count,
            }
        else:
            reached = "@{username} ({id})".format(**names)
        return reached + self.expiry_warning() + self.verify_token_line()

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one Graph page of the current phase; see the module docstring for the walk."""
        phase = cursor.get("phase") or "media"
        if phase == "messages":
            return self.paced(self.messages_page(cursor))
        if phase == "comments":
            return self.paced(self.then_messages(self._comments_page(cursor), cursor))
        if phase == "replies":
            return self.paced(self.then_messages(self._replies_page(cursor), cursor))
        if phase == "tags":
            return self.paced(self.then_messages(self._tags_page(cursor), cursor))
        return self.paced(self.then_messages(self._media_page(cursor), cursor))

    def parse_webhook(self, request: WebhookRequest) -> list[MentionIn]:
        """Check the signature, then read the ``comments`` and ``mentions`` changes about this
        account. A mention only carries ids: its text is read from the Graph API here, and a
        failure answers an error so that Meta delivers it again (nothing is lost)."""
        data = verify_signature(self.config.app_secret, request)
        mentions: list[MentionIn] = []
        for entry in self.delivery_entries(data):
            # Instagram Direct messages (``messages`` field): private, never answered in public.
            mentions.extend(self.messaging_items(entry))
            changes = entry.get("changes") or []
            for change in changes if isinstance(changes, list) else []:
                if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                    continue
                value, field = change["value"], change.get("field")
                if field == "comments":
                    mention = self._from_comment_change(value, entry.get("time"))
                    if mention is not None:
                        mentions.append(mention)
                elif field == "mentions":
                    try:
                        mentions.append(self._from_mention_change(value))
                    except ConnectorError as exc:
                        raise RetryLater(exc.message) from None
        return mentions

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Answer under ``mention``: a comment on our media by ``/replies`` (a reply to a reply goes
        to its top-level comment), a mention elsewhere by ``/{ig-user-id}/mentions``."""
        raw = mention.raw
        mentioned = raw.get("mentioned")
        if isinstance(mentioned, dict) or mention.kind == "post":
            body: dict[str, Any] = {"message": text}
            if isinstance(mentioned, dict):
                body["media_id"] = str(mentioned.get("media_id") or "")
                if mentioned.get("comment_id"):
                    body["comment_id"] = str(mentioned["comment_id"])
            else:
                body["media_id"] = mention.external_id
            data = self.graph.call("POST", f"/{self.account_id}/mentions", json_body=body)
            return ReplyResult(external_id=str((data or {}).get("id") or ""), raw=data)
        if raw.get("hidden") is True:
            raise ConnectorError(
                "Instagram does not allow answering a hidden comment: show it again, or answer privately",
                permanent=True,
            )
        target = str(raw.get("parent_id") or "") or mention.external_id
        return self._comment(target, "replies", text)

    def hide_item(self, mention: MentionIn, *, hidden: bool = True) -> None:
        """Hide the comment from everyone but its author (or show it again)."""
        self.graph.call("POST", f"/{mention.external_id}", {"hide": "true" if hidden else "false"})

    # --- phases -----------------------------------------------------------------------------

    def _media_page(self, cursor: dict[str, Any]) -> Page:
        seen: dict[str, int] = dict(cursor.get("seen") or {})
        queue: list[dict[str, str]] = list(cursor.get("queue") or [])
        since = int((datetime.now(tz=UTC) - timedelta(days=self.config.lookback_days)).timestamp())
        params = {"fields": MEDIA_FIELDS, "limit": PAGE_SIZE, "since": since}
        entries, after = self.graph.list_page(f"/{self.account_id}/media", params, cursor.get("after"))
        for raw in entries:
            media = self.graph.model(IgMedia, raw)
            queued = {entry["id"] for entry in queue}
            if media.comments_count and seen.get(media.id) != media.comments_count and media.id not in queued:
                queue.append({"id": media.id, "permalink": media.permalink, "owner": media.username})
            seen[media.id] = media.comments_count
        base = {"seen": _trim(seen), "tags_newest": cursor.get("tags_newest", "")}
        if after:
            return Page([], {**base, "phase": "media", "after": after, "queue": queue}, has_more=True)
        return Page([], {**base, "phase": "comments", "queue": queue}, has_more=True)

    def _comments_page(self, cursor: dict[str, Any]) -> Page:
        queue: list[dict[str, str]] = list(cursor.get("queue") or [])
        more: list[dict[str, Any]] = list(cursor.get("more_replies") or [])
        base = {
            "seen": cursor.get("seen") or {},
            "tags_newest": cursor.get("tags_newest", ""),
            "more_replies": more,
        }
        if not queue:
            return self._after_comments(base)
        media = queue[0]
        params = {"fields": COMMENT_FIELDS, "limit": PAGE_SIZE}
        entries, after = self._list_unless_gone(f"/{media['id']}/comments", params, cursor.get("after"))
        items: list[MentionIn] = []
        for raw in entries:
            items.extend(self._comment_and_replies(raw, media))
            following = _more_replies(raw)
            if following and len(more) < MAX_MORE_REPLIES:
                # The comment's replies go on past the page nested in it: read the rest later.
                more.append({"comment": str(raw.get("id") or ""), "after": following, "media": media})
        if after:
            return Page(items, {**base, "phase": "comments", "queue": queue, "after": after}, has_more=True)
        if queue[1:]:
            return Page(items, {**base, "phase": "comments", "queue": queue[1:]}, has_more=True)
        page = self._after_comments(base)
        return Page(items, page.next_cursor, has_more=page.has_more)

    def _list_unless_gone(
        self, path: str, params: dict[str, Any], after: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of ``path``'s edge, or nothing when its object (a media, a comment) was deleted
        since it was read (Graph error subcode 33): the walk goes on with the next one."""
        try:
            return self.graph.list_page(path, params, after)
        except ConnectorError as exc:
            if "subcode 33)" not in exc.message:
                raise
            return [], None

    def _replies_page(self, cursor: dict[str, Any]) -> Page:
        """The replies of a comment past the first page nested in it (``/{comment-id}/replies``)."""
        more: list[dict[str, Any]] = [
            entry for entry in cursor.get("more_replies") or [] if entry.get("comment")
        ]
        base = {"seen": cursor.get("seen") or {}, "tags_newest": cursor.get("tags_newest", "")}
        if not more:
            return self._after_comments({**base, "more_replies": []})
        head = more[0]
        media: dict[str, str] = dict(head.get("media") or {})
        params = {"fields": _COMMENT, "limit": PAGE_SIZE}
        entries, after = self._list_unless_gone(f"/{head['comment']}/replies", params, head.get("after"))
        items: list[MentionIn] = []
        for raw in entries:
            reply = self.graph.model(IgComment, _with_sender(raw))
            if self._is_own(reply, media.get("owner", "")):
                continue
            full = {**raw, "parent_id": reply.parent_id or head["comment"], "media_id": media.get("id", "")}
            items.append(_comment_mention(reply, full, media))
        rest = ([{**head, "after": after}] if after else []) + more[1:]
        if rest:
            return Page(items, {**base, "phase": "replies", "more_replies": rest}, has_more=True)
        page = self._after_comments({**base, "more_replies": []})
        return Page(items, page.next_cursor, has_more=page.has_more)

    def _after_comments(self, base: dict[str, Any]) -> Page:
        if base.get("more_replies"):
            return Page([], {**base, "phase": "replies"}, has_more=True)
        base = {key: value for key, value in base.items() if key != "more_replies"}
        if self.config.read_tags:
            return Page([], {**base, "phase": "tags"}, has_more=True)
        return Page([], {**base, "phase": "media"}, has_more=False)

    def _tags_page(self, cursor: dict[str, Any]) -> Page:
        newest_read = str(cursor.get("tags_newest") or "")
        walk_newest = str(cursor.get("walk_newest") or newest_read)
        base = {"seen": cursor.get("seen") or {}, "phase": "media"}
        params = {"fields": MEDIA_FIELDS, "limit": PAGE_SIZE}
        entries, after = self.graph.list_page(f"/{self.account_id}/tags", params, cursor.get("after"))
        items: list[MentionIn] = []
        reached_known = False
        for raw in entries:
            media = self.graph.model(IgMedia, raw)
            stamp = graph_time(media.timestamp).isoformat() if media.timestamp else ""
            if newest_read and stamp and stamp <= newest_read:
                reached_known = True
                break
            walk_newest = max(walk_newest, stamp)
            items.append(_media_mention(media, raw))
        if after and not reached_known:
            state = {
                **base,
                "phase": "tags",
                "after": after,
                "tags_newest": newest_read,
                "walk_newest": walk_newest,
            }
            return Page(items, state, has_more=True)
        return Page(items, {**base, "tags_newest": walk_newest})

    # --- mapping ----------------------------------------------------------------------------

    def _comment_and_replies(self, raw: dict[str, Any], media: dict[str, str]) -> list[MentionIn]:
        found: list[MentionIn] = []
        comment = self.graph.model(IgComment, _with_sender(raw))
        if not self._is_own(comment, media.get("owner", "")):
            found.append(_comment_mention(comment, {**raw, "media_id": media["id"]}, media))
        replies = raw.get("replies")
        for reply_raw in (replies.get("data") or []) if isinstance(replies, dict) else []:
            if not isinstance(reply_raw, dict):
                continue
            reply = self.graph.model(IgComment, _with_sender(reply_raw))
            if self._is_own(reply, media.get("owner", "")):
                continue
            full = {**reply_raw, "parent_id": reply.parent_id or comment.id, "media_id": media["id"]}
            found.append(_comment_mention(reply, full, media))
        return found

    def _is_own(self, comment: IgComment, owner_username: str) -> bool:
        if comment.from_ is not None and comment.from_.id:
            return comment.from_.id == self.account_id
        return bool(owner_username) and comment.username == owner_username

    def _from_comment_change(self, value: dict[str, Any], entry_time: Any) -> MentionIn | None:
        comment_id = str(value.get("id") or "")
        if not comment_id:
            raise PayloadError("an Instagram comments change without id")
        sender: dict[str, Any] = value["from"] if isinstance(value.get("from"), dict) else {}
        if str(sender.get("id") or "") == self.account_id:
            return None
        media: dict[str, Any] = value["media"] if isinstance(value.get("media"), dict) else {}
        media_id = str(media.get("id") or "")
        parent = str(value.get("parent_id") or "")
        user = IgUser.model_validate(sender)
        return MentionIn(
            external_id=comment_id,
            kind="reply" if parent else "comment",
            created_at=_webhook_time(value.get("timestamp"), entry_time),
            text=str(value.get("text") or ""),
            url=f"{INSTAGRAM}/",
            author=_author(user, user.username, f"comment:{comment_id}"),
            parent_external_id=parent or media_id,
            raw={**value, "media_id": media_id},
        )

    def _from_mention_change(self, value: dict[str, Any]) -> MentionIn:
        media_id = str(value.get("media_id") or "")
        comment_id = str(value.get("comment_id") or "")
        if not media_id:
            raise PayloadError("an Instagram mentions change without media_id")
        mentioned = {"media_id": media_id, "comment_id": comment_id}
        if comment_id:
            fields = f"mentioned_comment.comment_id({comment_id}){{id,text,timestamp,like_count,username,from{{id,username}}}}"
            data = self.graph.call("GET", f"/{self.account_id}", {"fields": fields})
            raw = dict((data or {}).get("mentioned_comment") or {})
            comment = self.graph.model(IgComment, _with_sender({"id": comment_id, **raw}))
            return MentionIn(
                external_id=comment_id,
                kind="comment",
                created_at=_webhook_time(comment.timestamp, None),
                text=comment.text,
                url=f"{INSTAGRAM}/",
                author=_author(comment.from_, comment.username, f"comment:{comment_id}"),
                parent_external_id=media_id,
                likes=comment.like_count,
                raw={**raw, "mentioned": mentioned},
            )
        fields = f"mentioned_media.media_id({media_id}){{{MEDIA_FIELDS}}}"
        data = self.graph.call("GET", f"/{self.account_id}", {"fields": fields})
        raw = dict((data or {}).get("mentioned_media") or {})
        media = self.graph.model(IgMedia, {"id": media_id, **raw})
        return _media_mention(media, {**raw, "mentioned": mentioned})


def _more_replies(raw: dict[str, Any]) -> str:
    """The ``after`` cursor of the replies nested in a comment, when they go on past that page."""
    replies = raw.get("replies")
    paging = replies.get("paging") if isinstance(replies, dict) else None
    if not isinstance(paging, dict) or not paging.get("next"):
        return ""
    cursors = paging.get("cursors")
    return str(cursors.get("after") or "") if isinstance(cursors, dict) else ""


def _with_sender(raw: dict[str, Any]) -> dict[str, Any]:
    # ``from`` is a Python keyword: the models call the field ``from_``.
    return {**raw, "from_": raw.get("from")}


def _author(user: IgUser | None, username: str, fallback: str) -> AuthorIn:
    """The author by Instagram's stable (app-scoped) id; the username is only a handle, which
    people change. Meta leaves ``from`` out in some answers: the item's id then stands in."""
    handle = (user.username if user else "") or username
    if user is None or not user.id:
        return AuthorIn(external_id=fallback, handle=handle, display_name=handle)
    return AuthorIn(
        external_id=user.id,
        handle=handle,
        display_name=handle,
        profile_url=f"{INSTAGRAM}/{handle}/" if handle else "",
    )


def _comment_mention(comment: IgComment, raw: dict[str, Any], media: dict[str, str]) -> MentionIn:
    parent = str(raw.get("parent_id") or "")
    return MentionIn(
        external_id=comment.id,
        kind="reply" if parent else "comment",
        created_at=graph_time(comment.timestamp),
        text=comment.text,
        url=media.get("permalink") or f"{INSTAGRAM}/",
        author=_author(comment.from_, comment.username, f"comment:{comment.id}"),
        parent_external_id=parent or media["id"],
        likes=comment.like_count,
        reach=estimate_reach(None, comment.like_count),
        raw=raw,
    )


def _media_mention(media: IgMedia, raw: dict[str, Any]) -> MentionIn:
    """A media by someone else that names the account (tagged or @mentioned in its caption)."""
    return MentionIn(
        external_id=media.id,
        kind="post",
        created_at=_webhook_time(media.timestamp, None),
        text=media.caption,
        url=media.permalink or f"{INSTAGRAM}/",
        # Graph gives the owner's id of a media only to its owner: the handle is all there is.
        author=_author(None, media.username, f"media:{media.id}"),
        likes=media.like_count,
        replies_count=media.comments_count,
        reach=estimate_reach(None, media.like_count, 0, media.comments_count),
        raw=raw,
    )


def _webhook_time(value: Any, fallback: Any) -> datetime:
    for candidate in (value, fallback):
        if candidate not in (None, ""):
            try:
                return graph_time(candidate)
            except ValueError:
                continue
    return datetime.now(tz=UTC)


def _trim(seen: dict[str, int]) -> dict[str, int]:
    if len(seen) <= SEEN_MEDIA:
        return seen
    return dict(list(seen.items())[-SEEN_MEDIA:])
