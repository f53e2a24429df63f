"""Numbers over time: mentions per week, the daily or weekly time series, and each theme's trend."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from vigie.core.models import Organisation
from vigie.core.periods import Period
from vigie.insights.queries.filters import InsightFilters
from vigie.insights.queries.grouping import grouped


@dataclass(frozen=True)
class WeekVolume:
    """Mentions published in the week starting on ``week_start`` (a Monday)."""

    week_start: date
    count: int


def weekly_volume(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> list[WeekVolume]:
    """Mentions per week (Monday to Sunday, organisation time) over ``period``, empty weeks included.

    Counted per day through ``grouped`` (the daily rollup for the whole past days it covers, the
    rows for the rest), then added up per week: counting weeks from the rows costs seconds on a
    million mentions."""
    counts: dict[date, int] = {}
    for day, values in grouped(organisation, period, filters, "day").items():
        week_day = day - timedelta(days=day.weekday())
        counts[week_day] = counts.get(week_day, 0) + int(values.get("volume", 0))
    first_week = period.first_day - timedelta(days=period.first_day.weekday())
    weeks = []
    week = first_week
    while week <= period.last_day:
        weeks.append(WeekVolume(week, counts.get(week, 0)))
        week += timedelta(days=7)
    return weeks


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
