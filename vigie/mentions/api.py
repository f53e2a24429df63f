"""API routes of the mentions: list with filters, and one mention with its author's other mentions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, Self

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from vigie.core.api_auth import membership
from vigie.core.api_schemas import READ_ERRORS, ApiDateTime, ErrorOut, ValidationErrorOut, invalid
from vigie.core.models import Organisation
from vigie.core.periods import period_between
from vigie.mentions.models import Author, Mention, MentionKind, MentionType, Sentiment
from vigie.mentions.queries import MentionFilters, mention_with_author, mentions

router = Router(tags=["mentions"])

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


class MentionQuery(Schema):
    """Filters of ``GET /mentions``; dates are whole days in the organisation's time zone."""

    platform: str = ""
    source: int | None = None
    location: int | None = None
    kind: MentionKind | None = None
    sentiment: Sentiment | None = None
    type: MentionType | None = None
    language: str = ""
    theme: str = ""
    from_: date | None = Field(None, alias="from", description="First day, included (YYYY-MM-DD).")
    to: date | None = Field(None, description="Last day, included (YYYY-MM-DD).")
    q: str = Field("", description="Words to find in the title or text (ignoring case).")
    deleted: Literal["exclude", "include", "only"] = "exclude"
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


def date_bounds(
    organisation: Organisation, first: date | None, last: date | None
) -> tuple[datetime | None, datetime | None]:
    """Aware bounds (start inclusive, end exclusive) of whole days in the organisation's time zone.

    A last day before the first one is a 422 on ``to``.
    """
    if first is not None and last is not None and last < first:
        raise invalid(["query", "to"], "'to' must not be before 'from'")
    since = period_between(organisation, first, first).start if first else None
    until = period_between(organisation, last, last).end if last else None
    return since, until


@router.get(
    "/mentions",
    response={200: MentionPage, 401: ErrorOut, 422: ValidationErrorOut},
    summary="List mentions, newest first",
)
def list_mentions(request: HttpRequest, filters: Query[MentionQuery]) -> MentionPage:
    organisation = membership(request).organisation
    since, until = date_bounds(organisation, filters.from_, filters.to)
    queryset = mentions(
        organisation,
        MentionFilters(
            platform=filters.platform,
            source_id=filters.source,
            location_id=filters.location,
            kind=filters.kind.value if filters.kind else "",
            sentiment=filters.sentiment.value if filters.sentiment else "",
            mention_type=filters.type.value if filters.type else "",
            language=filters.language,
            theme=filters.theme,
            since=since,
            until=until,
            text=filters.q.strip(),
            deleted=filters.deleted,
        ),
    )
    page = queryset[filters.offset : filters.offset + filters.limit]
    return MentionPage(
        count=queryset.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[MentionOut.of(m) for m in page],
    )


@router.get("/mentions/{mention_id}", response={200: MentionDetailOut, **READ_ERRORS}, summary="One mention")
def get_mention(request: HttpRequest, mention_id: int) -> MentionDetailOut:
    detail = mention_with_author(membership(request).organisation, mention_id)
    return MentionDetailOut(
        **mention_fields(detail.mention),
        other_mentions=[MentionRef.of(m) for m in detail.other_mentions],
    )
