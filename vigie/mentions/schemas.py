"""The mentions' API schemas, shared with the other apps' API answers (a case embeds its mention).

A public module of the mentions app: another app's ``api.py`` may build on these schemas, never
on the mentions' route handlers.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from ninja import Field, Schema

from vigie.core.api_schemas import ApiDateTime
from vigie.mentions.models import Author, Mention, MentionKind, MentionType, Sentiment

# The most items one page of a list answers.
MAX_LIMIT = 200


class AuthorOut(Schema):
    id: int
    platform: str
    handle: str
    display_name: str
    profile_url: str
    followers_count: int | None

    @staticmethod
    def of(author: Author) -> AuthorOut:
        return AuthorOut(
            id=author.pk,
            platform=author.platform,
            handle=author.handle,
            display_name=author.display_name,
            profile_url=author.profile_url,
            followers_count=author.followers_count,
        )


class MentionOut(Schema):
    id: int
    source_id: int
    platform: str
    location_id: int | None
    kind: MentionKind
    url: str
    author: AuthorOut | None
    parent_id: int | None
    title: str
    text: str = Field(description="Plain text as written by its author: escape it before showing it as HTML.")
    rating: float | None = Field(description="Rating brought to the 1-5 scale.")
    rating_raw: str = Field(description="The rating as the platform gave it.")
    created_at: ApiDateTime = Field(description="Publication time on the platform.")
    fetched_at: ApiDateTime
    updated_at: ApiDateTime
    deleted_at: ApiDateTime | None
    likes: int
    shares: int
    replies_count: int
    reach: int = Field(description="Estimated audience.")
    owner_reply_text: str = Field(
        description="The organisation's answer as the platform shows it (written there or sent by Vigie); "
        "empty when the platform shows none or does not return answers with its items."
    )
    owner_reply_at: ApiDateTime | None = Field(
        description="When that answer was published, if the platform says."
    )
    language: str
    sentiment: Sentiment | Literal[""]
    sentiment_score: float | None
    mention_type: MentionType | Literal[""]
    themes: list[str]
    priority: int

    @classmethod
    def of(cls, mention: Mention) -> Self:
        return cls(**mention_fields(mention))


def mention_fields(mention: Mention) -> dict[str, Any]:
    """The values of ``MentionOut`` for one mention (its source and author already joined)."""
    return {
        "id": mention.pk,
        "source_id": mention.source_id,
        "platform": mention.source.platform,
        "location_id": mention.location_id,
        "kind": MentionKind(mention.kind),
        "url": mention.url,
        "author": AuthorOut.of(mention.author) if mention.author is not None else None,
        "parent_id": mention.parent_id,
        "title": mention.title,
        "text": mention.text,
        "rating": float(mention.rating) if mention.rating is not None else None,
        "rating_raw": mention.rating_raw,
        "created_at": mention.created_at,
        "fetched_at": mention.fetched_at,
        "updated_at": mention.updated_at,
        "deleted_at": mention.deleted_at,
        "likes": mention.likes,
        "shares": mention.shares,
        "replies_count": mention.replies_count,
        "reach": mention.reach,
        "owner_reply_text": mention.owner_reply_text,
        "owner_reply_at": mention.owner_reply_at,
        "language": mention.language,
        "sentiment": Sentiment(mention.sentiment) if mention.sentiment else "",
        "sentiment_score": mention.sentiment_score,
        "mention_type": MentionType(mention.mention_type) if mention.mention_type else "",
        "themes": [str(theme) for theme in mention.themes or []],
        "priority": mention.priority,
    }


class MentionRef(Schema):
    id: int
    platform: str
    kind: MentionKind
    url: str
    title: str
    created_at: ApiDateTime

    @staticmethod
    def of(mention: Mention) -> MentionRef:
        return MentionRef(
            id=mention.pk,
            platform=mention.source.platform,
            kind=MentionKind(mention.kind),
            url=mention.url,
            title=mention.title or mention.text[:120],
            created_at=mention.created_at,
        )


class MentionDetailOut(MentionOut):
    other_mentions: list[MentionRef] = Field(
        description="The author's latest other mentions, on this platform or another under the same handle."
    )


class MentionPage(Schema):
    count: int = Field(description="How many mentions match, all pages together.")
    limit: int
    offset: int
    items: list[MentionOut]
