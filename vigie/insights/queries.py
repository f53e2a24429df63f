"""KPIs over a period: reviews and ratings, response rate and time, volume, reach, sentiment, themes.

Everything is computed by the database (conditional aggregates, an ordered offset for the median,
``json_each`` / ``jsonb_array_elements_text`` for themes): no loop over rows in Python, so the
numbers stay cheap on a year of mentions. The dashboard and ``GET /api/v1/kpis`` both read
``kpi_report`` and therefore always agree.

A mention belongs to a period by its publication time on the platform (``Mention.created_at``),
in the organisation's time zone; a case by its mention's publication time.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vigie.core.models import Organisation
from vigie.core.tenancy import scoped
from vigie.inbox.models import Case
from vigie.mentions.models import Mention, MentionKind, Sentiment
from vigie.mentions.queries import has_theme

PERIOD_CHOICES = (7, 30, 90)
DEFAULT_PERIOD_DAYS = 30
TOP_THEMES = 10


@dataclass(frozen=True)
class Period:
    """Whole days ``first_day``..``last_day`` in the organisation's time zone; ``end`` is exclusive."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def organisation_today(organisation: Organisation) -> date:
    """Today's date where the organisation is."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(organisation.timezone)).date()


def period_between(organisation: Organisation, first_day: date, last_day: date) -> Period:
    """The period from the start of ``first_day`` to the end of ``last_day``, both included."""
    if last_day < first_day:
        raise ValueError("last_day is before first_day")
    tz = zoneinfo.ZoneInfo(organisation.timezone)
    start = datetime.combine(first_day, time.min, tzinfo=tz)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
    return Period(first_day, last_day, start, end)


def last_days(organisation: Organisation, days: int, *, today: date | None = None) -> Period:
    """The last ``days`` days, today included."""
    today = today or organisation_today(organisation)
    return period_between(organisation, today - timedelta(days=days - 1), today)


@dataclass(frozen=True)
class InsightFilters:
    """Optional narrowing of every KPI. Empty values mean "no filter"."""

    location_id: int | None = None
    platform: str = ""
    team_id: int | None = None
    theme: str = ""


@dataclass(frozen=True)
class Targets:
    """The commitments KPIs are measured against (the charter will override these defaults)."""

    average_rating: float = 4.0
    response_rate: float = 0.8
    first_response_hours: float = 24.0


DEFAULT_TARGETS = Targets()


@dataclass(frozen=True)
class Kpi:
    """One headline number, its target and whether the target is met (None: nothing to measure)."""

    key: str
    label: str | Promise
    value: float | None
    target: float
    unit: str  # "stars", "ratio" or "hours"
    higher_is_better: bool

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


@dataclass(frozen=True)
class Share:
    """A count and its share of a total (0..1; 0 when the total is 0)."""

    key: str
    label: str | Promise
    count: int
    share: float


@dataclass(frozen=True)
class WeekVolume:
    """Mentions published in the week starting on ``week_start`` (a Monday)."""

    week_start: date
    count: int


@dataclass(frozen=True)
class ThemeCount:
    theme: str
    count: int


@dataclass(frozen=True)
class KpiReport:
    """Every number of the dashboard for one period."""

    period: Period
    filters: InsightFilters
    targets: Targets
    review_count: int
    rated_review_count: int
    average_rating: float | None
    rating_distribution: list[Share]
    mention_volume: int
    total_reach: int
    sentiments: list[Share]
    cases_needing_answer: int
    cases_answered: int
    response_rate: float | None
    median_first_response_seconds: float | None
    kpis: list[Kpi] = field(default_factory=list)


def period_mentions(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> QuerySet[Mention]:
    """The organisation's live (not deleted) mentions published in ``period``, narrowed by ``filters``."""
    f = filters or InsightFilters()
    queryset = scoped(Mention, organisation).filter(
        created_at__gte=period.start, created_at__lt=period.end, deleted_at__isnull=True
    )
    if f.location_id is not None:
        queryset = queryset.filter(location_id=f.location_id)
    if f.platform:
        queryset = queryset.filter(source__platform=f.platform)
    if f.team_id is not None:
        queryset = queryset.filter(case__team_id=f.team_id)
    if f.theme:
        queryset = queryset.filter(has_theme(organisation, f.theme))
    return queryset


