"""Counts of a period per day, theme, platform, location or team (``grouped``): whole past days from
the rollup, the rest from the rows. Themes are expanded in the database (``json_each`` /
``jsonb_array_elements_text``).
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDay
from django.utils import timezone

from vigie.core.models import Organisation
from vigie.core.periods import Period, outside
from vigie.insights.queries.filters import (
    NEGATIVE_FOR_BOARD,
    ROLLUP_FILTERS_UNSUPPORTED,
    InsightFilters,
    period_mentions,
)
from vigie.insights.rollup import coverage, rollup_grouped
from vigie.mentions.models import Mention, MentionKind, Sentiment


def _raw_theme_counts(
    organisation: Organisation, period: Period, filters: InsightFilters
) -> dict[Any, dict[str, float]]:
    """Per theme: volume, negative mentions (as the board counts them) and ratings, in one query
    that expands each mention's JSON theme list in the database."""
    ids_sql, ids_params = period_mentions(organisation, period, filters).values("id").query.sql_with_params()
    table = Mention._meta.db_table
    if connection.vendor == "postgresql":
        elements = "jsonb_array_elements_text(CASE WHEN jsonb_typeof(m.themes) = 'array' THEN m.themes END)"
        join = f"CROSS JOIN LATERAL {elements} AS j(value)"
        text_only = ""
    else:
        join = ", json_each(m.themes) j"
        text_only = "AND j.type = 'text'"
    rated = "m.kind = 'review' AND m.rating IS NOT NULL"
    negative = "m.sentiment = 'negative' OR (m.kind = 'review' AND m.rating < 2.5)"
    # Only our own table name, constants and SQL compiled by the ORM are interpolated.
    sql = (
        f"SELECT j.value, COUNT(*), SUM(CASE WHEN {negative} THEN 1 ELSE 0 END), "  # noqa: S608
        f"SUM(CASE WHEN {rated} THEN 1 ELSE 0 END), SUM(CASE WHEN {rated} THEN m.rating ELSE 0 END) "
        f'FROM "{table}" m {join} WHERE m.id IN ({ids_sql}) {text_only} GROUP BY j.value'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids_params)
        return {
            str(theme): {
                "volume": float(volume),
                "board_negative": float(negatives or 0),
                "rated": float(rated_count or 0),
                "rating_sum": float(rating_sum or 0),
            }
            for theme, volume, negatives, rated_count, rating_sum in cursor.fetchall()
        }


GROUP_FIELDS = (
    "volume",
    "positive",
    "neutral",
    "negative",
    "rated",
    "rating_sum",
    "board_negative",
    "sla_met",
    "sla_missed",
)


def _raw_grouped(
    organisation: Organisation, period: Period, filters: InsightFilters, by: str
) -> dict[Any, dict[str, float]]:
    """Counts per day, platform or location read from the mentions themselves."""
    if by == "theme":
        return _raw_theme_counts(organisation, period, filters)
    tz = zoneinfo.ZoneInfo(organisation.timezone)
    queryset = period_mentions(organisation, period, filters)
    field_name = {
        "platform": "source__platform",
        "location_id": "location_id",
        "team_id": "case__team_id",
        "day": "bucket",
    }[by]
    if by == "day":
        queryset = queryset.annotate(bucket=TruncDay("created_at", tzinfo=tz))
    rated = Q(kind=MentionKind.REVIEW, rating__isnull=False)
    with_sla = Q(case__needs_answer=True, case__sla_due_at__isnull=False)
    rows = (
        queryset.values(field_name)
        .annotate(
            volume=Count("id"),
            positive=Count("id", filter=Q(sentiment=Sentiment.POSITIVE)),
            neutral=Count("id", filter=Q(sentiment=Sentiment.NEUTRAL)),
            negative=Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)),
            rated=Count("id", filter=rated),
            rating_sum=Sum("rating", filter=rated),
            board_negative=Count("id", filter=NEGATIVE_FOR_BOARD),
            sla_met=Count("case", filter=with_sla & Q(case__first_response_at__lte=F("case__sla_due_at"))),
            sla_missed=Count(
                "case",
                filter=with_sla
                & (
                    Q(case__first_response_at__gt=F("case__sla_due_at"))
                    | Q(case__first_response_at__isnull=True, case__sla_due_at__lt=timezone.now())
                ),
            ),
        )
        .order_by()
    )
    found: dict[Any, dict[str, float]] = {}
    for row in rows:
        key = row[field_name]
        if by == "day":
            key = key.astimezone(tz).date() if isinstance(key, datetime) else key
        found[key] = {name: float(row[name] or 0) for name in GROUP_FIELDS}
    return found


def grouped(
    organisation: Organisation, period: Period, filters: InsightFilters | None, by: str
) -> dict[Any, dict[str, float]]:
    """Volume, sentiment counts and ratings of ``period`` per ``by`` (day, theme, platform or
    location_id): whole past days from the rollup, the rest from the rows."""
    f = filters or InsightFilters()
    covered = coverage(organisation)
    # Themes that co-occur with a chosen theme need each mention's theme list: rows only.
    co_occurrence = by == "theme" and bool(f.theme)
    if covered is None or co_occurrence or any(getattr(f, name) for name in ROLLUP_FILTERS_UNSUPPORTED):
        return _raw_grouped(organisation, period, f, by)
    first = max(period.first_day, covered.first)
    last = min(period.last_day, covered.until - timedelta(days=1))
    if first > last:
        return _raw_grouped(organisation, period, f, by)
    found = rollup_grouped(organisation, first, last, f, by)
    for part in outside(organisation, period, first, last):
        for key, values in _raw_grouped(organisation, part, f, by).items():
            target = found.setdefault(key, {})
            for name, value in values.items():
                target[name] = target.get(name, 0) + value
    return found
