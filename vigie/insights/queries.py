"""KPIs over a period: reviews and ratings, response rate and time, volume, reach, sentiment, themes.

Everything is computed by the database (conditional aggregates, an ordered offset for the median,
``json_each`` / ``jsonb_array_elements_text`` for themes): no loop over rows in Python, so the
numbers stay cheap on a year of mentions. The dashboard and ``GET /api/v1/kpis`` both read
``kpi_report`` and therefore always agree.

A mention belongs to a period by its publication time on the platform (``Mention.created_at``),
in the organisation's time zone; a case by its mention's publication time.
"""

from __future__ import annotations

import math
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDay, TruncWeek
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vigie.analysis.models import Theme
from vigie.charter.queries import current_charter
from vigie.core.models import Location, Organisation, Team, User
from vigie.core.periods import Period, organisation_today, period_between
from vigie.core.tenancy import scoped
from vigie.inbox.models import Case
from vigie.insights.business_hours import BusinessCalendar, business_calendar
from vigie.insights.models import ActionPlan
from vigie.insights.verbatims import masked, order_patterns
from vigie.mentions.models import Mention, MentionKind, Sentiment
from vigie.mentions.queries import has_theme

PERIOD_CHOICES = (7, 30, 90)
DEFAULT_PERIOD_DAYS = 30
TOP_THEMES = 10


@dataclass(frozen=True)
class InsightFilters:
    """Optional narrowing of every KPI. Empty values mean "no filter"."""

    location_id: int | None = None
    platform: str = ""
    team_id: int | None = None
    theme: str = ""
    agent_id: int | None = None
    source_id: int | None = None
    language: str = ""

    def as_query(self) -> dict[str, str]:
        """The filters as GET parameters (for drill-down links and exports)."""
        params = {
            "location": self.location_id,
            "platform": self.platform,
            "team": self.team_id,
            "theme": self.theme,
            "agent": self.agent_id,
            "source": self.source_id,
            "language": self.language,
        }
        return {key: str(value) for key, value in params.items() if value not in (None, "")}


@dataclass(frozen=True)
class Targets:
    """The commitments KPIs are measured against; ``targets_for`` reads them from the charter."""

    average_rating: float = 4.0
    response_rate: float = 0.8
    first_response_hours: float = 24.0
    sla_compliance: float = 0.9


DEFAULT_TARGETS = Targets()


def targets_for(organisation: Organisation) -> Targets:
    """The KPI targets of the organisation's charter in force."""
    t = current_charter(organisation).kpi_targets
    return Targets(
        average_rating=t.average_rating,
        response_rate=t.response_rate,
        first_response_hours=t.first_response_hours,
        sla_compliance=t.sla_compliance,
    )


def calendar_for(organisation: Organisation) -> BusinessCalendar:
    """The charter's business hours in the organisation's time zone."""
    return business_calendar(current_charter(organisation).sla.business_hours, organisation.timezone)


@dataclass(frozen=True)
class Kpi:
    """One headline number, its target and whether the target is met (None: nothing to measure)."""

    key: str
    label: str | Promise
    value: float | None
    target: float
    unit: str  # "stars", "ratio" or "hours"
    higher_is_better: bool
    previous: float | None = None

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    @property
    def change(self) -> float | None:
        """Value minus the previous period's value (None when either is missing)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


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
class ThemeShare:
    """A theme's mentions in the period, its share of the volume and the previous period's count."""

    theme: str
    count: int
    share: float
    previous_count: int

    @property
    def change(self) -> int:
        return self.count - self.previous_count


# First-response delay buckets of the distribution chart, in business hours: (key, upper bound).
RESPONSE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("<1h", 1),
    ("1-4h", 4),
    ("4-8h", 8),
    ("8-24h", 24),
    ("24-48h", 48),
    (">48h", float("inf")),
)


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
    engagement: int = 0
    net_sentiment: float | None = None
    median_first_response_business_seconds: float | None = None
    p90_first_response_business_seconds: float | None = None
    response_time_distribution: list[Share] = field(default_factory=list)
    sla_met: int = 0
    sla_missed: int = 0
    sla_compliance: float | None = None
    resolved_count: int = 0
    median_resolution_seconds: float | None = None
    survey_answer_count: int = 0
    csat: float | None = None
    nps: float | None = None
    nps_answer_count: int = 0

    def kpi(self, key: str) -> Kpi | None:
        return next((k for k in self.kpis if k.key == key), None)


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
    if f.source_id is not None:
        queryset = queryset.filter(source_id=f.source_id)
    if f.language:
        queryset = queryset.filter(language=f.language)
    if f.team_id is not None:
        queryset = queryset.filter(case__team_id=f.team_id)
    if f.agent_id is not None:
        queryset = queryset.filter(case__assignee_id=f.agent_id)
    if f.theme:
        queryset = queryset.filter(_has_theme_in_period(organisation, f.theme, period))
    return queryset


def _has_theme_in_period(organisation: Organisation, theme: str, period: Period) -> Q:
    """Mentions of ``period`` tagged ``theme``. On SQLite the JSON lists are expanded only for the
    period's mentions (found through the date index), not for the whole organisation."""
    if connection.vendor != "sqlite":
        return has_theme(organisation, theme)
    in_period = scoped(Mention, organisation).filter(created_at__gte=period.start, created_at__lt=period.end)
    ids_sql, ids_params = in_period.values("id").query.sql_with_params()
    table = Mention._meta.db_table
    # Only our table name and SQL compiled by the ORM are interpolated; values are parameters.
    subquery = RawSQL(  # noqa: S611
        f'SELECT m.id FROM "{table}" m, json_each(m.themes) j '  # noqa: S608
        f"WHERE m.id IN ({ids_sql}) AND j.type = 'text' AND j.value = %s",
        [*ids_params, theme],
    )
    return Q(id__in=subquery)


