"""The management report of organisations unlike the demo's, looked at page by page as a director
would (every sheet rendered by Chromium and checked: nothing cut, overlapping or nearly empty):
one location, forty locations with long names, nothing in the period, a very long organisation
and theme name, many alerts and no action plan."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from vigie.alerts.actions import Finding, do_record_finding
from vigie.analysis.models import Theme
from vigie.conftest import Tenant
from vigie.core.models import Location, Organisation
from vigie.core.periods import organisation_today
from vigie.insights.queries.trends import time_series
from vigie.insights.report_check import check_pages
from vigie.insights.report_format import long_date, short_day
from vigie.insights.report_pdf import FONTS_BASE, chromium_available
from vigie.insights.reports import ManagementReport, build_report, parse_period, render_html, render_plain_pdf
from vigie.insights.tests.pdf_text import pdf_lines
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_location, make_mention, make_source

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.skipif(not chromium_available(), reason="no system Chromium")


def _month(
    org: Organisation, places: list[Location], *, theme: str = "remboursement", per_day: int = 1
) -> None:
    google = make_source(org, "google_business")
    for day in range(1, 31):
        for index, place in enumerate(places):
            for k in range(per_day):
                bad = (day + index + k) % 3 == 0
                make_mention(
                    org,
                    source=google,
                    location=place,
                    created_at=datetime(2026, 11, day, 9 + k, tzinfo=PARIS),
                    rating=1 if bad else 4 + (day % 2),
                    sentiment=Sentiment.NEGATIVE if bad else Sentiment.POSITIVE,
                    language="fr",
                    themes=[theme] if bad else ["accueil"],
                    text="Toujours pas remboursé après trois semaines, personne ne répond."
                    if bad
                    else "Accueil agréable et conseillère attentive, merci.",
                )


def _looked_at(org: Organisation, language: str = "fr") -> tuple[ManagementReport, str]:
    report = build_report(org, parse_period(org, "2026-11"), language=language)
    html = render_html(report, fonts_base=FONTS_BASE)
    checks = check_pages(html)
    assert len(checks) == len(report.pages)
    for check in checks:
        assert check.problems == [], f"page {check.number} ({language}): {check.problems}"
    return report, html


def _kinds(report: ManagementReport) -> list[str]:
    return [page["kind"] for page in report.pages]


def test_one_location_has_no_ranking_sheet_and_its_one_problem_joins_the_themes(tenant: Tenant) -> None:
    org = tenant.organisation
    _month(org, [make_location(org, "Boulangerie Martin — centre-ville")], per_day=3)
    report, html = _looked_at(org)
    # A ranking of one, and its charts of one bar, said nothing the report does not say already.
    assert "locations" not in _kinds(report)
    assert "problems" not in _kinds(report)
    themes = next(page for page in report.pages if page["kind"] == "themes")
    assert themes["title"] == "Thèmes, plateformes et sujets récurrents"
    assert "Toujours pas remboursé" in html


def test_forty_locations_with_long_names_are_spread_over_sheets_they_fit(tenant: Tenant) -> None:
    org = tenant.organisation
    places = [make_location(org, f"Agence n° {n} de la région Auvergne-Rhône-Alpes") for n in range(1, 41)]
    _month(org, places)
    report, _html = _looked_at(org)
    sheets = [page for page in report.pages if page["kind"] == "locations"]
    assert len(sheets) == 3
    listed = [row.name for page in sheets for row in page["rows"]]
    assert sorted(listed) == sorted(p.name for p in places)
    # Numbered on from one sheet to the next.
    assert [page["offset"] for page in sheets] == [
        0,
        len(sheets[0]["rows"]),
        len(sheets[0]["rows"]) + len(sheets[1]["rows"]),
    ]
    assert max(len(page["rows"]) for page in sheets) - min(len(page["rows"]) for page in sheets) <= 2


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_period_with_nothing_says_so_in_words(tenant: Tenant, language: str) -> None:
    report, html = _looked_at(tenant.organisation, language)
    if language == "fr":
        assert "Aucune mention sur la période." in report.summary
        assert "0 mentions" not in html
        assert "délai médian — ouvrées" not in html
    else:
        assert "No mention in the period." in report.summary
        assert "0 mentions" not in html
    # No sheet for "no negative theme" alone, and no "=" trend between two missing values.
    assert _kinds(report) == ["cover", "summary", "kpis"]
    assert all(row["compared"] is False for row in report.kpi_rows)


def test_a_very_long_organisation_and_theme_name_stay_on_their_sheets(tenant: Tenant) -> None:
    org = tenant.organisation
    org.name = (
        "Association départementale des usagers des transports en commun et des mobilités douces "
        "de la Haute-Savoie et du Pays de Gex"
    )
    org.save()
    Theme.objects.create(
        organisation=org,
        slug="delais",
        label="Délais de remboursement des frais médicaux avancés lors des consultations chez les "
        "spécialistes conventionnés",
    )
    _month(
        org,
        [
            make_location(org, "Annecy"),
            make_location(
                org,
                "Agence intercommunale de Saint-Julien-en-Genevois et de la communauté de communes du Genevois",
            ),
        ],
        theme="delais",
    )
    for language in ("fr", "en"):
        _looked_at(org, language)


def test_many_alerts_and_no_action_plan_leave_no_empty_plans_sheet(tenant: Tenant) -> None:
    org = tenant.organisation
    _month(org, [make_location(org, "Agence Lyon"), make_location(org, "Agence Nice")])
    for day in range(2, 9):
        do_record_finding(
            org,
            Finding(
                key=f"test:{day}",
                rule="negative_volume",
                title=f"Pic de mentions négatives n° {day}",
                title_en=f"Negative spike no. {day}",
                severity="warning",
                score=float(day),
            ),
            now=datetime(2026, 11, day, 15, tzinfo=PARIS),
            announce=False,
        )
    report, _html = _looked_at(org)
    assert "plans" not in _kinds(report)
    assert "alerts" in _kinds(report)
    assert "Aucun plan d'action en cours" in " ".join(report.summary)


def test_quotes_wear_the_report_languages_quotation_marks(tenant: Tenant) -> None:
    org = tenant.organisation
    _month(org, [make_location(org, "Agence Lyon"), make_location(org, "Agence Nice")])
    make_mention(
        org,
        source=make_source(org, "trustpilot"),
        created_at=datetime(2026, 11, 12, 10, tzinfo=PARIS),
        rating=1,
        sentiment=Sentiment.NEGATIVE,
        language="en",
        themes=["remboursement"],
        text="Still waiting for my refund after three weeks, nobody answers <b>the phone</b>.",
    )
    _report, html = _looked_at(org, "en")
    assert (
        "\u201cStill waiting for my refund after three weeks, nobody answers &lt;b&gt;the phone&lt;/b&gt;.\u201d"
        in html
    )
    assert "«" not in html
    _report, html = _looked_at(org, "fr")
    assert "«\u00a0Toujours pas remboursé après trois semaines, personne ne répond.\u00a0»" in html


def test_a_locations_report_lists_its_own_alerts_and_does_not_name_itself_as_the_driver(
    tenant: Tenant,
) -> None:
    org = tenant.organisation
    lyon, nice = make_location(org, "Agence Lyon"), make_location(org, "Agence Nice")
    _month(org, [lyon, nice])
    # Lyon's rating rose from October: the whole network's summary names it, its own report not.
    make_mention(
        org,
        source=make_source(org, "trustpilot"),
        location=lyon,
        created_at=datetime(2026, 10, 10, 10, tzinfo=PARIS),
        rating=1,
        sentiment=Sentiment.NEGATIVE,
        text="Mauvais accueil.",
    )
    lyon_source = make_source(org, "google_business", name="Google — Agence Lyon", location=lyon)
    for key, title in (
        (f"reach:location:{lyon.pk}", "Hausse de l'audience · Lieu Agence Lyon"),
        (
            f"negative_volume:source:{lyon_source.pk}",
            "Pic de mentions négatives · Source Google — Agence Lyon",
        ),
        (f"reach:location:{nice.pk}", "Hausse de l'audience · Lieu Agence Nice"),
        ("negative_volume:org", "Pic de mentions négatives · Organisation"),
    ):
        do_record_finding(
            org,
            Finding(key=key, rule="negative_volume", title=title, severity="warning", score=1.0),
            now=datetime(2026, 11, 12, 15, tzinfo=PARIS),
            announce=False,
        )
    period = parse_period(org, "2026-11")
    whole = build_report(org, period)
    assert whole.alert_total == 4
    assert "portée par Agence Lyon" in whole.summary[0]
    report = build_report(org, period, location=lyon)
    assert report.alert_total == 2
    assert sorted(a.title for a in report.alerts) == [
        "Hausse de l'audience · Lieu Agence Lyon",
        "Pic de mentions négatives · Source Google — Agence Lyon",
    ]
    assert "par Agence Lyon" not in " ".join(report.summary)
    assert "2 alertes" in " ".join(report.summary)


def test_a_period_still_running_is_drawn_up_to_today(tenant: Tenant) -> None:
    """This quarter's report drew its weeks to come as weeks without a single mention."""
    org = tenant.organisation
    today = timezone.localdate()
    make_mention(
        org, source=make_source(org, "trustpilot"), created_at=timezone.now(), rating=4, text="Bien."
    )
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    report = build_report(org, parse_period(org, quarter))
    every_week = time_series(org, report.period, report.filters)
    drawn = [short_day(p.start) for p in every_week if p.start <= today]
    to_come = [short_day(p.start) for p in every_week if p.start > today]
    for label in drawn:
        assert f">{label}<" in report.volume_chart
    for label in to_come:
        assert f">{label}<" not in report.volume_chart


