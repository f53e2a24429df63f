"""The dashboard's numbers for one period (``kpi_report``): reviews and ratings, response rate and
time, SLA compliance, volume, reach, sentiment, CSAT and NPS, each KPI against its target and
the previous period. The dashboard and ``GET /api/v1/kpis`` both read ``kpi_report`` and therefore
always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vigie.connectors.platforms import platform_of
from vigie.core.models import Organisation
from vigie.core.periods import Period
from vigie.insights.business_hours import BusinessCalendar
from vigie.insights.queries.filters import _RATING_BUCKETS, InsightFilters, previous_period
from vigie.insights.queries.stats import _share
from vigie.insights.queries.targets import Targets, calendar_for, targets_for
from vigie.insights.queries.totals import RESPONSE_BUCKETS, Totals, period_totals, period_totals_by
from vigie.mentions.models import Sentiment


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
    return kpi_report_of(t, period, filters, targets, previous)


def kpi_reports_by(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None,
    by: str,
    *,
    targets: Targets | None = None,
    calendar: BusinessCalendar | None = None,
) -> dict[Any, KpiReport]:
    """``kpi_report`` of each value of ``by`` ("location_id", "platform" or "team_id") with mentions
    in ``period``, each equal to ``kpi_report`` filtered by that value, read in a few grouped
    queries rather than a few per value (the report's page of locations, 40 of them or more)."""
    filters = filters or InsightFilters()
    targets = targets or targets_for(organisation)
    calendar = calendar or calendar_for(organisation)
    field_name = by
    found = period_totals_by(organisation, period, filters, calendar, by)
    if by == "platform":
        # Each platform once, under the slug the connectors name it by ("twitter" counts in "x"),
        # as the dashboard's rows and its platform filter count them.
        folded: dict[Any, Totals] = {}
        for key, totals in found.items():
            folded.setdefault(platform_of(str(key)) if key else key, Totals()).add(totals)
        found = folded
    return {
        key: kpi_report_of(totals, period, replace(filters, **{field_name: key}), targets, None)
        for key, totals in found.items()
        if totals.volume
    }


def kpi_report_of(
    t: Totals, period: Period, filters: InsightFilters, targets: Targets, previous: KpiReport | None
) -> KpiReport:
    """The KPIs of ``period`` computed from its totals ``t`` (``previous``: the period before)."""
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
