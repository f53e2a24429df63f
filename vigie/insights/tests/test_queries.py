from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from vigie.conftest import Tenant
from vigie.core.models import Organisation
from vigie.core.periods import Period, last_days, period_between
from vigie.inbox.tests.factories import make_case
from vigie.insights.queries.filters import InsightFilters
from vigie.insights.queries.kpis import kpi_report
from vigie.insights.queries.themes import top_themes
from vigie.insights.queries.trends import weekly_volume
from vigie.mentions.models import MentionKind, Sentiment
from vigie.mentions.tests.factories import make_location, make_mention, make_source, make_team

PARIS = ZoneInfo("Europe/Paris")


def at(day: int, hour: int = 12) -> datetime:
    """A moment in March 2025, Paris time."""
    return datetime(2025, 3, day, hour, tzinfo=PARIS)


@pytest.fixture
def march(tenant: Tenant) -> Period:
    return period_between(tenant.organisation, date(2025, 3, 1), date(2025, 3, 31))


def test_a_period_covers_whole_days_in_the_organisations_time_zone(tenant: Tenant) -> None:
    period = period_between(tenant.organisation, date(2025, 3, 1), date(2025, 3, 31))
    assert period.start == datetime(2025, 3, 1, tzinfo=PARIS)
    assert period.end == datetime(2025, 4, 1, tzinfo=PARIS)
    assert period.days == 31
    assert last_days(tenant.organisation, 7, today=date(2025, 3, 10)).first_day == date(2025, 3, 4)
    with pytest.raises(ValueError, match="before"):
        period_between(tenant.organisation, date(2025, 3, 2), date(2025, 3, 1))


def seed(org: Organisation) -> dict[str, object]:
    """Mentions and cases in March, plus noise outside it; returns what the test needs."""
    reviews = [
        make_mention(
            org, created_at=at(2), rating=5, sentiment=Sentiment.POSITIVE, reach=100, themes=["accueil"]
        ),
        make_mention(
            org, created_at=at(3), rating=4, sentiment=Sentiment.POSITIVE, reach=50, themes=["accueil"]
        ),
        make_mention(
            org, created_at=at(10), rating=1, sentiment=Sentiment.NEGATIVE, reach=10, themes=["prix"]
        ),
        make_mention(org, created_at=at(11), rating="4.5", sentiment=Sentiment.NEUTRAL, reach=0),
        make_mention(org, created_at=at(12), rating=None, sentiment="", reach=0),
    ]
    comment = make_mention(
        org,
        kind=MentionKind.COMMENT,
        created_at=at(20),
        sentiment=Sentiment.NEGATIVE,
        reach=1000,
        themes=["prix", "accueil", "attente"],
    )
    # Outside the period, or deleted: never counted.
    make_mention(org, created_at=at(1, 0) - timedelta(minutes=1), rating=1, reach=5000)
    make_mention(org, created_at=datetime(2025, 4, 1, tzinfo=PARIS), rating=1)
    make_mention(org, created_at=at(15), rating=1, deleted_at=at(16))

    # Cases: answered after 2 h, 10 h and 30 h; one needing an answer still unanswered; one that
    # needs none.
    answered_hours = [2, 10, 30]
    for mention, hours in zip(reviews[:3], answered_hours, strict=True):
        make_case(org, mention, first_response_at=mention.created_at + timedelta(hours=hours))
    make_case(org, reviews[3])
    make_case(org, comment, needs_answer=False)
    return {"reviews": reviews, "comment": comment, "answered_hours": answered_hours}