def test_a_period_still_running_is_counted_to_today_and_compared_with_as_many_days(tenant: Tenant) -> None:
    """December's report on the 8th read "535 mentions, 42 % de moins que la période précédente"
    (8 days against a whole month) and "du 1er au 31 décembre" on its cover."""
    org = tenant.organisation
    zone = ZoneInfo(org.timezone)
    today = organisation_today(org)
    source = make_source(org, "trustpilot")
    # Ten mentions a day for four weeks before the period, and in its four days so far.
    for days_ago in range(28):
        for hour in range(8, 18):
            moment = datetime.combine(today - timedelta(days=days_ago), time(hour), tzinfo=zone)
            make_mention(org, source=source, created_at=moment, rating=4, text="Bien.")
    first, last = today - timedelta(days=3), today + timedelta(days=20)
    report = build_report(org, parse_period(org, f"{first}:{last}"))
    assert report.kpis.mention_volume == 40
    assert "40 mentions, autant que la période précédente" in " ".join(report.summary)
    assert report.counted_until == today
    html = render_html(report)
    assert (
        f"Période en cours : du <strong>{long_date(first)}</strong> au <strong>{long_date(today)}</strong>"
        in html
    )
    assert f"(elle s'achève le {long_date(last)})" in html
    english = build_report(org, parse_period(org, f"{first}:{last}"), language="en")
    lines = pdf_lines(render_plain_pdf(english))
    with translation.override("en"):
        expected = (
            f"Period in progress: {long_date(first)} to {long_date(today)} (it ends on {long_date(last)})."
        )
    assert expected in lines
    # Once it has ended, a period reads as before.
    ended = build_report(org, parse_period(org, f"{today - timedelta(days=10)}:{today - timedelta(days=4)}"))
    assert ended.counted_until is None
    assert "Période couverte" in render_html(ended)
