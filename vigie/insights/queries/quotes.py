"""Quotes of mentions with personal data masked (``Verbatim``), and consented testimonials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q

from vigie.core.models import Organisation
from vigie.core.periods import Period
from vigie.core.tenancy import scoped
from vigie.insights.models import QuoteConsent
from vigie.insights.queries.filters import SURVEY_PLATFORM, period_mentions
from vigie.insights.verbatims import NumberPattern, masked, order_patterns
from vigie.mentions.models import Mention, MentionKind, Sentiment
from vigie.mentions.text import title_and_text


def shown_platform(platform: str, kind: str) -> str:
    """The platform a reader is told a mention came from: the survey for a survey answer."""
    return SURVEY_PLATFORM if kind == MentionKind.SURVEY_ANSWER else platform


@dataclass(frozen=True)
class Verbatim:
    """A quote of a mention, personal data masked."""

    mention_id: int
    created_at: datetime
    platform: str
    location: str
    rating: float | None
    text: str
    # The customer's language, so that a page in another language marks the quote as such
    # (screen readers read it in its own language).
    language: str = ""


def _verbatim(mention: Mention, patterns: list[NumberPattern]) -> Verbatim:
    return Verbatim(
        mention_id=mention.pk,
        created_at=mention.created_at,
        platform=shown_platform(mention.source.platform, mention.kind),
        location=mention.location.name if mention.location else "",
        rating=float(mention.rating) if mention.rating is not None else None,
        text=masked(title_and_text(mention.title, mention.text), patterns),
        language=mention.language,
    )


# What ``verbatim_of_row`` reads, for ``values_list``: tuples cost far less than model instances
# when a report walks thousands of mentions to choose a few quotes.
QUOTE_FIELDS = (
    "id",
    "created_at",
    "title",
    "text",
    "rating",
    "source__platform",
    "location__name",
    "language",
    "kind",
)


def verbatim_of_row(row: tuple[Any, ...], patterns: list[NumberPattern]) -> Verbatim:
    """The ``Verbatim`` of a mention read as ``QUOTE_FIELDS`` (the same as ``_verbatim`` gives)."""
    mention_id, created_at, title, text, rating, platform, location, language, kind = row[: len(QUOTE_FIELDS)]
    return Verbatim(
        mention_id=mention_id,
        created_at=created_at,
        platform=shown_platform(platform, kind),
        location=location or "",
        rating=float(rating) if rating is not None else None,
        text=masked(title_and_text(title, text), patterns),
        language=language or "",
    )


def consented_testimonials(organisation: Organisation, period: Period, *, limit: int = 10) -> list[Verbatim]:
    """Positive mentions of ``period`` whose author consented to be quoted, personal data masked.

    Without a recorded consent a mention is never quoted, however glowing; the author's name is
    left out.
    """
    patterns = order_patterns(organisation)
    rows = (
        period_mentions(organisation, period)
        # Found from the consents (a few) rather than by probing every mention of the period for
        # one (seconds at a million mentions: SQLite walked the period's date index).
        .filter(pk__in=scoped(QuoteConsent, organisation).filter(granted=True).values("mention_id"))
        .filter(Q(sentiment=Sentiment.POSITIVE) | Q(rating__gte=Decimal("4")))
        .select_related("source", "location")
        .order_by("-rating", "-created_at")[:limit]
    )
    return [_verbatim(m, patterns) for m in rows]


def mention_languages(organisation: Organisation, mention_ids: list[int]) -> dict[int, str]:
    """The detected language of each mention ("fr", "en"; "" when unknown)."""
    from vigie.core.tenancy import scoped

    rows = scoped(Mention, organisation).filter(pk__in=mention_ids).values_list("pk", "language")
    return {pk: language or "" for pk, language in rows}
