"""The mentions behind a number of the dashboard (drill-down)."""

from __future__ import annotations

from django.db.models import QuerySet

from vigie.core.models import Organisation
from vigie.core.periods import Period
from vigie.insights.queries.filters import _RATING_BUCKETS, InsightFilters, period_mentions
from vigie.mentions.models import Mention, MentionKind


def drilldown_mentions(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    sentiment: str = "",
    stars: int | None = None,
    kind: str = "",
    not_kind: str = "",
) -> QuerySet[Mention]:
    """The mentions behind a number of the dashboard, newest first."""
    queryset = period_mentions(organisation, period, filters).select_related("source", "location", "author")
    if sentiment:
        queryset = queryset.filter(sentiment=sentiment)
    if kind:
        queryset = queryset.filter(kind=kind)
    if not_kind:
        # A platform's row of the dashboard without its survey answers (counted in the survey's row).
        queryset = queryset.exclude(kind=not_kind)
    if stars is not None and stars in _RATING_BUCKETS:
        queryset = queryset.filter(_RATING_BUCKETS[stars], kind=MentionKind.REVIEW)
    return queryset.order_by("-created_at", "-id")
