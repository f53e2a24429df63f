"""The additive measures of a period (``Totals``), read from the mentions and cases themselves or from
the daily rollup (``vigie.insights.rollup``) for the whole past days it covers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from vigie.core.models import Organisation
from vigie.core.periods import Period, outside, period_between
from vigie.core.tenancy import scoped
from vigie.insights.business_hours import BusinessCalendar
from vigie.insights.models import DailyRollup, DelayRollup
from vigie.insights.queries.filters import (
    _RATING_BUCKETS,
    ROLLUP_FILTERS_UNSUPPORTED,
    InsightFilters,
    period_mentions,
)
from vigie.insights.queries.stats import median, nps_score, percentile
from vigie.insights.rollup import (
    bucket_seconds,
    coverage,
    delay_bucket,
    dimension_condition,
    grain_for,
    histogram_percentile,
    measure_aggregates,
    rollup_sums,
)
from vigie.mentions.models import Mention, MentionKind, Sentiment

# First-response delay buckets of the distribution chart, in business hours: (key, upper bound).
RESPONSE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("<1h", 1),
    ("1-4h", 4),
    ("4-8h", 8),
    ("8-24h", 24),
    ("24-48h", 48),
    (">48h", float("inf")),
)


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
        counts = [0] * len(RESPONSE_BUCKETS)

        def place(seconds: float, n: int) -> None:
            hours = seconds / 3600
            counts[next(i for i, (_key, bound) in enumerate(RESPONSE_BUCKETS) if hours < bound)] += n

        for value in self.delays[metric]:
            place(value, 1)
        for bucket, n in self.histograms[metric].items():
            place(bucket_seconds(bucket)[0], n)
        return counts


def _mention_aggregates() -> dict[str, Any]:
    """The sums read from the mentions (one aggregate, or one per group)."""
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
    return aggregates


def _case_aggregates(now: datetime) -> dict[str, Any]:
    """The case counts read through the period's mentions (a join on the case's unique mention_id,
    so the database walks the mentions' date index rather than every case of the organisation)."""
    with_sla = Q(case__needs_answer=True, case__sla_due_at__isnull=False)
    return {
        "needing": Count("case", filter=Q(case__needs_answer=True)),
        "answered": Count("case", filter=Q(case__needs_answer=True, case__first_response_at__isnull=False)),
        "sla_met": Count("case", filter=with_sla & Q(case__first_response_at__lte=F("case__sla_due_at"))),
        "sla_missed": Count(
            "case",
            filter=with_sla
            & (
                Q(case__first_response_at__gt=F("case__sla_due_at"))
                | Q(case__first_response_at__isnull=True, case__sla_due_at__lt=now)
            ),
        ),
    }


