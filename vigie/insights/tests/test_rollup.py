"""The daily rollup gives the same KPIs as the rows, and follows changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from vigie.core.models import Organisation
from vigie.core.periods import period_between
from vigie.inbox.models import Case
from vigie.inbox.tests.factories import make_case
from vigie.insights.models import DailyRollup, RollupState
from vigie.insights.queries.filters import InsightFilters, period_mentions
from vigie.insights.queries.kpis import KpiReport, kpi_report
from vigie.insights.queries.trends import weekly_volume
from vigie.insights.rollup import (
    bucket_seconds,
    delay_bucket,
    do_rebuild_rollup,
    do_refresh_rollup,
    histogram_percentile,
)
from vigie.insights.tests.test_kpis_from_rows import seeded  # noqa: F401 - fixture
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_mention

PARIS = ZoneInfo("Europe/Paris")


def test_delay_buckets_widen_with_the_delay() -> None:
    assert delay_bucket(0) == 0
    assert delay_bucket(59 * 60 + 59) == 11
    assert bucket_seconds(delay_bucket(90 * 60)) == (90 * 60.0, 15 * 60.0)
    assert bucket_seconds(delay_bucket(10 * 3600 + 7 * 60)) == (10 * 3600.0, 3600.0)
    assert bucket_seconds(delay_bucket(3 * 86400 + 1800)) == (3 * 86400.0, 6 * 3600.0)
    assert bucket_seconds(delay_bucket(90 * 86400))[1] == 0
    for seconds in (0, 61, 3599, 3600, 7 * 3600, 30 * 3600, 5 * 86400, 29 * 86400):
        lower, width = bucket_seconds(delay_bucket(seconds))
        assert lower <= seconds < lower + width


def test_a_histogram_percentile_falls_in_the_bucket_of_the_exact_value() -> None:
    from collections import Counter

    values = [60.0 * m for m in (5, 7, 30, 200, 900, 2000)]
    histogram = Counter(delay_bucket(v) for v in values)
    # Even count: the mean of the middles of the 30-35 and 195-210 minute buckets; the 90th
    # percentile is the 6th value, 2000 minutes, in the 1980-2040 minute bucket.
    assert histogram_percentile(histogram, 0.5) == (32.5 + 202.5) / 2 * 60
    assert histogram_percentile(histogram, 0.9) == 2010 * 60
    assert histogram_percentile(Counter(), 0.5) is None


def assert_same(rollup: KpiReport, rows: KpiReport) -> None:
    for name in (
        "mention_volume",
        "review_count",
        "rated_review_count",
        "average_rating",
        "total_reach",
        "engagement",
        "cases_needing_answer",
        "cases_answered",
        "response_rate",
        "sla_met",
        "sla_missed",
        "resolved_count",
        "survey_answer_count",
        "csat",
        "nps",
        "net_sentiment",
    ):
        assert getattr(rollup, name) == pytest.approx(getattr(rows, name)), name
    assert [(s.key, s.count) for s in rollup.rating_distribution] == [
        (s.key, s.count) for s in rows.rating_distribution
    ]
    assert [(s.key, s.count) for s in rollup.sentiments] == [(s.key, s.count) for s in rows.sentiments]
    assert [s.count for s in rollup.response_time_distribution] == [
        s.count for s in rows.response_time_distribution
    ]
    for name in (
        "median_first_response_business_seconds",
        "p90_first_response_business_seconds",
        "median_first_response_seconds",
        "median_resolution_seconds",
    ):
        exact = getattr(rows, name)
        if exact is None:
            assert getattr(rollup, name) is None
            continue
        # Within the histogram bucket of the exact value (an even count's median may average two).
        _lower, width = bucket_seconds(delay_bucket(exact))
        assert abs(getattr(rollup, name) - exact) <= max(width, 60) * 1.5, name


@pytest.mark.parametrize(
    "filters",
    [
        InsightFilters(),
        InsightFilters(platform="google"),
        InsightFilters(theme="prix"),
        InsightFilters(theme="attente", platform="facebook"),
    ],
)
def test_rollup_kpis_equal_the_kpis_read_from_the_rows(seeded: Organisation, filters: InsightFilters) -> None:  # noqa: F811
    org = seeded
    state = do_rebuild_rollup(org)
    assert state.covered_until == timezone.localdate()
    assert DailyRollup.objects.filter(organisation=org).exists()
    for first, last in ((date(2025, 3, 1), date(2025, 3, 31)), (date(2025, 2, 10), date(2025, 3, 5))):
        period = period_between(org, first, last)
        assert_same(kpi_report(org, period, filters), kpi_report(org, period, filters, use_rollup=False))


def test_location_and_team_filters_read_the_rollup_too(seeded: Organisation) -> None:  # noqa: F811
    org = seeded
    do_rebuild_rollup(org)
    period = period_between(org, date(2025, 3, 1), date(2025, 3, 31))
    case = Case.objects.filter(organisation=org, team__isnull=False).select_related("mention").first()
    assert case is not None
    for filters in (
        InsightFilters(team_id=case.team_id),
        InsightFilters(location_id=case.mention.location_id),
    ):
        assert_same(kpi_report(org, period, filters), kpi_report(org, period, filters, use_rollup=False))


def test_the_refresh_job_follows_new_mentions_and_answered_cases(tenant: object) -> None:
    org: Organisation = tenant.organisation  # type: ignore[attr-defined]
    now = timezone.now()
    old = make_mention(org, created_at=now - timedelta(days=20), rating=2, sentiment=Sentiment.NEGATIVE)
    case = make_case(org, old, sla_due_at=now - timedelta(days=19))
    do_refresh_rollup(org)  # first run builds it
    period = period_between(org, timezone.localdate() - timedelta(days=29), timezone.localdate())
    before = kpi_report(org, period)
    assert (before.cases_answered, before.sla_missed) == (0, 1)

    # A late answer to the 20-day-old case, and a new mention from 3 days ago.
    Case.objects.filter(pk=case.pk).update(first_response_at=timezone.now(), updated_at=timezone.now())
    make_mention(org, created_at=now - timedelta(days=3), rating=5)
    assert do_refresh_rollup(org) >= 2
    after = kpi_report(org, period)
    rows = kpi_report(org, period, use_rollup=False)
    assert (after.cases_answered, after.mention_volume, after.sla_missed) == (1, 2, 1)
    assert_same(after, rows)
    assert RollupState.objects.get(organisation=org).covered_until == timezone.localdate()


def test_today_is_always_read_from_the_rows(tenant: object) -> None:
    org: Organisation = tenant.organisation  # type: ignore[attr-defined]
    do_rebuild_rollup(org)
    make_mention(org, created_at=timezone.now(), rating=4)
    period = period_between(org, timezone.localdate() - timedelta(days=6), timezone.localdate())
    assert kpi_report(org, period).mention_volume == 1
    assert datetime.now(tz=PARIS)


def test_the_rollup_command_rebuilds_and_refreshes(tenant: object) -> None:
    import io

    from django.core.management import call_command

    org: Organisation = tenant.organisation  # type: ignore[attr-defined]
    make_mention(org, created_at=timezone.now() - timedelta(days=2), rating=3)
    out = io.StringIO()
    call_command("rollup", "--org", org.slug, stdout=out)
    assert "rebuilt" in out.getvalue()
    assert DailyRollup.objects.filter(organisation=org, theme="", grain="coarse").count() == 1
    out = io.StringIO()
    call_command("rollup", "--org", org.slug, "--refresh", stdout=out)
    assert "0 day(s) recomputed" in out.getvalue()


def test_the_periodic_job_builds_the_rollup_of_every_organisation(
    tenant: object, other_tenant: object
) -> None:
    from vigie.insights.tasks import refresh_rollup

    refresh_rollup()
    assert RollupState.objects.count() == 2


def test_series_themes_and_splits_are_the_same_from_the_rollup(seeded: Organisation) -> None:  # noqa: F811
    from vigie.insights.queries.breakdowns import location_split, platform_split
    from vigie.insights.queries.theme_board import theme_board
    from vigie.insights.queries.themes import theme_shares, top_themes
    from vigie.insights.queries.trends import time_series
    from vigie.insights.reports import team_sla_rows

    org = seeded
    do_rebuild_rollup(org)
    period = period_between(org, date(2025, 2, 20), date(2025, 3, 31))  # weekly buckets
    filters = [InsightFilters(), InsightFilters(platform="google"), InsightFilters(theme="prix")]

    def everything() -> list[object]:
        return [
            (time_series(org, period, f), top_themes(org, period, f), theme_shares(org, period, f))
            for f in filters
        ] + [
            platform_split(org, period),
            location_split(org, period),
            theme_board(org, period),
            team_sla_rows(org, period),
        ]

    from_rollup = everything()
    RollupState.objects.filter(organisation=org).delete()
    assert everything() == from_rollup


def test_a_deadline_passing_after_the_refresh_is_counted_at_the_next_one(tenant: object) -> None:
    org: Organisation = tenant.organisation  # type: ignore[attr-defined]
    now = timezone.now()
    mention = make_mention(org, created_at=now - timedelta(days=2))
    case = make_case(org, mention, sla_due_at=now + timedelta(hours=1))
    do_refresh_rollup(org)
    period = period_between(
        org, timezone.localdate() - timedelta(days=6), timezone.localdate() - timedelta(days=1)
    )
    assert kpi_report(org, period).sla_missed == 0
    # The deadline passes (moved into the past here), nothing else changes on the case.
    RollupState.objects.filter(organisation=org).update(scanned_at=timezone.now())
    Case.objects.filter(pk=case.pk).update(sla_due_at=timezone.now())
    do_refresh_rollup(org)
    assert kpi_report(org, period).sla_missed == kpi_report(org, period, use_rollup=False).sla_missed == 1


def test_weekly_volume_of_the_api_reads_the_rollup_with_the_same_counts(seeded: Organisation) -> None:  # noqa: F811
    org = seeded
    period = period_between(org, date(2025, 2, 10), date(2025, 3, 31))
    from_rows = weekly_volume(org, period)  # no rollup yet
    assert sum(w.count for w in from_rows) == period_mentions(org, period).count() > 0
    do_rebuild_rollup(org)
    assert weekly_volume(org, period) == from_rows
    google = InsightFilters(platform="google")
    assert (
        sum(w.count for w in weekly_volume(org, period, google))
        == period_mentions(org, period, google).count()
    )


def test_filtered_delay_medians_come_from_the_histograms_and_follow_the_refresh(
    tenant: object,
    other_tenant: object,
) -> None:
    from vigie.mentions.tests.factories import make_location, make_source, make_team

    org: Organisation = tenant.organisation  # type: ignore[attr-defined]
    other: Organisation = other_tenant.organisation  # type: ignore[attr-defined]
    now = timezone.now()
    google, facebook = make_source(org, "google"), make_source(org, "facebook")
    location, team = make_location(org), make_team(org)
    published = now - timedelta(days=5)
    price = make_mention(org, source=google, created_at=published, themes=["prix"], location=location)
    make_case(
        org,
        price,
        team=team,
        first_response_at=published + timedelta(minutes=7),
        resolved_at=published + timedelta(minutes=190),
    )
    waiting = make_mention(org, source=facebook, created_at=published, themes=["attente"])
    make_case(org, waiting, first_response_at=published + timedelta(hours=2))
    # Another organisation's case on the same platform and theme, answered in 40 minutes.
    theirs = make_mention(other, source=make_source(other, "google"), created_at=published, themes=["prix"])
    make_case(other, theirs, first_response_at=published + timedelta(minutes=40))
    do_refresh_rollup(org)
    do_refresh_rollup(other)
    today = timezone.localdate()
    period = period_between(org, today - timedelta(days=7), today - timedelta(days=1))
    narrowed = (
        InsightFilters(platform="google"),
        InsightFilters(theme="prix"),
        InsightFilters(location_id=location.pk),
        InsightFilters(location_ids=(location.pk,)),
        InsightFilters(team_id=team.pk),
        InsightFilters(platform="google", location_id=location.pk, team_id=team.pk, theme="prix"),
    )
    for filters in narrowed:
        rollup, rows = kpi_report(org, period, filters), kpi_report(org, period, filters, use_rollup=False)
        # The exact delays from the cases; the middle of their 5- and 15-minute buckets from the
        # rollup: the filtered dashboard no longer reads the cases of the covered days.
        assert (rows.median_first_response_seconds, rows.median_resolution_seconds) == (7 * 60, 190 * 60)
        assert (rollup.median_first_response_seconds, rollup.median_resolution_seconds) == (
            7.5 * 60,
            187.5 * 60,
        ), filters
        assert_same(rollup, rows)
    facebook_only = kpi_report(org, period, InsightFilters(platform="facebook"))
    assert facebook_only.median_first_response_seconds == 127.5 * 60
    assert facebook_only.median_resolution_seconds is None
    assert kpi_report(org, period).median_first_response_seconds == (7.5 + 127.5) / 2 * 60
    assert (
        kpi_report(other, period, InsightFilters(platform="google")).median_first_response_seconds
        == 42.5 * 60
    )

    # A new case on Google 4 days ago, then its answer 50 minutes after publication: each refresh
    # of the job brings the filtered figures along.
    later = now - timedelta(days=4)
    new = make_mention(org, source=google, created_at=later, themes=["prix"], location=location)
    case = make_case(org, new, team=team)
    do_refresh_rollup(org)
    google_only = InsightFilters(platform="google")
    assert kpi_report(org, period, google_only).cases_needing_answer == 2
    assert kpi_report(org, period, google_only).median_first_response_seconds == 7.5 * 60
    Case.objects.filter(pk=case.pk).update(
        first_response_at=later + timedelta(minutes=50), updated_at=timezone.now()
    )
    assert do_refresh_rollup(org) >= 1
    for filters in narrowed:
        rollup, rows = kpi_report(org, period, filters), kpi_report(org, period, filters, use_rollup=False)
        assert rows.median_first_response_seconds == (7 + 50) / 2 * 60
        assert rollup.median_first_response_seconds == (7.5 + 52.5) / 2 * 60, filters
        assert_same(rollup, rows)
    # The other organisation's histograms did not move.
    assert kpi_report(other, period, InsightFilters(theme="prix")).median_first_response_seconds == 42.5 * 60


@pytest.mark.parametrize("by", ["location_id", "platform", "team_id"])
def test_kpis_of_every_location_platform_or_team_read_at_once_equal_one_report_each(
    seeded: Organisation,  # noqa: F811
    by: str,
) -> None:
    """The report's page of locations reads all of them in a few grouped queries: each location's
    numbers are those of ``kpi_report`` filtered by it, from the rows as from the rollup."""
    from dataclasses import replace

    from vigie.insights.queries.kpis import kpi_reports_by

    org = seeded
    periods = [
        period_between(org, date(2025, 3, 1), date(2025, 3, 31)),
        period_between(org, date(2025, 2, 10), date(2025, 3, 5)),
        # Up to today: whole past days from the rollup, today from the rows.
        period_between(org, timezone.localdate() - timedelta(days=30), timezone.localdate()),
    ]
    for built in (False, True):
        if built:
            do_rebuild_rollup(org)
        for period in periods:
            reports = kpi_reports_by(org, period, None, by)
            field = {
                "location_id": "location_id",
                "platform": "source__platform",
                "team_id": "case__team_id",
            }[by]
            present = set(period_mentions(org, period).values_list(field, flat=True))
            if by == "platform":
                # Each platform once, under the connectors' slug ("google" counts in "google_business").
                from vigie.connectors.platforms import platform_of

                present = {platform_of(str(key)) if key else key for key in present}
            assert set(reports) == present
            named = [key for key in reports if key is not None]
            assert len(named) >= 2 or period is periods[2]
            for key in named:
                assert reports[key] == kpi_report(org, period, replace(InsightFilters(), **{by: key}))


def test_an_action_plans_theme_windows_count_as_the_rows_do(seeded: Organisation) -> None:  # noqa: F811
    """Before and after an action plan: the theme's volume, negatives and average rating, read
    through the rollup for whole past days, equal the counts over the rows."""
    from decimal import Decimal

    from vigie.insights.queries.action_plans import _theme_window

    org = seeded
    do_rebuild_rollup(org)
    for first, last in ((date(2025, 3, 1), date(2025, 3, 31)), (date(2025, 2, 10), date(2025, 3, 5))):
        period = period_between(org, first, last)
        for theme in ("prix", "attente", "absent"):
            rows = [m for m in period_mentions(org, period) if theme in (m.themes or [])]
            rated = [m.rating for m in rows if m.kind == "review" and m.rating is not None]
            negative = [
                m
                for m in rows
                if m.sentiment == Sentiment.NEGATIVE
                or (m.kind == "review" and m.rating is not None and m.rating < Decimal("2.5"))
            ]
            window = _theme_window(org, theme, period)
            assert (window.volume, window.negative) == (len(rows), len(negative))
            assert window.average_rating == (round(float(sum(rated)) / len(rated), 2) if rated else None)
