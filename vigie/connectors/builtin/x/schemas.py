"""Pydantic models of the X API v2 payloads Vigie reads (unknown fields are ignored).

Every field but ``id`` and ``text`` may be missing: X returns only what the request asked for.
"""

from __future__ import annotations

from pydantic import ConfigDict

from vigie.connectors.builtin.schema_base import PlatformModel


class _Lenient(PlatformModel):
    model_config = ConfigDict(extra="ignore")


class PostMetrics(_Lenient):
    retweet_count: int = 0
    reply_count: int = 0
    like_count: int = 0
    quote_count: int = 0
    impression_count: int = 0


class ReferencedPost(_Lenient):
    type: str  # replied_to / quoted / retweeted
    id: str


class NoteTweet(_Lenient):
    """``note_tweet``: the whole text of a post longer than 280 characters (``text`` is cut)."""

    text: str = ""


class Post(_Lenient):
    id: str
    text: str = ""
    created_at: str | None = None
    author_id: str | None = None
    conversation_id: str | None = None
    in_reply_to_user_id: str | None = None
    lang: str | None = None
    referenced_tweets: list[ReferencedPost] = []
    edit_history_tweet_ids: list[str] = []
    public_metrics: PostMetrics | None = None
    note_tweet: NoteTweet | None = None


class UserMetrics(_Lenient):
    followers_count: int | None = None


class User(_Lenient):
    id: str
    username: str = ""
    name: str = ""
    public_metrics: UserMetrics | None = None


class Includes(_Lenient):
    users: list[User] = []
    tweets: list[Post] = []


class Meta(_Lenient):
    result_count: int = 0
    newest_id: str | None = None
    oldest_id: str | None = None
    next_token: str | None = None


class PostList(_Lenient):
    """``GET /2/users/:id/mentions`` and ``GET /2/tweets/search/recent``."""

    data: list[Post] = []
    includes: Includes = Includes()
    meta: Meta = Meta()


class UserAnswer(_Lenient):
    data: User


class CreatedPost(_Lenient):
    id: str
    text: str = ""


class CreatedAnswer(_Lenient):
    data: CreatedPost


class TokenAnswer(_Lenient):
    """``POST /2/oauth2/token``: X rotates the refresh token on each use."""

    access_token: str
    refresh_token: str | None = None
    expires_in: int = 7200


class ProblemDetail(_Lenient):
    message: str = ""
    detail: str = ""


class Problem(_Lenient):
    """X's error envelope (RFC 7807 style, with ``errors[]`` on validation failures)."""

    title: str = ""
    detail: str = ""
    errors: list[ProblemDetail] = []
    error_description: str = ""


class DmEvent(_Lenient):
    """An entry of ``GET /2/dm_events`` (only ``id`` and ``event_type`` unless fields are asked)."""

    id: str
    event_type: str = ""
    text: str = ""
    sender_id: str | None = None
    dm_conversation_id: str | None = None
    created_at: str | None = None
    participant_ids: list[str] = []


class DmEventList(_Lenient):
    """``GET /2/dm_events``: newest first, paged by ``meta.next_token`` (30 days kept)."""

    data: list[DmEvent] = []
    includes: Includes = Includes()
    meta: Meta = Meta()


class DmSent(_Lenient):
    dm_conversation_id: str = ""
    dm_event_id: str


class DmSentAnswer(_Lenient):
    """``POST /2/dm_conversations/with/:participant_id/messages`` (201)."""

    data: DmSent
