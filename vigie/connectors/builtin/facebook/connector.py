"""Facebook Pages: comments and replies on the Page's posts, visitors' posts, ratings; answers,
moderation and Messenger private replies; Meta webhooks (``feed``) beside polling.

One poll walks its phases, one Graph page per ``fetch`` call, asking for the next at once
(``has_more``):

1. ``feed``: ``/{page-id}/feed`` for posts created within ``lookback_days``. Visitors' posts are
   mentions; every post whose ``updated_time`` moved since the last poll (Meta moves it when a
   comment is added) is queued for its comments.
2. ``comments``: ``/{post-id}/comments?filter=stream`` for each queued post: comments and replies
   in one flat list (a reply names its ``parent``), paged by ``paging.cursors.after``.
3. ``ratings``: ``/{page-id}/ratings`` (recommendations), newest first down to the newest already
   read. Graph v22.0 and later no longer serve them (error 12): the phase is then skipped and
   "test the connection" says so.

4. ``messages`` (only with ``read_messages``): ``/{page-id}/conversations?platform=messenger``,
   the Messenger messages written to the Page since the last poll (``facebook.messages``).

The Page's own posts and comments are not mentions (they are the organisation's own words).
Deletions come by webhook (``verb: remove``): the mention is kept and marked deleted. Polling finds
them too, for the posts it reads again: a comment stored before and missing from the complete
listing of its post's comments (every page read, no error) is marked deleted. Messenger
messages also come by webhook (``messages`` field): they are private messages (kind
``private_message``), routed into their author's open case, never answered in public.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field, field_validator

from vigie.connectors.builtin.facebook.graph import PayloadError, graph_time, verify_signature
from vigie.connectors.builtin.facebook.meta import MetaConfig, MetaConnector
from vigie.connectors.builtin.facebook.schemas import Comment, PageInfo, Post, Rating, Sender
from vigie.connectors.contract import (
    AuthorIn,
    Capability,
    ConnectorConfig,
    ConnectorError,
    LengthLimit,
    MentionIn,
    Page,
    PlatformKind,
    ReplyResult,
    WebhookRequest,
)
from vigie.connectors.normalise import estimate_reach
from vigie.connectors.platforms import gettext_noop
from vigie.connectors.platforms import runtime_gettext as _

PAGE_SIZE = 25
# Ratings are no longer served from this Graph version on (the edge answers error 12).
RATINGS_LAST_VERSION = 21
# Kept in French in the cursor; shown in the reader's language by the connection test.
RATINGS_GONE = gettext_noop(
    "avis et recommandations non lus : l'API Graph ne les sert plus à partir de la version 22.0"
)
POST_FIELDS = (
    "id,message,story,created_time,updated_time,permalink_url,from,shares,"
    "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
)
COMMENT_FIELDS = "id,from,message,created_time,like_count,comment_count,permalink_url,parent{id},is_hidden,can_reply_privately"
RATING_FIELDS = (
    "created_time,recommendation_type,review_text,reviewer,rating,has_rating,has_review,open_graph_story"
)
# How many posts' last-seen update times the cursor remembers.
SEEN_POSTS = 300
# The most comment ids of one post the cursor carries while their pages are read: a post with more
# is read all the same, but its listing is not used to find deleted comments.
MAX_LISTED_COMMENTS = 2000
FACEBOOK = "https://www.facebook.com"


class FacebookConfig(MetaConfig):
    """The Page, its long-lived Page access token and the Meta app's secret."""

    page_id: str = Field(description="Identifiant numérique de la page Facebook")
    page_access_token: str = Field(
        min_length=8,
        description="Jeton d'accès de page longue durée",
        json_schema_extra={"secret": True},
    )
    read_visitor_posts: bool = Field(default=True, description="Lire les publications des visiteurs")
    read_ratings: bool = Field(default=True, description="Lire les avis et recommandations")

    @field_validator("page_id")
    @classmethod
    def _numeric(cls, value: str) -> str:
        if not value.isdigit():
            raise ValueError("a Page id is a number, e.g. 104365123456789")
        return value