def _totals_of(m: dict[str, Any], c: dict[str, Any]) -> Totals:
    return Totals(
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


def _add_nps(totals: Totals, raw: str) -> None:
    score = nps_score(raw)
    if score is not None:
        totals.nps_answers += 1
        totals.nps_promoters += score >= 9
        totals.nps_detractors += score <= 6


def _raw_totals(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters,
    calendar: BusinessCalendar,
    now: datetime,
) -> Totals:
    """Totals read from the mentions and cases themselves (a few aggregate queries)."""
    mentions = period_mentions(organisation, period, filters)
    totals = _totals_of(
        mentions.aggregate(**_mention_aggregates()), mentions.aggregate(**_case_aggregates(now))
    )
    _add_raw_delays(totals, mentions, calendar)
    totals.resolved = len(totals.delays["resolution"])
    surveys_raw = mentions.filter(kind=MentionKind.SURVEY_ANSWER).exclude(rating_raw="")
    for raw in surveys_raw.values_list("rating_raw", flat=True):
        _add_nps(totals, raw)
    return totals


def _raw_totals_by(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters,
    calendar: BusinessCalendar,
    now: datetime,
    by: str,
) -> dict[Any, Totals]:
    """``_raw_totals`` per value of the mention field ``by`` (as many queries, each grouped)."""
    mentions = period_mentions(organisation, period, filters)
    cases = {row[by]: row for row in mentions.values(by).annotate(**_case_aggregates(now)).order_by()}
    found: dict[Any, Totals] = {}
    for row in mentions.values(by).annotate(**_mention_aggregates()).order_by():
        found[row[by]] = _totals_of(row, cases[row[by]])
    answered = mentions.filter(case__first_response_at__isnull=False)
    for key, published, answered_at in answered.values_list(by, "created_at", "case__first_response_at"):
        if answered_at is not None:
            delays = found[key].delays
            delays["first_response"].append(float(calendar.seconds_between(published, answered_at)))
            delays["first_response_calendar"].append((answered_at - published).total_seconds())
    resolved = mentions.filter(case__resolved_at__isnull=False)
    for key, published, resolved_at in resolved.values_list(by, "created_at", "case__resolved_at"):
        if resolved_at is not None:
            found[key].delays["resolution"].append((resolved_at - published).total_seconds())
    for totals in found.values():
        totals.resolved = len(totals.delays["resolution"])
    surveys_raw = mentions.filter(kind=MentionKind.SURVEY_ANSWER).exclude(rating_raw="")
    for key, raw in surveys_raw.values_list(by, "rating_raw"):
        _add_nps(found[key], raw)
    return found


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


def _rollup_totals_of(sums: dict[str, Any]) -> Totals:
    """The ``Totals`` of the rollup's summed measures (``rollup_sums``' names)."""
    return Totals(
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


def _rollup_totals(
    organisation: Organisation,
    first: date,
    last: date,
    filters: InsightFilters,
) -> Totals:
    """Totals of whole days read from the rollup (as of its last refresh, see ``rollup``)."""
    sums, histograms = rollup_sums(
        organisation,
        first,
        last,
        theme=filters.theme,
        location_id=filters.location_id,
        location_ids=filters.location_ids,
        platform=filters.platform,
        team_id=filters.team_id,
    )
    totals = _rollup_totals_of(sums)
    totals.histograms = histograms
    return totals


# The dimensions totals can be grouped by: (mention field, rollup column).
GROUPABLE = {
    "location_id": ("location_id", "location_id"),
    "platform": ("source__platform", "platform"),
    "team_id": ("case__team_id", "team_id"),
}


def _rollup_totals_by(
    organisation: Organisation, first: date, last: date, filters: InsightFilters, by: str
) -> dict[Any, Totals]:
    """``_rollup_totals`` per value of ``by``: the same rows summed by ``rollup_sums`` for one value,
    read in two grouped queries (measures, delay histograms) instead of two per value."""
    column = GROUPABLE[by][1]
    grain = grain_for(
        location=filters.location_id is not None or filters.location_ids is not None or by == "location_id",
        platform=bool(filters.platform) or by == "platform",
        team=filters.team_id is not None or by == "team_id",
    )
    condition = Q(day__gte=first, day__lte=last, theme=filters.theme, grain=grain) & dimension_condition(
        location_id=filters.location_id,
        location_ids=filters.location_ids,
        platform=filters.platform,
        team_id=filters.team_id,
    )
    aggregates = measure_aggregates()
    found: dict[Any, Totals] = {}
    rows = (
        scoped(DailyRollup, organisation).filter(condition).values(column).annotate(**aggregates).order_by()
    )
    for row in rows:
        sums = {key.removeprefix("total_"): (value or 0) for key, value in row.items() if key != column}
        found[row[column]] = _rollup_totals_of(sums)
    delays = (
        scoped(DelayRollup, organisation)
        .filter(condition)
        .values(column, "metric", "bucket")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    for row in delays:
        totals = found.get(row[column])
        if totals is None:
            totals = found[row[column]] = Totals()
        totals.histograms.setdefault(row["metric"], Counter())[row["bucket"]] += row["n"]
    return found


def period_totals_by(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters,
    calendar: BusinessCalendar,
    by: str,
) -> dict[Any, Totals]:
    """``period_totals`` for each value of ``by`` ("location_id", "platform" or "team_id") with
    mentions in the period, in a few grouped queries: equal, value by value, to ``period_totals``
    with that value as a filter (the same rollup rows and the same rows read)."""
    now = timezone.now()
    field_name = GROUPABLE[by][0]
    covered = coverage(organisation)
    if covered is None or any(getattr(filters, name) for name in ROLLUP_FILTERS_UNSUPPORTED):
        return _raw_totals_by(organisation, period, filters, calendar, now, field_name)
    first = max(period.first_day, covered.first)
    last = min(period.last_day, covered.until - timedelta(days=1))
    if first > last:
        return _raw_totals_by(organisation, period, filters, calendar, now, field_name)
    found = _rollup_totals_by(organisation, first, last, filters, by)
    for part in outside(organisation, period, first, last):
        for key, totals in _raw_totals_by(organisation, part, filters, calendar, now, field_name).items():
            found.setdefault(key, Totals()).add(totals)
    return found


def period_totals(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters,
    calendar: BusinessCalendar,
    *,
    use_rollup: bool = True,
) -> Totals:
    """Totals of ``period``: the days the rollup covers from it, the others from the rows."""
    now = timezone.now()
    covered = coverage(organisation) if use_rollup else None
    if covered is None or any(getattr(filters, name) for name in ROLLUP_FILTERS_UNSUPPORTED):
        return _raw_totals(organisation, period, filters, calendar, now)
    first = max(period.first_day, covered.first)
    last = min(period.last_day, covered.until - timedelta(days=1))
    if first > last:
        return _raw_totals(organisation, period, filters, calendar, now)
    totals = _rollup_totals(organisation, first, last, filters)
    if period.first_day < first:
        before = period_between(organisation, period.first_day, first - timedelta(days=1))
        totals.add(_raw_totals(organisation, before, filters, calendar, now))
    if last < period.last_day:
        after = period_between(organisation, last + timedelta(days=1), period.last_day)
        totals.add(_raw_totals(organisation, after, filters, calendar, now))
    return totals