def test_kpis_match_counts_taken_from_the_rows(tenant: Tenant, other_tenant: Tenant, march: Period) -> None:
    seeded = seed(tenant.organisation)
    seed(other_tenant.organisation)  # another tenant's identical data must not double anything

    report = kpi_report(tenant.organisation, march)

    reviews = seeded["reviews"]
    ratings = [float(m.rating) for m in reviews if m.rating is not None]  # type: ignore[attr-defined]
    assert report.review_count == 5
    assert report.rated_review_count == 4
    assert report.average_rating == round(sum(ratings) / len(ratings), 2) == 3.62
    assert {s.key: s.count for s in report.rating_distribution} == {"5": 2, "4": 1, "3": 0, "2": 0, "1": 1}
    assert report.mention_volume == 6
    assert report.total_reach == 100 + 50 + 10 + 1000
    assert {s.key: s.count for s in report.sentiments} == {"negative": 2, "neutral": 1, "positive": 2}
    assert {s.key: s.share for s in report.sentiments}["negative"] == pytest.approx(2 / 5)
    assert report.cases_needing_answer == 4
    assert report.cases_answered == 3
    assert report.response_rate == pytest.approx(3 / 4)
    median_hours = statistics.median(seeded["answered_hours"])  # type: ignore[type-var]
    assert report.median_first_response_seconds == pytest.approx(median_hours * 3600)

    kpis = {k.key: k for k in report.kpis}
    assert kpis["average_rating"].target == 4.0
    assert kpis["average_rating"].met is False
    assert kpis["response_rate"].value == pytest.approx(0.75)
    assert kpis["response_rate"].met is False
    # In business hours (Mon-Fri 9-18, Paris): Sunday 12:00 -> 14:00 is 0 h; Monday 12:00 -> 22:00
    # is 6 h; Monday 12:00 -> Tuesday 18:00 is 6 + 9 = 15 h. The median is 6 h.
    assert kpis["first_response_time"].value == pytest.approx(6.0)
    assert kpis["first_response_time"].met is True


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_delays(
    tenant: Tenant, march: Period
) -> None:
    org = tenant.organisation
    for hours in (1, 3, 5, 100):
        mention = make_mention(org, created_at=at(5))
        make_case(org, mention, first_response_at=mention.created_at + timedelta(hours=hours))
    report = kpi_report(org, march)
    assert report.median_first_response_seconds == pytest.approx(4 * 3600)


def test_an_empty_period_has_no_value_and_no_verdict(tenant: Tenant, march: Period) -> None:
    report = kpi_report(tenant.organisation, march)
    assert report.mention_volume == 0
    assert report.average_rating is None
    assert report.response_rate is None
    assert report.median_first_response_seconds is None
    assert all(k.met is None for k in report.kpis)
    assert all(s.share == 0 for s in report.sentiments)


def test_kpis_can_be_narrowed_by_location_platform_team_and_theme(tenant: Tenant, march: Period) -> None:
    org = tenant.organisation
    lyon = make_location(org, "Lyon")
    team = make_team(org)
    facebook = make_source(org, "facebook")
    in_lyon = make_mention(org, created_at=at(5), rating=2, location=lyon)
    on_facebook = make_mention(org, created_at=at(5), rating=3, source=facebook, themes=["prix"])
    make_case(org, on_facebook, team=team)
    make_mention(org, created_at=at(5), rating=5)

    assert kpi_report(org, march, InsightFilters(location_id=lyon.pk)).average_rating == float(in_lyon.rating)  # type: ignore[arg-type]
    assert kpi_report(org, march, InsightFilters(platform="facebook")).mention_volume == 1
    assert kpi_report(org, march, InsightFilters(team_id=team.pk)).average_rating == 3.0
    assert kpi_report(org, march, InsightFilters(theme="prix")).review_count == 1
    assert kpi_report(org, march).review_count == 3


def test_weekly_volume_counts_every_week_of_the_period(tenant: Tenant, march: Period) -> None:
    org = tenant.organisation
    # Sunday 2 March 23:30 in Paris is still the week of Monday 24 February there (not in UTC+x).
    make_mention(org, created_at=at(2, 23).replace(minute=30))
    make_mention(org, created_at=at(3, 0).replace(minute=30))  # Monday 3 March
    make_mention(org, created_at=at(4))
    make_mention(org, created_at=at(31))

    weeks = weekly_volume(org, march)
    assert [w.week_start for w in weeks] == [
        date(2025, 2, 24),
        date(2025, 3, 3),
        date(2025, 3, 10),
        date(2025, 3, 17),
        date(2025, 3, 24),
        date(2025, 3, 31),
    ]
    assert [w.count for w in weeks] == [1, 2, 0, 0, 0, 1]


def test_top_themes_are_counted_in_the_database_most_frequent_first(
    tenant: Tenant, other_tenant: Tenant, march: Period
) -> None:
    seed(tenant.organisation)
    make_mention(other_tenant.organisation, created_at=at(5), themes=["attente", "attente-bis"])
    themes = top_themes(tenant.organisation, march)
    assert [(t.theme, t.count) for t in themes] == [("accueil", 3), ("prix", 2), ("attente", 1)]
    assert [t.theme for t in top_themes(tenant.organisation, march, limit=1)] == ["accueil"]
    narrowed = top_themes(tenant.organisation, march, InsightFilters(theme="prix"))
    assert [(t.theme, t.count) for t in narrowed] == [("prix", 2), ("accueil", 1), ("attente", 1)]