class FacebookConnector(MetaConnector[FacebookConfig]):
    """Reads a Facebook Page's conversations; answers, moderates and writes on Messenger."""

    slug: ClassVar[str] = "facebook"
    label: ClassVar[str] = "Facebook"
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
            Capability.DETECTS_DELETIONS,
            Capability.POST,
        }
    )
    Config: ClassVar[type[ConnectorConfig]] = FacebookConfig
    default_poll_seconds: ClassVar[int] = 600
    kind: ClassVar[PlatformKind] = PlatformKind.SOCIAL
    # Graph takes no idempotency key: a retried comment after a timeout could appear twice.
    reply_idempotent: ClassVar[bool] = False
    # A comment holds at most 8,000 characters.
    reply_limit: ClassVar[LengthLimit | None] = LengthLimit(8000)
    urls: ClassVar[str | None] = "vigie.connectors.builtin.facebook.urls"
    webhook_url_name: ClassVar[str] = "meta_webhook"
    webhook_object: ClassVar[str] = "page"
    messaging_platform: ClassVar[str] = "messenger"

    @property
    def token(self) -> str:
        return self.config.page_access_token

    @property
    def account_id(self) -> str:
        return self.config.page_id

    @property
    def ratings_served(self) -> bool:
        version = self.graph_major_version
        return version is None or version <= RATINGS_LAST_VERSION

    # --- contract ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        """Name the Page reached, say whether ratings are served, warn of a token expiring."""
        data = self.graph.call("GET", f"/{self.config.page_id}", {"fields": "id,name,link,followers_count"})
        page = self.graph.model(PageInfo, data)
        names = {"name": page.name or page.id, "id": page.id, "followers": page.followers_count}
        if page.followers_count is not None:
            line = _("Page « %(name)s » (%(id)s), %(followers)s abonnés") % names
        else:
            line = _("Page « %(name)s » (%(id)s)") % names
        if self.config.read_ratings and not self.ratings_served:
            line += _(" ; %(note)s") % {"note": _(RATINGS_GONE)}
        return line + self.expiry_warning() + self.verify_token_line()

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """Read one Graph page of the current phase; see the module docstring for the walk."""
        phase = cursor.get("phase") or "feed"
        if phase == "messages":
            return self.paced(self.messages_page(cursor))
        if phase == "comments":
            return self.paced(self.then_messages(self._comments_page(cursor), cursor))
        if phase == "ratings":
            return self.paced(self.then_messages(self._ratings_page(cursor), cursor))
        return self.paced(self.then_messages(self._feed_page(cursor), cursor))

    def parse_webhook(self, request: WebhookRequest) -> list[MentionIn]:
        """Check the signature, then read the ``feed`` changes about this Page (comments and
        visitors' posts added, edited or removed: removed ones come back marked deleted) and the
        Messenger messages written to it (``messaging`` events of the ``messages`` field), which
        become private messages: kind ``private_message``, never answered in public.
        """
        data = verify_signature(self.config.app_secret, request)
        mentions: list[MentionIn] = []
        for entry in self.delivery_entries(data):
            mentions.extend(self.messaging_items(entry))
            changes = entry.get("changes") or []
            for change in changes if isinstance(changes, list) else []:
                if not isinstance(change, dict) or change.get("field") != "feed":
                    continue
                value = change.get("value")
                if isinstance(value, dict):
                    mention = self._from_feed_change(value, entry.get("time"))
                    if mention is not None:
                        mentions.append(mention)
        return mentions

    def publish_reply(self, mention: MentionIn, text: str, *, idempotency_key: str) -> ReplyResult:
        """Comment under ``mention``: a reply to a reply goes to its thread (Facebook nests one
        level), a rating is answered on its story."""
        return self._comment(_reply_target(mention), "comments", text)

    def publish_post(self, text: str, *, idempotency_key: str) -> ReplyResult:
        """Publish on the page's feed (a crisis statement) with the page token. The Graph API
        takes no idempotency key: the statements' outbox sends once and never retries on its own."""
        published = self._comment(self.config.page_id, "feed", text)
        return ReplyResult(
            external_id=published.external_id, url=f"{FACEBOOK}/{published.external_id}", raw=published.raw
        )

    def hide_item(self, mention: MentionIn, *, hidden: bool = True) -> None:
        """Hide the comment from everyone but its author and their friends (or show it again)."""
        self.graph.call("POST", f"/{mention.external_id}", json_body={"is_hidden": hidden})

    # --- phases -----------------------------------------------------------------------------

    def _feed_page(self, cursor: dict[str, Any]) -> Page:
        seen: dict[str, str] = dict(cursor.get("seen") or {})
        queue: list[str] = list(cursor.get("queue") or [])
        since = int((datetime.now(tz=UTC) - timedelta(days=self.config.lookback_days)).timestamp())
        params = {"fields": POST_FIELDS, "limit": PAGE_SIZE, "since": since}
        entries, after = self.graph.list_page(f"/{self.config.page_id}/feed", params, cursor.get("after"))
        items: list[MentionIn] = []
        for raw in entries:
            post = self.graph.model(Post, _with_sender(raw))
            by_visitor = post.from_ is not None and post.from_.id and post.from_.id != self.config.page_id
            if by_visitor and self.config.read_visitor_posts:
                items.append(self._post_mention(post, raw))
            stamp = post.updated_time or post.created_time
            comments = post.comments.summary.total_count if post.comments and post.comments.summary else None
            if seen.get(post.id) != stamp and comments != 0 and post.id not in queue:
                queue.append(post.id)
            seen[post.id] = stamp
        base = {"seen": _trim(seen), "ratings_newest": cursor.get("ratings_newest", "")}
        if after:
            return Page(items, {**base, "phase": "feed", "after": after, "queue": queue}, has_more=True)
        return Page(items, {**base, "phase": "comments", "queue": queue}, has_more=True)

    def _comments_page(self, cursor: dict[str, Any]) -> Page:
        queue: list[str] = list(cursor.get("queue") or [])
        base = {"seen": cursor.get("seen") or {}, "ratings_newest": cursor.get("ratings_newest", "")}
        if not queue:
            return self._after_comments(base)
        post_id = queue[0]
        # The ids of this post's comments listed by the pages read so far (False: too many to
        # carry in the cursor, the listing will prove nothing).
        listed: list[str] | bool = cursor.get("listed", []) if cursor.get("after") else []
        params = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "chronological", "limit": PAGE_SIZE}
        whole = True
        try:
            entries, after = self.graph.list_page(f"/{post_id}/comments", params, cursor.get("after"))
        except ConnectorError as exc:
            # A post deleted since the feed was read: nothing left to read under it (and nothing
            # proven about its comments: the webhook, or the post's own deletion, tells).
            if "subcode 33)" not in exc.message:
                raise
            entries, after, whole = [], None, False
        if self.graph.list_cut_short:
            whole = False  # Meta repeated its cursor: the pages after it were never read
        comments = [(self.graph.model(Comment, _with_sender(raw)), raw) for raw in entries]
        items = [
            self._comment_mention(comment, raw, post_id)
            for comment, raw in comments
            if not _by_page(comment, self.config.page_id)
        ]
        if isinstance(listed, list):
            # The Page's own comments too: they are listed, so nothing of theirs is missing.
            listed = listed + [comment.id for comment, _raw in comments]
            if len(listed) > MAX_LISTED_COMMENTS:
                listed = False
        if after:
            state = {**base, "phase": "comments", "queue": queue, "after": after, "listed": listed}
            return Page(items, state, has_more=True)
        rest = queue[1:]
        if rest:
            page = Page(items, {**base, "phase": "comments", "queue": rest}, has_more=True)
        else:
            following = self._after_comments(base)
            page = Page(items, following.next_cursor, has_more=following.has_more)
        return _with_listing(page, post_id, listed if whole else False)

    def _after_comments(self, base: dict[str, Any]) -> Page:
        if self.config.read_ratings and self.ratings_served:
            return Page([], {**base, "phase": "ratings"}, has_more=True)
        return Page([], {**base, "phase": "feed"}, has_more=False)

    def _ratings_page(self, cursor: dict[str, Any]) -> Page:
        newest_read = str(cursor.get("ratings_newest") or "")
        # The newest rating of this walk, kept aside until the walk ends.
        walk_newest = str(cursor.get("walk_newest") or newest_read)
        base = {"seen": cursor.get("seen") or {}, "phase": "feed"}
        try:
            entries, after = self.graph.list_page(
                f"/{self.config.page_id}/ratings",
                {"fields": RATING_FIELDS, "limit": PAGE_SIZE},
                cursor.get("after"),
            )
        except ConnectorError as exc:
            # Error 12: deprecated for this version. Fetching the rest goes on without ratings.
            if "(code 12" not in exc.message:
                raise
            return Page([], {**base, "ratings_newest": newest_read, "ratings": RATINGS_GONE})
        items: list[MentionIn] = []
        reached_known = False
        for raw in entries:
            rating = self.graph.model(Rating, raw)
            stamp = graph_time(rating.created_time).isoformat()
            if newest_read and stamp <= newest_read:
                reached_known = True
                break
            walk_newest = max(walk_newest, stamp)
            items.append(_rating_mention(rating, raw, self.config.page_id))
        if after and not reached_known:
            next_cursor = {**base, "phase": "ratings", "after": after, "ratings_newest": newest_read}
            return Page(items, {**next_cursor, "walk_newest": walk_newest}, has_more=True)
        return Page(items, {**base, "ratings_newest": walk_newest})

    # --- mapping ----------------------------------------------------------------------------

    def _post_mention(self, post: Post, raw: dict[str, Any]) -> MentionIn:
        likes = post.reactions.summary.total_count if post.reactions and post.reactions.summary else 0
        replies = post.comments.summary.total_count if post.comments and post.comments.summary else 0
        shares = post.shares.count if post.shares else 0
        return MentionIn(
            external_id=post.id,
            kind="post",
            created_at=graph_time(post.created_time),
            text=post.message or post.story,
            url=post.permalink_url or f"{FACEBOOK}/{post.id}",
            author=_author(post.from_, post.id),
            likes=likes,
            shares=shares,
            replies_count=replies,
            reach=estimate_reach(None, likes, shares, replies),
            raw=raw,
        )

    def _comment_mention(self, comment: Comment, raw: dict[str, Any], post_id: str) -> MentionIn:
        parent = comment.parent.id if comment.parent and comment.parent.id else ""
        return MentionIn(
            external_id=comment.id,
            kind="reply" if parent else "comment",
            created_at=graph_time(comment.created_time),
            text=comment.message,
            url=comment.permalink_url or f"{FACEBOOK}/{post_id}",
            author=_author(comment.from_, comment.id),
            parent_external_id=parent or post_id,
            likes=comment.like_count,
            replies_count=comment.comment_count,
            reach=estimate_reach(None, comment.like_count, 0, comment.comment_count),
            raw={**raw, "post_id": post_id},
        )

    def _from_feed_change(self, value: dict[str, Any], entry_time: Any) -> MentionIn | None:
        """A mention from one ``feed`` change, or None for what is not one (reactions, the
        Page's own words, hide/unhide, a shape Vigie does not know)."""
        item, verb = value.get("item"), value.get("verb")
        if verb not in {"add", "edited", "edit", "remove"}:
            return None
        sender = _sender(value.get("from"))
        if sender is not None and sender.id == self.config.page_id:
            return None
        created_at = _webhook_time(value.get("created_time"), entry_time)
        post_id = str(value.get("post_id") or "")
        if item == "comment":
            comment_id = str(value.get("comment_id") or "")
            if not comment_id:
                raise PayloadError("a feed comment change without comment_id")
            parent = str(value.get("parent_id") or "")
            is_reply = bool(parent) and parent != post_id
            return MentionIn(
                external_id=comment_id,
                kind="reply" if is_reply else "comment",
                created_at=created_at,
                text=str(value.get("message") or ""),
                url=f"{FACEBOOK}/{post_id}" if post_id else "",
                author=_author(sender, comment_id),
                parent_external_id=parent or post_id,
                deleted=verb == "remove",
                raw=value,
            )
        if (
            item in {"post", "status", "photo", "video", "share"}
            and self.config.read_visitor_posts
            and post_id
        ):
            if sender is None:  # the Page's own post when the sender is left out
                return None
            return MentionIn(
                external_id=post_id,
                kind="post",
                created_at=created_at,
                text=str(value.get("message") or ""),
                url=str(value.get("link") or "") or f"{FACEBOOK}/{post_id}",
                author=_author(sender, post_id),
                deleted=verb == "remove",
                raw=value,
            )
        return None


