"""API route of the insights: the dashboard's KPIs for any period."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from vigie.core.api_auth import membership
from vigie.core.api_schemas import ApiDate, ApiDateTime, ErrorOut, ObjectId, ValidationErrorOut, invalid
from vigie.core.periods import organisation_today, period_between
from vigie.core.queries import group_location_ids, organisation_location_groups
from vigie.insights.queries.filters import DEFAULT_PERIOD_DAYS, InsightFilters
from vigie.insights.queries.kpis import KpiReport, kpi_report
from vigie.insights.queries.themes import top_themes
from vigie.insights.queries.trends import weekly_volume

router = Router(tags=["insights"])

# Long enough for year-on-year comparisons, short enough to keep one request cheap.
MAX_PERIOD_DAYS = 3 * 366


class PeriodOut(Schema):
    first_day: date
    last_day: date
    start: ApiDateTime = Field(description="Start of the first day in the organisation's time zone.")
    end: ApiDateTime = Field(description="End of the last day (exclusive).")
    days: int


class KpiOut(Schema):
    key: str = Field(examples=["response_rate"])
    label: str
    value: float | None = Field(description="None when there is nothing to measure in the period.")
    target: float
    unit: str = Field(description="`stars` (1-5), `ratio` (0-1) or `hours`.")
    higher_is_better: bool
    met: bool | None
    previous: float | None = Field(None, description="The value over the previous period of the same length.")


class ShareOut(Schema):
    key: str
    label: str
    count: int
    share: float = Field(description="Share of the total, 0-1.")


class WeekOut(Schema):
    week_start: date = Field(description="The Monday starting the week.")
    count: int


class ThemeOut(Schema):
    theme: str
    count: int


class KpiReportOut(Schema):
    period: PeriodOut
    review_count: int
    rated_review_count: int
    average_rating: float | None
    rating_distribution: list[ShareOut] = Field(description="Reviews per star, 5 first.")
    mention_volume: int
    total_reach: int
    sentiments: list[ShareOut] = Field(description="Shares among the analysed mentions.")
    cases_needing_answer: int
    cases_answered: int
    response_rate: float | None = Field(description="Cases answered / cases needing an answer, 0-1.")
    median_first_response_seconds: float | None = Field(
        description="From publication on the platform to the first response."
    )
    median_first_response_business_seconds: float | None = Field(
        description="Median first-response delay counted in the charter's business hours."
    )
    p90_first_response_business_seconds: float | None = Field(
        description="90th percentile (nearest rank) of the same delays."
    )
    response_time_distribution: list[ShareOut]
    sla_met: int
    sla_missed: int
    sla_compliance: float | None = Field(description="Met / (met + missed); cases not yet due are left out.")
    resolved_count: int
    median_resolution_seconds: float | None
    engagement: int = Field(description="Likes + shares + replies.")
    net_sentiment: float | None = Field(description="(positive - negative) / analysed, -1..1.")
    survey_answer_count: int
    csat: float | None = Field(description="Share of survey answers rated 4 or 5 out of 5.")
    nps: float | None = Field(description="Net promoter score from 0-10 survey answers, -100..100.")
    kpis: list[KpiOut]
    weekly_volume: list[WeekOut]
    top_themes: list[ThemeOut]


class KpiQuery(Schema):
    from_: ApiDate | None = Field(
        None, alias="from", description="First day, included. Default: 29 days before `to`."
    )
    to: ApiDate | None = Field(
        None, description="Last day, included. Default: today in the organisation's time zone."
    )
    location: ObjectId | None = None
    group: ObjectId | None = Field(None, description="A group of locations: the sum of its locations.")
    platform: str = ""
    team: ObjectId | None = None
    theme: str = ""
    agent: ObjectId | None = Field(None, description="User id of the assignee of the cases.")


def report_out(report: KpiReport, weeks: list[WeekOut], themes: list[ThemeOut]) -> KpiReportOut:
    """The API shape of a ``KpiReport``."""
    period = report.period
    return KpiReportOut(
        period=PeriodOut(
            first_day=period.first_day,
            last_day=period.last_day,
            start=period.start,
            end=period.end,
            days=period.days,
        ),
        review_count=report.review_count,
        rated_review_count=report.rated_review_count,
        average_rating=report.average_rating,
        rating_distribution=[
            ShareOut(key=s.key, label=str(s.label), count=s.count, share=s.share)
            for s in report.rating_distribution
        ],
        mention_volume=report.mention_volume,
        total_reach=report.total_reach,
        sentiments=[
            ShareOut(key=s.key, label=str(s.label), count=s.count, share=s.share) for s in report.sentiments
        ],
        cases_needing_answer=report.cases_needing_answer,
        cases_answered=report.cases_answered,
        response_rate=report.response_rate,
        median_first_response_seconds=report.median_first_response_seconds,
        median_first_response_business_seconds=report.median_first_response_business_seconds,
        p90_first_response_business_seconds=report.p90_first_response_business_seconds,
        response_time_distribution=[
            ShareOut(key=s.key, label=str(s.label), count=s.count, share=s.share)
            for s in report.response_time_distribution
        ],
        sla_met=report.sla_met,
        sla_missed=report.sla_missed,
        sla_compliance=report.sla_compliance,
        resolved_count=report.resolved_count,
        median_resolution_seconds=report.median_resolution_seconds,
        engagement=report.engagement,
        net_sentiment=report.net_sentiment,
        survey_answer_count=report.survey_answer_count,
        csat=report.csat,
        nps=report.nps,
        kpis=[
            KpiOut(
                key=k.key,
                label=str(k.label),
                value=k.value,
                target=k.target,
                unit=k.unit,
                higher_is_better=k.higher_is_better,
                met=k.met,
                previous=k.previous,
            )
            for k in report.kpis
        ],
        weekly_volume=weeks,
        top_themes=themes,
    )


@router.get(
    "/kpis",
    response={200: KpiReportOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="KPIs of a period (the dashboard's numbers)",
)
def kpis(request: HttpRequest, query: Query[KpiQuery]) -> KpiReportOut:
    organisation = membership(request).organisation
    last = query.to or organisation_today(organisation)
    first = query.from_ or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if last < first:
        raise invalid(["query", "to"], "'to' must not be before 'from'")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise invalid(["query", "from"], f"A period covers at most {MAX_PERIOD_DAYS} days.")
    period = period_between(organisation, first, last)
    group = None
    if query.group is not None:
        group = organisation_location_groups(organisation).filter(pk=query.group).first()
        if group is None:
            raise invalid(["query", "group"], "Unknown location group.")
    filters = InsightFilters(
        location_id=query.location,
        location_ids=group_location_ids(group) if group is not None else None,
        group_id=query.group,
        platform=query.platform,
        team_id=query.team,
        theme=query.theme,
        agent_id=query.agent,
    )
    report = kpi_report(organisation, period, filters, compare=True)
    weeks = [
        WeekOut(week_start=w.week_start, count=w.count) for w in weekly_volume(organisation, period, filters)
    ]
    themes = [ThemeOut(theme=t.theme, count=t.count) for t in top_themes(organisation, period, filters)]
    return report_out(report, weeks, themes)
