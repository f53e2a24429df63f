"""API routes of the mentions: list with filters, and one mention with its author's other mentions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from vigie.core.api_auth import membership
from vigie.core.api_schemas import (
    READ_ERRORS,
    ApiDate,
    ErrorOut,
    ObjectId,
    Offset,
    ValidationErrorOut,
    invalid,
)
from vigie.core.models import Organisation
from vigie.core.periods import period_between
from vigie.mentions.models import MentionKind, MentionType, Sentiment
from vigie.mentions.queries import MentionFilters, mention_with_author, mentions
from vigie.mentions.schemas import (
    MAX_LIMIT,
    MentionDetailOut,
    MentionOut,
    MentionPage,
    MentionRef,
    mention_fields,
)

router = Router(tags=["mentions"])


class MentionQuery(Schema):
    """Filters of ``GET /mentions``; dates are whole days in the organisation's time zone."""

    platform: str = ""
    source: ObjectId | None = None
    location: ObjectId | None = None
    kind: MentionKind | None = None
    sentiment: Sentiment | None = None
    type: MentionType | None = None
    language: str = ""
    theme: str = ""
    from_: ApiDate | None = Field(None, alias="from", description="First day, included (YYYY-MM-DD).")
    to: ApiDate | None = Field(None, description="Last day, included (YYYY-MM-DD).")
    q: str = Field(
        "",
        # As the inbox's search box: a longer value only made SQLite refuse the pattern (a 500).
        max_length=200,
        description="Words to find in the title or text (ignoring case).",
    )
    deleted: Literal["exclude", "include", "only"] = "exclude"
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


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