def period_cases(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> QuerySet[Case]:
    """The cases whose mention is one of ``period_mentions``."""
    return scoped(Case, organisation).filter(mention__in=period_mentions(organisation, period, filters))


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


# Ratings are normalised to 1..5 but may be fractional (a 10-point scale): each bucket takes the
# ratings that round to it, halves rounding up.
_RATING_BUCKETS = {
    1: Q(rating__lt=Decimal("1.5")),
    2: Q(rating__gte=Decimal("1.5"), rating__lt=Decimal("2.5")),
    3: Q(rating__gte=Decimal("2.5"), rating__lt=Decimal("3.5")),
    4: Q(rating__gte=Decimal("3.5"), rating__lt=Decimal("4.5")),
    5: Q(rating__gte=Decimal("4.5")),
}


def _median_first_response_seconds(cases: QuerySet[Case], answered: int) -> float | None:
    """The median delay between publication and first response, taken by the database.

    Neither SQLite nor Django has a portable MEDIAN, so the answered cases are ordered by delay
    and the middle one (or two) read with an offset: at most two rows ever leave the database.
    """
    if answered == 0:
        return None
    delays = (
        cases.filter(first_response_at__isnull=False)
        .annotate(
            delay=ExpressionWrapper(
                F("first_response_at") - F("mention__created_at"), output_field=DurationField()
            )
        )
        .order_by("delay", "id")
        .values_list("delay", flat=True)
    )
    middle = answered // 2
    # An odd count has one middle value; an even count averages the two around the middle.
    values = list(delays[middle : middle + 1] if answered % 2 else delays[middle - 1 : middle + 1])
    if not values:
        return None
    return sum(value.total_seconds() for value in values) / len(values)


def kpi_report(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    targets: Targets = DEFAULT_TARGETS,
) -> KpiReport:
    """The dashboard's numbers for ``period`` (five small aggregate queries)."""
    filters = filters or InsightFilters()
    mentions = period_mentions(organisation, period, filters)
    is_review = Q(kind=MentionKind.REVIEW)
    rated = is_review & Q(rating__isnull=False)
    aggregates: dict[str, Any] = {
        "volume": Count("id"),
        "reach": Sum("reach"),
        "reviews": Count("id", filter=is_review),
        "rated": Count("id", filter=rated),
        "average_rating": Avg("rating", filter=rated),
    }
    for stars, condition in _RATING_BUCKETS.items():
        aggregates[f"stars_{stars}"] = Count("id", filter=rated & condition)
    for sentiment in Sentiment:
        aggregates[f"sentiment_{sentiment.value}"] = Count("id", filter=Q(sentiment=sentiment.value))
    m = mentions.aggregate(**aggregates)

    cases = period_cases(organisation, period, filters)
    c = cases.aggregate(
        needing=Count("id", filter=Q(needs_answer=True)),
        answered=Count("id", filter=Q(needs_answer=True, first_response_at__isnull=False)),
        any_answered=Count("id", filter=Q(first_response_at__isnull=False)),
    )
    median = _median_first_response_seconds(cases, c["any_answered"])

    rated_count: int = m["rated"]
    rating_distribution = [
        Share(str(stars), f"{stars} ★", m[f"stars_{stars}"], _share(m[f"stars_{stars}"], rated_count))
        for stars in sorted(_RATING_BUCKETS, reverse=True)
    ]
    analysed = sum(m[f"sentiment_{s.value}"] for s in Sentiment)
    sentiments = [
        Share(s.value, s.label, m[f"sentiment_{s.value}"], _share(m[f"sentiment_{s.value}"], analysed))
        for s in Sentiment
    ]
    average_rating = round(float(m["average_rating"]), 2) if m["average_rating"] is not None else None
    response_rate = c["answered"] / c["needing"] if c["needing"] else None
    kpis = [
        Kpi("average_rating", _("Note moyenne"), average_rating, targets.average_rating, "stars", True),
        Kpi("response_rate", _("Taux de réponse"), response_rate, targets.response_rate, "ratio", True),
        Kpi(
            "first_response_time",
            _("Délai médian de première réponse"),
            median / 3600 if median is not None else None,
            targets.first_response_hours,
            "hours",
            False,
        ),
    ]
    return KpiReport(
        period=period,
        filters=filters,
        targets=targets,
        review_count=m["reviews"],
        rated_review_count=rated_count,
        average_rating=average_rating,
        rating_distribution=rating_distribution,
        mention_volume=m["volume"],
        total_reach=m["reach"] or 0,
        sentiments=sentiments,
        cases_needing_answer=c["needing"],
        cases_answered=c["answered"],
        response_rate=response_rate,
        median_first_response_seconds=median,
        kpis=kpis,
    )


def weekly_volume(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> list[WeekVolume]:
    """Mentions per week (Monday to Sunday, organisation time) over ``period``, empty weeks included."""
    tz = zoneinfo.ZoneInfo(organisation.timezone)
    rows = (
        period_mentions(organisation, period, filters)
        .annotate(week=TruncWeek("created_at", tzinfo=tz))
        .values("week")
        .annotate(count=Count("id"))
        .order_by("week")
    )
    counts: dict[date, int] = {}
    for row in rows:  # one row per week, not per mention
        week = row["week"]
        week_day = week.astimezone(tz).date() if isinstance(week, datetime) else week
        counts[week_day] = counts.get(week_day, 0) + row["count"]
    first_week = period.first_day - timedelta(days=period.first_day.weekday())
    weeks = []
    week = first_week
    while week <= period.last_day:
        weeks.append(WeekVolume(week, counts.get(week, 0)))
        week += timedelta(days=7)
    return weeks


def top_themes(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    limit: int = TOP_THEMES,
) -> list[ThemeCount]:
    """The themes most mentioned in ``period``, most frequent first (ties by name)."""
    ids_sql, ids_params = period_mentions(organisation, period, filters).values("id").query.sql_with_params()
    table = Mention._meta.db_table
    if connection.vendor == "postgresql":
        elements = "jsonb_array_elements_text(CASE WHEN jsonb_typeof(m.themes) = 'array' THEN m.themes END)"
        join = f"CROSS JOIN LATERAL {elements} AS j(value)"
        text_only = ""
    else:
        join = ", json_each(m.themes) j"
        text_only = "AND j.type = 'text'"
    # Only our own table name and SQL compiled by the ORM are interpolated; values are parameters.
    sql = (
        f'SELECT j.value, COUNT(*) AS n FROM "{table}" m {join} '  # noqa: S608
        f"WHERE m.id IN ({ids_sql}) {text_only} "
        "GROUP BY j.value ORDER BY n DESC, j.value LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids_params, limit])
        return [ThemeCount(str(theme), int(count)) for theme, count in cursor.fetchall()]
