"""Every KPI recomputed from the raw rows with plain loops, and compared with the queries."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from vigie.conftest import Tenant
from vigie.connectors.platforms import platform_of
from vigie.core.models import Organisation
from vigie.core.periods import period_between
from vigie.inbox.models import Case
from vigie.inbox.tests.factories import make_case
from vigie.insights.queries.breakdowns import kpi_breakdown, location_split, platform_split
from vigie.insights.queries.filters import InsightFilters
from vigie.insights.queries.kpis import kpi_report
from vigie.insights.queries.themes import theme_shares
from vigie.insights.queries.trends import time_series
from vigie.insights.tests.test_business_hours import minute_by_minute
from vigie.mentions.models import Mention, MentionKind, Sentiment
from vigie.mentions.tests.factories import make_location, make_mention, make_source, make_team

PARIS = ZoneInfo("Europe/Paris")
THEMES = ["accueil", "prix", "attente", "livraison"]


def seed_random(org: Organisation, other: Organisation) -> None:
    rng = random.Random(42)
    sources = [make_source(org, "google"), make_source(org, "facebook"), make_source(org, "trustpilot")]
    locations = [make_location(org, "Lyon"), make_location(org, "Nantes"), None]
    teams = [make_team(org, "N1"), make_team(org, "N2"), None]
    start = datetime(2025, 2, 1, tzinfo=PARIS)
    now = datetime(2025, 4, 15, tzinfo=PARIS)
    for _ in range(160):
        created = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 59))
        kind = rng.choice(
            [MentionKind.REVIEW, MentionKind.REVIEW, MentionKind.COMMENT, MentionKind.SURVEY_ANSWER]
        )
        rating: object = None
        raw = ""
        if kind == MentionKind.REVIEW and rng.random() < 0.9:
            rating = rng.choice(["1", "2", "3", "4", "5", "4.5", "2.5"])
        if kind == MentionKind.SURVEY_ANSWER:
            score = rng.randrange(0, 11)
            raw = rng.choice([str(score), f"{score}/10", "oui"])
            rating = str(round(1 + score * 0.4, 2))
        mention = make_mention(
            org,
            source=rng.choice(sources),
            location=rng.choice(locations),
            kind=kind,
            created_at=created,
            rating=rating,
            rating_raw=raw,
            sentiment=rng.choice(["", Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE]),
            themes=rng.sample(THEMES, rng.randrange(0, 3)),
            reach=rng.randrange(0, 500),
            likes=rng.randrange(0, 20),
            shares=rng.randrange(0, 5),
            replies_count=rng.randrange(0, 4),
            deleted_at=created + timedelta(days=1) if rng.random() < 0.05 else None,
        )
        if rng.random() < 0.7:
            answered = created + timedelta(minutes=rng.randrange(10, 60 * 80)) if rng.random() < 0.7 else None
            due = created + timedelta(hours=rng.choice([4, 24, 48])) if rng.random() < 0.8 else None
            resolved = (
                (answered + timedelta(hours=rng.randrange(1, 50)))
                if answered and rng.random() < 0.5
                else None
            )
            make_case(
                org,
                mention,
                team=rng.choice(teams),
                needs_answer=rng.random() < 0.85,
                first_response_at=answered,
                sla_due_at=due,
                resolved_at=resolved,
            )
        assert now > created
    # Noise in another organisation.
    for day in range(1, 28):
        make_mention(other, created_at=datetime(2025, 3, day, 12, tzinfo=PARIS), rating=1, themes=["prix"])


def live_mentions(org: Organisation, first: date, last: date) -> list[Mention]:
    begin = datetime(first.year, first.month, first.day, tzinfo=PARIS)
    end = datetime(last.year, last.month, last.day, tzinfo=PARIS) + timedelta(days=1)
    return [
        m
        for m in Mention.objects.all().select_related("source")
        if m.organisation_id == org.pk and begin <= m.created_at < end and m.deleted_at is None
    ]


def nearest_rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


def plain_median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


@pytest.fixture
def seeded(tenant: Tenant, other_tenant: Tenant) -> Organisation:
    seed_random(tenant.organisation, other_tenant.organisation)
    return tenant.organisation


def test_every_kpi_equals_a_count_over_the_raw_rows(seeded: Organisation) -> None:
    org = seeded
    first, last = date(2025, 3, 1), date(2025, 3, 31)
    report = kpi_report(org, period_between(org, first, last), compare=True)
    rows = live_mentions(org, first, last)
    ids = {m.pk for m in rows}
    cases = [c for c in Case.objects.all().select_related("mention") if c.mention_id in ids]

    reviews = [m for m in rows if m.kind == MentionKind.REVIEW]
    rated = [m for m in reviews if m.rating is not None]
    assert report.mention_volume == len(rows)
    assert report.review_count == len(reviews)
    assert report.rated_review_count == len(rated)
    assert report.average_rating == round(float(sum(m.rating for m in rated)) / len(rated), 2)  # type: ignore[misc]
    stars = Counter(min(max(int(m.rating + Decimal("0.5")), 1), 5) for m in rated)  # type: ignore[operator]
    assert {s.key: s.count for s in report.rating_distribution} == {str(k): stars[k] for k in range(1, 6)}
    assert report.total_reach == sum(m.reach for m in rows)
    assert report.engagement == sum(m.likes + m.shares + m.replies_count for m in rows)
    sentiments = Counter(m.sentiment for m in rows if m.sentiment)
    assert {s.key: s.count for s in report.sentiments} == {s.value: sentiments[s.value] for s in Sentiment}
    analysed = sum(sentiments.values())
    assert report.net_sentiment == pytest.approx((sentiments["positive"] - sentiments["negative"]) / analysed)

    needing = [c for c in cases if c.needs_answer]
    answered = [c for c in needing if c.first_response_at is not None]
    assert report.cases_needing_answer == len(needing)
    assert report.cases_answered == len(answered)
    assert report.response_rate == pytest.approx(len(answered) / len(needing))

    delays = [
        float(minute_by_minute(c.mention.created_at, c.first_response_at))
        for c in cases
        if c.first_response_at is not None
    ]
    assert report.median_first_response_business_seconds == pytest.approx(plain_median(delays), abs=60)
    assert report.p90_first_response_business_seconds == pytest.approx(nearest_rank(delays, 0.9), abs=60)
    assert sum(s.count for s in report.response_time_distribution) == len(delays)

    now = datetime.now(tz=PARIS)
    judged = [c for c in cases if c.needs_answer and c.sla_due_at is not None]
    met = [c for c in judged if c.first_response_at is not None and c.first_response_at <= c.sla_due_at]  # type: ignore[operator]
    missed = [
        c
        for c in judged
        if (c.first_response_at is not None and c.first_response_at > c.sla_due_at)  # type: ignore[operator]
        or (c.first_response_at is None and c.sla_due_at < now)  # type: ignore[operator]
    ]
    assert (report.sla_met, report.sla_missed) == (len(met), len(missed))
    assert report.sla_compliance == pytest.approx(len(met) / (len(met) + len(missed)))
    resolutions = [
        (c.resolved_at - c.mention.created_at).total_seconds() for c in cases if c.resolved_at is not None
    ]
    assert report.resolved_count == len(resolutions)
    assert report.median_resolution_seconds == pytest.approx(plain_median(resolutions))

    surveys = [m for m in rows if m.kind == MentionKind.SURVEY_ANSWER and m.rating is not None]
    assert report.survey_answer_count == len(surveys)
    assert report.csat == pytest.approx(sum(1 for m in surveys if m.rating >= 4) / len(surveys))  # type: ignore[operator]
    scores = []
    for m in rows:
        if m.kind != MentionKind.SURVEY_ANSWER:
            continue
        text = m.rating_raw.removesuffix("/10")
        if text.isdigit():
            scores.append(int(text))
    assert report.nps_answer_count == len(scores)
    assert report.nps == pytest.approx(
        100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)
    )

    previous = kpi_report(org, period_between(org, date(2025, 1, 29), date(2025, 2, 28)))
    by_key = {k.key: k for k in report.kpis}
    assert by_key["average_rating"].previous == previous.average_rating
    assert by_key["response_rate"].previous == previous.response_rate


def test_series_splits_and_theme_shares_equal_counts_over_the_rows(seeded: Organisation) -> None:
    org = seeded
    first, last = date(2025, 3, 1), date(2025, 3, 31)
    period = period_between(org, first, last)
    rows = live_mentions(org, first, last)

    series = time_series(org, period)
    assert len(series) == 31
    per_day = Counter(m.created_at.astimezone(PARIS).date() for m in rows)
    assert {p.start: p.volume for p in series} == {
        first + timedelta(days=i): per_day[first + timedelta(days=i)] for i in range(31)
    }
    negative_per_day = Counter(
        m.created_at.astimezone(PARIS).date() for m in rows if m.sentiment == "negative"
    )
    assert [p.negative for p in series] == [negative_per_day[p.start] for p in series]

    # Each platform once, under the connectors' slug for it ("google" reviews count in "google_business").
    platforms = Counter(platform_of(m.source.platform) for m in rows)
    assert {b.key: b.volume for b in platform_split(org, period)} == dict(platforms)
    locations = Counter(str(m.location_id) if m.location_id else "" for m in rows)
    assert {b.key: b.volume for b in location_split(org, period)} == dict(locations)

    themes = Counter(t for m in rows for t in m.themes)
    previous_rows = live_mentions(org, date(2025, 1, 29), date(2025, 2, 28))
    before = Counter(t for m in previous_rows for t in m.themes)
    shares = theme_shares(org, period)
    assert {t.theme: t.count for t in shares} == dict(themes)
    assert {t.theme: t.previous_count for t in shares} == {t: before[t] for t in themes}
    assert {t.theme: t.share for t in shares} == pytest.approx({t: n / len(rows) for t, n in themes.items()})


def test_a_breakdown_has_one_report_per_value_and_they_add_up(seeded: Organisation) -> None:
    org = seeded
    period = period_between(org, date(2025, 3, 1), date(2025, 3, 31))
    total = kpi_report(org, period)
    by_platform = kpi_breakdown(org, period, InsightFilters(), "platform")
    # Each platform once, under the connectors' slug, as the dashboard's rows ("google" reviews
    # count in "google_business"): the CLI and the API grouped by the raw slug.
    assert sorted(key for key, _label, _r in by_platform) == ["facebook", "google_business", "trustpilot"]
    assert sum(r.mention_volume for _k, _l, r in by_platform) == total.mention_volume
    assert sum(r.cases_answered for _k, _l, r in by_platform) == total.cases_answered
    by_team = kpi_breakdown(org, period, InsightFilters(), "team")
    assert sorted(label for _k, label, _r in by_team) == ["N1", "N2"]
    # Read together, each value's numbers are still those of the dashboard filtered by it.
    for key, _label, report in by_platform:
        assert report == kpi_report(org, period, InsightFilters(platform=key))
    for key, _label, report in by_team:
        assert report == kpi_report(org, period, InsightFilters(team_id=int(key)))
    by_location = kpi_breakdown(org, period, InsightFilters(), "location")
    assert by_location, "the seeded organisation has mentions at its locations"
    for key, _label, report in by_location:
        assert report == kpi_report(org, period, InsightFilters(location_id=int(key)))
    with pytest.raises(ValueError, match="unknown dimension"):
        kpi_breakdown(org, period, InsightFilters(), "moon")