def period_cases(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> QuerySet[Case]:
    """The cases whose mention is one of ``period_mentions``.

    An ``IN`` over the period's mentions: SQLite then walks the mentions' (organisation, created_at)
    index, where a join would scan every case of the organisation.
    """
    return scoped(Case, organisation).filter(
        mention__in=period_mentions(organisation, period, filters).values("id")
    )


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


def median(values: list[float]) -> float | None:
    """The median of ``values`` (mean of the two middle ones for an even count)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return float(ordered[rank - 1])


def nps_score(raw: str) -> int | None:
    """A 0-10 recommendation score read from a survey answer's raw rating ("9", "9/10"), else None."""
    text = raw.strip()
    if "/" in text:
        text, _sep, scale = text.partition("/")
        if scale.strip() != "10":
            return None
    try:
        score = int(text.strip())
    except ValueError:
        return None
    return score if 0 <= score <= 10 else None


DELAY_METRICS: tuple[str, ...] = ("first_response", "first_response_calendar", "resolution")


@dataclass
class Totals:
    """Additive measures of a period, from the rows themselves or from the rollup."""

    volume: int = 0
    reach: int = 0
    engagement: int = 0
    reviews: int = 0
    rating_sum: float = 0.0
    stars: Counter[int] = field(default_factory=Counter)
    sentiments: Counter[str] = field(default_factory=Counter)
    surveys: int = 0
    satisfied: int = 0
    nps_answers: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0
    needing: int = 0
    answered: int = 0
    sla_met: int = 0
    sla_missed: int = 0
    resolved: int = 0
    # Exact delays (rows read directly) and histograms (rollup); see ``rollup``.
    delays: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in DELAY_METRICS})
    histograms: dict[str, Counter[int]] = field(default_factory=lambda: {m: Counter() for m in DELAY_METRICS})

    @property
    def rated(self) -> int:
        return sum(self.stars.values())

    @property
    def exact(self) -> bool:
        return not any(self.histograms.values())

    def add(self, other: Totals) -> None:
        for name in (
            "volume", "reach", "engagement", "reviews", "rating_sum", "surveys", "satisfied", "nps_answers",
            "nps_promoters", "nps_detractors", "needing", "answered", "sla_met", "sla_missed", "resolved",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.stars.update(other.stars)
        self.sentiments.update(other.sentiments)
        for metric in DELAY_METRICS:
            self.delays[metric].extend(other.delays[metric])
            self.histograms[metric].update(other.histograms[metric])

    def delay_stat(self, metric: str, fraction: float) -> float | None:
        """Median (``fraction`` 0.5) or percentile of a delay: exact when every row was read."""
        from vigie.insights.rollup import delay_bucket, histogram_percentile

        values = self.delays[metric]
        if self.exact:
            return median(values) if fraction == 0.5 else percentile(values, fraction)
        histogram = Counter(self.histograms[metric])
        histogram.update(delay_bucket(value) for value in values)
        return histogram_percentile(histogram, fraction)

    def delay_count(self, metric: str) -> int:
        return len(self.delays[metric]) + sum(self.histograms[metric].values())

    def delay_distribution(self, metric: str) -> list[int]:
        """Counts per ``RESPONSE_BUCKETS`` bucket (hour bounds fall on histogram bucket bounds)."""
        from vigie.insights.rollup import bucket_seconds

        counts = [0] * len(RESPONSE_BUCKETS)

        def place(seconds: float, n: int) -> None:
            hours = seconds / 3600
            counts[next(i for i, (_key, bound) in enumerate(RESPONSE_BUCKETS) if hours < bound)] += n

        for value in self.delays[metric]:
            place(value, 1)
        for bucket, n in self.histograms[metric].items():
            place(bucket_seconds(bucket)[0], n)
        return counts


ROLLUP_FILTERS_UNSUPPORTED = ("agent_id", "source_id", "language")


def _raw_totals(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters,
    calendar: BusinessCalendar,
    now: datetime,
) -> Totals:
    """Totals read from the mentions and cases themselves (a few aggregate queries)."""
    mentions = period_mentions(organisation, period, filters)
    is_review = Q(kind=MentionKind.REVIEW)
    rated = is_review & Q(rating__isnull=False)
    survey = Q(kind=MentionKind.SURVEY_ANSWER, rating__isnull=False)
    aggregates: dict[str, Any] = {
        "volume": Count("id"),
        "reach": Sum("reach"),
        "engagement": Sum(F("likes") + F("shares") + F("replies_count")),
        "reviews": Count("id", filter=is_review),
        "rating_sum": Sum("rating", filter=rated),
        "surveys": Count("id", filter=survey),
        "satisfied": Count("id", filter=survey & Q(rating__gte=4)),
    }
    for stars, condition in _RATING_BUCKETS.items():
        aggregates[f"stars_{stars}"] = Count("id", filter=rated & condition)
    for sentiment in Sentiment:
        aggregates[f"sentiment_{sentiment.value}"] = Count("id", filter=Q(sentiment=sentiment.value))
    m = mentions.aggregate(**aggregates)
    # Cases are reached from the period's mentions (a join on the case's unique mention_id), so
    # the database walks the mentions' date index rather than every case of the organisation.
    with_sla = Q(case__needs_answer=True, case__sla_due_at__isnull=False)
    c = mentions.aggregate(
        needing=Count("case", filter=Q(case__needs_answer=True)),
        answered=Count("case", filter=Q(case__needs_answer=True, case__first_response_at__isnull=False)),
        sla_met=Count("case", filter=with_sla & Q(case__first_response_at__lte=F("case__sla_due_at"))),
        sla_missed=Count(
            "case",
            filter=with_sla
            & (
                Q(case__first_response_at__gt=F("case__sla_due_at"))
                | Q(case__first_response_at__isnull=True, case__sla_due_at__lt=now)
            ),
        ),
    )
    totals = Totals(
        volume=m["volume"],
        reach=m["reach"] or 0,
        engagement=m["engagement"] or 0,
        reviews=m["reviews"],
        rating_sum=float(m["rating_sum"] or 0),
        stars=Counter({stars: m[f"stars_{stars}"] for stars in _RATING_BUCKETS}),
        sentiments=Counter({s.value: m[f"sentiment_{s.value}"] for s in Sentiment}),
        surveys=m["surveys"],
        satisfied=m["satisfied"],
        needing=c["needing"],
        answered=c["answered"],
        sla_met=c["sla_met"],
        sla_missed=c["sla_missed"],
    )
    _add_raw_delays(totals, mentions, calendar)
    totals.resolved = len(totals.delays["resolution"])
    surveys_raw = mentions.filter(kind=MentionKind.SURVEY_ANSWER).exclude(rating_raw="")
    for raw in surveys_raw.values_list("rating_raw", flat=True):
        score = nps_score(raw)
        if score is not None:
            totals.nps_answers += 1
            totals.nps_promoters += score >= 9
            totals.nps_detractors += score <= 6
    return totals


def _add_raw_delays(totals: Totals, mentions: QuerySet[Mention], calendar: BusinessCalendar) -> None:
    """Append the exact delays of the cases of ``mentions`` (two timestamps read per case)."""
    for published, answered_at in mentions.filter(case__first_response_at__isnull=False).values_list(
        "created_at", "case__first_response_at"
    ):
        if answered_at is not None:
            totals.delays["first_response"].append(float(calendar.seconds_between(published, answered_at)))
            totals.delays["first_response_calendar"].append((answered_at - published).total_seconds())
    for published, resolved_at in mentions.filter(case__resolved_at__isnull=False).values_list(
        "created_at", "case__resolved_at"
    ):
        if resolved_at is not None:
            totals.delays["resolution"].append((resolved_at - published).total_seconds())


def _rollup_totals(
    organisation: Organisation,
    first: date,
    last: date,
    filters: InsightFilters,
    calendar: BusinessCalendar,
) -> Totals:
    """Totals of whole days read from the rollup (as of its last refresh, see ``rollup``)."""
    from vigie.insights.rollup import rollup_sums

    sums, histograms = rollup_sums(
        organisation,
        first,
        last,
        theme=filters.theme,
        location_id=filters.location_id,
        platform=filters.platform,
        team_id=filters.team_id,
    )
    totals = Totals(
        volume=sums["mentions"],
        reach=sums["reach"],
        engagement=sums["engagement"],
        reviews=sums["reviews"],
        rating_sum=float(sums["rating_sum"]),
        stars=Counter({stars: sums[f"stars_{stars}"] for stars in range(1, 6)}),
        sentiments=Counter({s.value: sums[f"sentiment_{s.value}"] for s in Sentiment}),
        surveys=sums["surveys"],
        satisfied=sums["satisfied"],
        nps_answers=sums["nps_answers"],
        nps_promoters=sums["nps_promoters"],
        nps_detractors=sums["nps_detractors"],
        needing=sums["needing"],
        answered=sums["answered"],
        sla_met=sums["sla_met"],
        sla_missed=sums["sla_missed"],
        resolved=sums["resolved"],
    )
    if histograms is not None:
        totals.histograms = histograms
    else:
        covered = period_between(organisation, first, last)
        _add_raw_delays(totals, period_mentions(organisation, covered, filters), calendar)
    return totals


def period_totals(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters,
    calendar: BusinessCalendar,
    *,
    use_rollup: bool = True,
) -> Totals:
    """Totals of ``period``: the days the rollup covers from it, the others from the rows."""
    from vigie.insights.rollup import coverage

    now = timezone.now()
    covered = coverage(organisation) if use_rollup else None
    if covered is None or any(getattr(filters, name) for name in ROLLUP_FILTERS_UNSUPPORTED):
        return _raw_totals(organisation, period, filters, calendar, now)
    first = max(period.first_day, covered.first)
    last = min(period.last_day, covered.until - timedelta(days=1))
    if first > last:
        return _raw_totals(organisation, period, filters, calendar, now)
    totals = _rollup_totals(organisation, first, last, filters, calendar)
    if period.first_day < first:
        before = period_between(organisation, period.first_day, first - timedelta(days=1))
        totals.add(_raw_totals(organisation, before, filters, calendar, now))
    if last < period.last_day:
        after = period_between(organisation, last + timedelta(days=1), period.last_day)
        totals.add(_raw_totals(organisation, after, filters, calendar, now))
    return totals


def kpi_report(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    targets: Targets | None = None,
    calendar: BusinessCalendar | None = None,
    compare: bool = False,
    use_rollup: bool = True,
) -> KpiReport:
    """The dashboard's numbers for ``period``.

    Whole past days come from the daily rollup when it exists (see ``vigie.insights.rollup``),
    the rest from the rows: counts are exact either way; delays are exact from rows and within
    half a histogram bucket from the rollup. ``compare`` also computes the previous period of the
    same length so each KPI carries its ``previous`` value.
    """
    filters = filters or InsightFilters()
    targets = targets or targets_for(organisation)
    calendar = calendar or calendar_for(organisation)
    t = period_totals(organisation, period, filters, calendar, use_rollup=use_rollup)
    rated_count = t.rated
    rating_distribution = [
        Share(str(stars), f"{stars} ★", t.stars[stars], _share(t.stars[stars], rated_count))
        for stars in sorted(_RATING_BUCKETS, reverse=True)
    ]
    analysed = sum(t.sentiments[s.value] for s in Sentiment)
    sentiments = [
        Share(s.value, s.label, t.sentiments[s.value], _share(t.sentiments[s.value], analysed))
        for s in Sentiment
    ]
    net_sentiment = (
        (t.sentiments[Sentiment.POSITIVE.value] - t.sentiments[Sentiment.NEGATIVE.value]) / analysed
        if analysed
        else None
    )
    average_rating = round(t.rating_sum / rated_count, 2) if rated_count else None
    response_rate = t.answered / t.needing if t.needing else None
    sla_judged = t.sla_met + t.sla_missed
    sla_compliance = t.sla_met / sla_judged if sla_judged else None
    responded = t.delay_count("first_response")
    distribution = t.delay_distribution("first_response")
    response_distribution = [
        Share(key, key, count, _share(count, responded))
        for (key, _bound), count in zip(RESPONSE_BUCKETS, distribution, strict=True)
    ]
    median_business = t.delay_stat("first_response", 0.5)
    p90_business = t.delay_stat("first_response", 0.9)
    median_calendar = t.delay_stat("first_response_calendar", 0.5)
    nps = 100 * (t.nps_promoters - t.nps_detractors) / t.nps_answers if t.nps_answers else None

    previous: KpiReport | None = None
    if compare:
        previous = kpi_report(
            organisation,
            previous_period(organisation, period),
            filters,
            targets=targets,
            calendar=calendar,
            use_rollup=use_rollup,
        )

    def before(key: str) -> float | None:
        kpi = previous.kpi(key) if previous is not None else None
        return kpi.value if kpi is not None else None

    kpis = [
        Kpi(
            "average_rating",
            _("Note moyenne"),
            average_rating,
            targets.average_rating,
            "stars",
            True,
            before("average_rating"),
        ),
        Kpi(
            "response_rate",
            _("Taux de réponse"),
            response_rate,
            targets.response_rate,
            "ratio",
            True,
            before("response_rate"),
        ),
        Kpi(
            "first_response_time",
            _("Délai médian de première réponse (heures ouvrées)"),
            median_business / 3600 if median_business is not None else None,
            targets.first_response_hours,
            "hours",
            False,
            before("first_response_time"),
        ),
        Kpi(
            "sla_compliance",
            _("Respect des délais (SLA)"),
            sla_compliance,
            targets.sla_compliance,
            "ratio",
            True,
            before("sla_compliance"),
        ),
    ]
    return KpiReport(
        period=period,
        filters=filters,
        targets=targets,
        review_count=t.reviews,
        rated_review_count=rated_count,
        average_rating=average_rating,
        rating_distribution=rating_distribution,
        mention_volume=t.volume,
        total_reach=t.reach,
        sentiments=sentiments,
        cases_needing_answer=t.needing,
        cases_answered=t.answered,
        response_rate=response_rate,
        median_first_response_seconds=median_calendar,
        kpis=kpis,
        engagement=t.engagement,
        net_sentiment=net_sentiment,
        median_first_response_business_seconds=median_business,
        p90_first_response_business_seconds=p90_business,
        response_time_distribution=response_distribution,
        sla_met=t.sla_met,
        sla_missed=t.sla_missed,
        sla_compliance=sla_compliance,
        resolved_count=t.resolved,
        median_resolution_seconds=t.delay_stat("resolution", 0.5),
        survey_answer_count=t.surveys,
        csat=t.satisfied / t.surveys if t.surveys else None,
        nps=nps,
        nps_answer_count=t.nps_answers,
    )


def previous_period(organisation: Organisation, period: Period) -> Period:
    """The period of the same length just before ``period``."""
    last = period.first_day - timedelta(days=1)
    return period_between(organisation, last - timedelta(days=period.days - 1), last)


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
    counts = grouped(organisation, period, filters, "theme")
    ranked = sorted(
        ((int(v.get("volume", 0)), t) for t, v in counts.items() if v.get("volume")),
        key=lambda x: (-x[0], x[1]),
    )
    return [ThemeCount(str(theme), count) for count, theme in ranked[:limit]]


def _raw_top_themes(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    limit: int = TOP_THEMES,
) -> list[ThemeCount]:
    """``top_themes`` counted from the mentions' JSON theme lists."""
    counts = _raw_theme_counts(organisation, period, filters or InsightFilters())
    ranked = sorted(((int(v["volume"]), t) for t, v in counts.items()), key=lambda x: (-x[0], x[1]))
    return [ThemeCount(str(theme), count) for count, theme in ranked[:limit]]


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
    from vigie.insights.rollup import coverage, rollup_grouped

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
    parts = []
    if period.first_day < first:
        parts.append(period_between(organisation, period.first_day, first - timedelta(days=1)))
    if last < period.last_day:
        parts.append(period_between(organisation, last + timedelta(days=1), period.last_day))
    for part in parts:
        for key, values in _raw_grouped(organisation, part, f, by).items():
            target = found.setdefault(key, {})
            for name, value in values.items():
                target[name] = target.get(name, 0) + value
    return found


def theme_shares(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    limit: int = TOP_THEMES,
    volume: int | None = None,
) -> list[ThemeShare]:
    """The top themes of ``period``, their share of the volume and their count in the previous period."""
    current = top_themes(organisation, period, filters, limit=limit)
    if not current:
        return []
    if volume is None:
        volume = period_mentions(organisation, period, filters).count()
    before = previous_period(organisation, period)
    previous = {t.theme: t.count for t in top_themes(organisation, before, filters, limit=10_000)}
    return [ThemeShare(t.theme, t.count, _share(t.count, volume), previous.get(t.theme, 0)) for t in current]


@dataclass(frozen=True)
class SeriesPoint:
    """One bucket (a day or a week) of the time series."""

    start: date
    end: date  # last day included
    volume: int
    positive: int
    neutral: int
    negative: int
    rated: int
    average_rating: float | None


def series_step_days(period: Period) -> int:
    """Days per bucket: a day for periods up to a month, else a week."""
    return 1 if period.days <= 31 else 7


def time_series(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> list[SeriesPoint]:
    """Volume, sentiment counts and average rating per day (or week), empty buckets included."""
    step = series_step_days(period)
    found: dict[date, dict[str, float]] = {}
    for day, values in grouped(organisation, period, filters, "day").items():
        # Weeks start on Monday; each day's counts go to its week's bucket.
        bucket = day if step == 1 else day - timedelta(days=day.weekday())
        target = found.setdefault(bucket, {})
        for name, value in values.items():
            target[name] = target.get(name, 0) + value
    first = period.first_day if step == 1 else period.first_day - timedelta(days=period.first_day.weekday())
    points = []
    day = first
    while day <= period.last_day:
        row: dict[str, float] = found.get(day, {})
        rated_count = int(row.get("rated", 0))
        points.append(
            SeriesPoint(
                start=max(day, period.first_day),
                end=min(day + timedelta(days=step - 1), period.last_day),
                volume=int(row.get("volume", 0)),
                positive=int(row.get("positive", 0)),
                neutral=int(row.get("neutral", 0)),
                negative=int(row.get("negative", 0)),
                rated=rated_count,
                average_rating=round(float(row["rating_sum"]) / rated_count, 2) if rated_count else None,
            )
        )
        day += timedelta(days=step)
    return points


@dataclass(frozen=True)
class ThemeTrend:
    theme: str
    counts: list[int]  # one per bucket of ``time_series``


def theme_trends(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    themes: list[str],
) -> list[ThemeTrend]:
    """Mentions per bucket of each of ``themes`` (one query per theme)."""
    trends = []
    for theme in themes:
        narrowed = replace(filters or InsightFilters(), theme=theme)
        trends.append(ThemeTrend(theme, [p.volume for p in time_series(organisation, period, narrowed)]))
    return trends


@dataclass(frozen=True)
class Breakdown:
    """Numbers of one value of a dimension (a platform, a location…)."""

    key: str
    label: str
    volume: int
    negative: int
    rated: int
    average_rating: float | None

    @property
    def negative_share(self) -> float:
        return _share(self.negative, self.volume)


def _breakdown(counts: dict[Any, dict[str, float]], labels: dict[Any, str]) -> list[Breakdown]:
    rows = sorted(counts.items(), key=lambda item: (-item[1].get("volume", 0), str(item[0])))
    return [
        Breakdown(
            key="" if key is None else str(key),
            label=labels.get(key, str(key or "—")),
            volume=int(values.get("volume", 0)),
            negative=int(values.get("negative", 0)),
            rated=int(values.get("rated", 0)),
            average_rating=round(values["rating_sum"] / values["rated"], 2) if values.get("rated") else None,
        )
        for key, values in rows
        if values.get("volume")
    ]


def platform_split(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> list[Breakdown]:
    """Volume, negativity and rating per platform (named as the pages name them)."""
    from vigie.connectors.registry import platform_label

    counts = grouped(organisation, period, filters, "platform")
    return _breakdown(counts, {key: platform_label(str(key)) for key in counts if key})


def location_split(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> list[Breakdown]:
    """Volume, negativity and rating per location (mentions without one as "Sans lieu")."""
    labels: dict[Any, str] = {loc.pk: loc.name for loc in scoped(Location, organisation)}
    labels[None] = str(_("Sans lieu"))
    return _breakdown(grouped(organisation, period, filters, "location_id"), labels)


BREAKDOWN_DIMENSIONS = ("location", "platform", "team", "agent", "theme")


def kpi_breakdown(
    organisation: Organisation, period: Period, filters: InsightFilters | None, by: str
) -> list[tuple[str, str, KpiReport]]:
    """One ``KpiReport`` per value of dimension ``by``: (key, label, report)."""
    base = filters or InsightFilters()
    mentions = period_mentions(organisation, period, base)
    values: list[tuple[str, str, InsightFilters]] = []
    if by == "location":
        for loc in scoped(Location, organisation).filter(pk__in=mentions.values("location_id")):
            values.append((str(loc.pk), loc.name, replace(base, location_id=loc.pk)))
    elif by == "platform":
        for platform in sorted(set(mentions.values_list("source__platform", flat=True))):
            values.append((platform, platform, replace(base, platform=platform)))
    elif by == "team":
        for team in scoped(Team, organisation).filter(pk__in=mentions.values("case__team_id")):
            values.append((str(team.pk), team.name, replace(base, team_id=team.pk)))
    elif by == "agent":
        agent_ids = set(mentions.exclude(case__assignee=None).values_list("case__assignee_id", flat=True))
        for user in User.objects.filter(pk__in=agent_ids).order_by("email"):
            values.append((str(user.pk), str(user), replace(base, agent_id=user.pk)))
    elif by == "theme":
        for theme in top_themes(organisation, period, base, limit=50):
            values.append((theme.theme, theme.theme, replace(base, theme=theme.theme)))
    else:
        raise ValueError(f"unknown dimension {by!r}; choose one of {', '.join(BREAKDOWN_DIMENSIONS)}")
    targets = targets_for(organisation)
    calendar = calendar_for(organisation)
    return [
        (key, label, kpi_report(organisation, period, f, targets=targets, calendar=calendar))
        for key, label, f in values
    ]


def drilldown_mentions(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    sentiment: str = "",
    stars: int | None = None,
    kind: str = "",
) -> QuerySet[Mention]:
    """The mentions behind a number of the dashboard, newest first."""
    queryset = period_mentions(organisation, period, filters).select_related("source", "location", "author")
    if sentiment:
        queryset = queryset.filter(sentiment=sentiment)
    if kind:
        queryset = queryset.filter(kind=kind)
    if stars is not None and stars in _RATING_BUCKETS:
        queryset = queryset.filter(_RATING_BUCKETS[stars], kind=MentionKind.REVIEW)
    return queryset.order_by("-created_at", "-id")


@dataclass(frozen=True)
class Verbatim:
    """A quote of a mention, personal data masked."""

    mention_id: int
    created_at: datetime
    platform: str
    location: str
    rating: float | None
    text: str


@dataclass(frozen=True)
class ThemeBoardRow:
    """One problem of the theme board."""

    theme: str
    label: str
    volume: int
    negative: int
    previous_volume: int
    previous_negative: int
    average_rating: float | None
    verbatims: list[Verbatim]
    locations: list[tuple[str, int]]
    action_plans: list[ActionPlan]

    @property
    def negativity(self) -> float:
        return _share(self.negative, self.volume)

    @property
    def score(self) -> float:
        """Volume x negativity: the ranking of the board."""
        return self.volume * self.negativity

    @property
    def change(self) -> int:
        return self.volume - self.previous_volume


# A mention counts as negative for the board when its analysed sentiment is negative or, for a
# rated review, when it has 1 or 2 stars (a terse "bof" review may be analysed as neutral).
NEGATIVE_FOR_BOARD = Q(sentiment=Sentiment.NEGATIVE) | Q(kind=MentionKind.REVIEW, rating__lt=Decimal("2.5"))


def _verbatim(mention: Mention, patterns: list[str]) -> Verbatim:
    return Verbatim(
        mention_id=mention.pk,
        created_at=mention.created_at,
        platform=mention.source.platform,
        location=mention.location.name if mention.location else "",
        rating=float(mention.rating) if mention.rating is not None else None,
        text=masked(" ".join(p for p in (mention.title, mention.text) if p), patterns),
    )


def theme_board(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    limit: int = TOP_THEMES,
    verbatims: int = 3,
) -> list[ThemeBoardRow]:
    """The most frequent problems of ``period`` ranked by volume x negativity.

    Each row carries the previous period's numbers (the trend), a few of the most recent
    negative quotes with personal data masked, the most affected locations and the theme's
    action plans.
    """
    base = filters or InsightFilters()
    now_counts = grouped(organisation, period, base, "theme")
    then_counts = grouped(organisation, previous_period(organisation, period), base, "theme")
    labels = {t.slug: t.label for t in scoped(Theme, organisation)}
    location_names = {loc.pk: loc.name for loc in scoped(Location, organisation)}
    # Volume x negativity (negative / volume) is the number of negative mentions.
    ranked = sorted(
        ((theme, counts) for theme, counts in now_counts.items() if counts.get("board_negative")),
        key=lambda item: (-item[1]["board_negative"], -item[1]["volume"], item[0]),
    )[:limit]
    quotes = _recent_negative_quotes(organisation, period, base, [theme for theme, _c in ranked], verbatims)
    rows = []
    for theme, counts in ranked:
        by_location = grouped(organisation, period, replace(base, theme=theme), "location_id")
        locations = sorted(
            (
                (location_names.get(key, "—"), int(v.get("board_negative", 0)))
                for key, v in by_location.items()
                if key
            ),
            key=lambda item: (-item[1], item[0]),
        )
        then = then_counts.get(theme, {})
        rows.append(
            ThemeBoardRow(
                theme=theme,
                label=labels.get(theme, theme),
                volume=int(counts["volume"]),
                negative=int(counts["board_negative"]),
                previous_volume=int(then.get("volume", 0)),
                previous_negative=int(then.get("board_negative", 0)),
                average_rating=round(counts["rating_sum"] / counts["rated"], 2)
                if counts.get("rated")
                else None,
                verbatims=quotes[theme],
                locations=[loc for loc in locations if loc[1]][:3],
                action_plans=list(
                    scoped(ActionPlan, organisation).filter(theme=theme).select_related("owner")
                ),
            )
        )
    return rows


def _recent_negative_quotes(
    organisation: Organisation, period: Period, filters: InsightFilters, themes: list[str], per_theme: int
) -> dict[str, list[Verbatim]]:
    """The most recent negative mentions of each theme, read in one pass from the newest."""
    patterns = order_patterns(organisation)
    found: dict[str, list[Verbatim]] = {theme: [] for theme in themes}
    if not themes:
        return found
    queryset = (
        period_mentions(organisation, period, filters)
        .filter(NEGATIVE_FOR_BOARD)
        .select_related("source", "location")
        .only("id", "created_at", "title", "text", "rating", "themes", "source__platform", "location__name")
        .order_by("-created_at", "-id")
    )
    missing = set(themes)
    for mention in queryset.iterator(chunk_size=500):
        for theme in mention.themes or []:
            if theme in missing:
                found[theme].append(_verbatim(mention, patterns))
                if len(found[theme]) >= per_theme:
                    missing.discard(theme)
        if not missing:
            break
    return found


@dataclass(frozen=True)
class ThemeWindow:
    """A theme's numbers over a window of days."""

    period: Period
    volume: int
    negative: int
    average_rating: float | None

    @property
    def negativity(self) -> float:
        return _share(self.negative, self.volume)


@dataclass(frozen=True)
class PlanEffect:
    """A theme before and after an action plan started: same number of days on each side."""

    plan: ActionPlan
    before: ThemeWindow
    after: ThemeWindow | None  # None until the plan has started


def _theme_window(organisation: Organisation, theme: str, period: Period) -> ThemeWindow:
    counts = period_mentions(organisation, period, InsightFilters(theme=theme)).aggregate(
        volume=Count("id"),
        negative=Count("id", filter=NEGATIVE_FOR_BOARD),
        average=Avg("rating", filter=Q(kind=MentionKind.REVIEW, rating__isnull=False)),
    )
    average = round(float(counts["average"]), 2) if counts["average"] is not None else None
    return ThemeWindow(period, counts["volume"], counts["negative"], average)


def plan_effect(plan: ActionPlan, *, window_days: int = 30, today: date | None = None) -> PlanEffect:
    """The theme's volume and negativity in the ``window_days`` before the start and as many days
    after it (fewer when the plan started recently, the same count on both sides)."""
    organisation = plan.organisation
    today = today or organisation_today(organisation)
    elapsed = (today - plan.started_on).days
    days = min(window_days, elapsed) if elapsed > 0 else window_days
    before_period = period_between(
        organisation, plan.started_on - timedelta(days=days), plan.started_on - timedelta(days=1)
    )
    before = _theme_window(organisation, plan.theme, before_period)
    if elapsed <= 0:
        return PlanEffect(plan, before, None)
    after_period = period_between(organisation, plan.started_on, plan.started_on + timedelta(days=days - 1))
    return PlanEffect(plan, before, _theme_window(organisation, plan.theme, after_period))


def action_plans(organisation: Organisation, theme: str = "") -> QuerySet[ActionPlan]:
    """The organisation's action plans, newest start first, optionally of one theme."""
    queryset = scoped(ActionPlan, organisation).select_related("owner")
    return queryset.filter(theme=theme) if theme else queryset


def theme_labels(organisation: Organisation) -> dict[str, str]:
    """Slug -> label of the organisation's themes, and of the default taxonomy's for the slugs
    an organisation without its own taxonomy is analysed with."""
    from vigie.analysis.taxonomy import DEFAULT_TAXONOMY

    labels = {theme.slug: theme.label for theme in DEFAULT_TAXONOMY}
    labels.update({t.slug: t.label for t in scoped(Theme, organisation)})
    return labels


def consented_testimonials(organisation: Organisation, period: Period, *, limit: int = 10) -> list[Verbatim]:
    """Positive mentions of ``period`` whose author consented to be quoted, personal data masked.

    Without a recorded consent a mention is never quoted, however glowing; the author's name is
    left out.
    """
    patterns = order_patterns(organisation)
    rows = (
        period_mentions(organisation, period)
        .filter(testimonial_consent__granted=True)
        .filter(Q(sentiment=Sentiment.POSITIVE) | Q(rating__gte=Decimal("4")))
        .select_related("source", "location")
        .order_by("-rating", "-created_at")[:limit]
    )
    return [_verbatim(m, patterns) for m in rows]