def _with_listing(page: Page, post_id: str, listed: list[str] | bool) -> Page:
    """``page`` (the last of a post's comments) carrying the complete listing of that post's
    comments, when one was read: every page to the end, without an error.

    A comment's id is ``<post>_<comment>`` (``560011223344_998877665544`` under the post
    ``104365123456789_560011223344``), replies included: the stored mentions whose id starts with
    ``<post>_`` and that the listing lacks were deleted on Facebook; they are marked deleted (kept,
    restored if listed again). An empty listing proves nothing (an answer that lost its comments
    must not mark them all deleted), nor one too long to carry, nor a post id of another shape.
    """
    post_part = post_id.partition("_")[2]
    if not isinstance(listed, list) or not listed or not post_part.isdigit():
        return page
    return replace(page, complete_ids=frozenset(listed), complete_prefix=f"{post_part}_")


def _with_sender(raw: dict[str, Any]) -> dict[str, Any]:
    # ``from`` is a Python keyword: the models call the field ``from_``.
    return {**raw, "from_": raw.get("from")}


def _sender(value: Any) -> Sender | None:
    if not isinstance(value, dict) or not value.get("id"):
        return None
    return Sender.model_validate(value)


def _author(sender: Sender | None, item_id: str) -> AuthorIn:
    """The author by Meta's stable id. Graph leaves ``from`` out unless the token may moderate
    the Page, and for people who did not grant it: the item's own id then stands in, so the
    author is never merged with another by a name."""
    if sender is None or not sender.id:
        return AuthorIn(external_id=f"comment:{item_id}", display_name="")
    return AuthorIn(external_id=sender.id, display_name=sender.name)


