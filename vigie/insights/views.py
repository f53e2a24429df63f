"""The dashboard: KPIs of the last 7, 30 or 90 days against their targets, drawn without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vigie.core.decorators import member_required
from vigie.core.models import Membership
from vigie.core.queries import organisation_locations
from vigie.core.roles import READ
from vigie.insights.queries import (
    DEFAULT_PERIOD_DAYS,
    PERIOD_CHOICES,
    InsightFilters,
    Kpi,
    WeekVolume,
    kpi_report,
    last_days,
    top_themes,
    weekly_volume,
)
from vigie.mentions.queries import platforms

# Geometry of the weekly volume chart (SVG user units; the SVG scales to its container).
CHART_HEIGHT = 120
CHART_BAR_WIDTH = 28
CHART_GAP = 10


@dataclass(frozen=True)
class ChartBar:
    """One bar of the weekly volume chart, already placed."""

    week: WeekVolume
    x: int
    y: int
    height: int
    label_x: int


def chart_bars(weeks: list[WeekVolume]) -> tuple[list[ChartBar], int]:
    """Place the weekly bars; returns them and the chart's width."""
    highest = max((w.count for w in weeks), default=0) or 1
    bars = []
    for index, week in enumerate(weeks):
        height = round(week.count / highest * CHART_HEIGHT)
        x = index * (CHART_BAR_WIDTH + CHART_GAP)
        bars.append(ChartBar(week, x, CHART_HEIGHT - height, height, x + CHART_BAR_WIDTH // 2))
    width = max(len(weeks) * (CHART_BAR_WIDTH + CHART_GAP) - CHART_GAP, CHART_BAR_WIDTH)
    return bars, width


def kpi_display(kpi: Kpi) -> dict[str, object]:
    """A KPI's value and target in the units people read: stars, percent, hours."""
    value: float | None = kpi.value
    target: float = kpi.target
    if kpi.unit == "ratio":
        value = round(kpi.value * 100) if kpi.value is not None else None
        target = round(kpi.target * 100)
    return {"kpi": kpi, "value": value, "target": target}


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@member_required(READ)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """KPI cards, sentiment shares, ratings, weekly volume and top themes of the chosen period."""
    member = cast(Membership, request.membership)  # type: ignore[attr-defined]
    organisation = member.organisation
    days = _int_or_none(request.GET.get("period"))
    if days not in PERIOD_CHOICES:
        days = DEFAULT_PERIOD_DAYS
    location_id = _int_or_none(request.GET.get("location"))
    locations = list(organisation_locations(organisation))
    if location_id not in {loc.pk for loc in locations}:
        location_id = None
    known_platforms = platforms(organisation)
    platform = request.GET.get("platform", "")
    if platform not in known_platforms:
        platform = ""

    period = last_days(organisation, days)
    filters = InsightFilters(location_id=location_id, platform=platform)
    report = kpi_report(organisation, period, filters)
    weeks = weekly_volume(organisation, period, filters)
    bars, chart_width = chart_bars(weeks)
    rating_max = max((share.count for share in report.rating_distribution), default=0)
    return render(
        request,
        "insights/dashboard.html",
        {
            "nav": "dashboard",
            "days": days,
            "period_choices": PERIOD_CHOICES,
            "period": period,
            "locations": locations,
            "location_id": location_id,
            "platforms": known_platforms,
            "platform": platform,
            "report": report,
            "kpis": [kpi_display(kpi) for kpi in report.kpis],
            "response_rate_percent": round(report.response_rate * 100)
            if report.response_rate is not None
            else None,
            "sentiments": [(share, round(share.share * 100)) for share in report.sentiments],
            "ratings": [
                (share, round(share.share * 100), round(share.count / rating_max * 100) if rating_max else 0)
                for share in report.rating_distribution
            ],
            "bars": bars,
            "chart_width": chart_width,
            "chart_height": CHART_HEIGHT,
            "chart_bar_width": CHART_BAR_WIDTH,
            "themes": top_themes(organisation, period, filters),
        },
    )