def _by_page(comment: Comment, page_id: str) -> bool:
    return comment.from_ is not None and comment.from_.id == page_id


def _rating_mention(rating: Rating, raw: dict[str, Any], page_id: str) -> MentionIn:
    story = rating.open_graph_story.id if rating.open_graph_story else ""
    reviewer = rating.reviewer.id if rating.reviewer else ""
    created = graph_time(rating.created_time)
    external_id = story or f"rating:{reviewer or 'anonymous'}:{int(created.timestamp())}"
    stars = rating.rating if rating.has_rating and rating.rating and 1 <= rating.rating <= 5 else None
    return MentionIn(
        external_id=external_id,
        kind="review",
        created_at=created,
        text=rating.review_text,
        url=f"{FACEBOOK}/{story}" if story else f"{FACEBOOK}/{page_id}/reviews",
        author=_author(rating.reviewer, external_id),
        # Since 2018 a Page is recommended or not; a star rating only exists on older ones.
        rating=Decimal(stars) if stars else None,
        rating_raw=rating.recommendation_type or (str(rating.rating) if rating.rating else ""),
        raw=raw,
    )


def _reply_target(mention: MentionIn) -> str:
    """The object a comment answering ``mention`` is posted under."""
    raw = mention.raw
    if mention.kind == "review":
        story = raw.get("open_graph_story")
        if isinstance(story, dict) and story.get("id"):
            return str(story["id"])
        raise ConnectorError("this recommendation has no story to comment on", permanent=True)
    parent = raw.get("parent")
    if isinstance(parent, dict) and parent.get("id"):
        return str(parent["id"])  # read by polling: answer in the thread of the top comment
    post_id, parent_id = str(raw.get("post_id") or ""), str(raw.get("parent_id") or "")
    if parent_id and parent_id != post_id and "comment_id" in raw:
        return parent_id  # read from a webhook: its parent is a comment
    return mention.external_id


def _webhook_time(value: Any, fallback: Any) -> datetime:
    for candidate in (value, fallback):
        if candidate not in (None, ""):
            try:
                return graph_time(candidate)
            except ValueError:
                continue
    return datetime.now(tz=UTC)


def _trim(seen: dict[str, str]) -> dict[str, str]:
    if len(seen) <= SEEN_POSTS:
        return seen
    newest = sorted(seen.items(), key=lambda pair: pair[1], reverse=True)[:SEEN_POSTS]
    return dict(newest)
