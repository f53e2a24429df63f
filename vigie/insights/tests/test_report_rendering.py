"""The management report looked at as a director would: every sheet rendered to PNG by the real
Chromium and checked (nothing cut, nothing overlapping, no sheet nearly empty), its words French
and its numbers written the French way, its summary in sentences naming what drove the change."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from vigie.alerts.actions import Finding, do_record_finding
from vigie.conftest import Tenant
from vigie.inbox.tests.factories import make_case
from vigie.insights.actions import do_create_action_plan, do_record_quote_consent
from vigie.insights.report_check import check_pages, ink_ratio
from vigie.insights.report_format import delay, long_date, number, percent, period_title, stars
from vigie.insights.report_pdf import FONTS_BASE, chromium_available
from vigie.insights.reports import build_report, parse_period, render, render_html
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_location, make_mention, make_source, make_team

PARIS = ZoneInfo("Europe/Paris")
needs_chromium = pytest.mark.skipif(not chromium_available(), reason="no system Chromium")
PNG_DIR = Path("var/test-report-pages")

LONG_FRENCH = (
    "Trois semaines que j'attends le remboursement de mes lunettes, personne ne répond au téléphone "
    "et l'agence me renvoie vers le site qui ne fonctionne pas. Très déçu après dix ans de fidélité."
)


def seed_network(tenant: Tenant) -> None:
    """Two months of a small network: Lyon falls in March on refunds; an English review too."""
    org = tenant.organisation
    team = make_team(org, "Service client")
    lyon, paris, nice = (make_location(org, f"Agence {city}") for city in ("Lyon", "Paris", "Nice"))
    google, facebook = make_source(org, "google"), make_source(org, "facebook")
    for day in range(1, 28):
        for place, rating in ((lyon, 4), (paris, 4), (nice, 3)):
            make_mention(
                org,
                source=google,
                location=place,
                created_at=datetime(2025, 2, day, 11, tzinfo=PARIS),
                rating=rating,
                sentiment=Sentiment.POSITIVE if rating >= 4 else Sentiment.NEUTRAL,
                language="fr",
                themes=["accueil"],
                text="Accueil agréable et conseillère attentive, merci.",
            )
    for day in range(1, 31):
        for place, rating in ((lyon, 1 if day % 2 else 2), (paris, 4), (nice, 3)):
            negative = rating <= 2
            m = make_mention(
                org,
                source=facebook if negative else google,
                location=place,
                created_at=datetime(2025, 3, day, 11, tzinfo=PARIS),
                rating=rating,
                sentiment=Sentiment.NEGATIVE if negative else Sentiment.POSITIVE,
                language="fr",
                themes=["remboursement"] if negative else ["accueil"],
                text=(
                    LONG_FRENCH
                    if day % 3
                    else f"Remboursement toujours pas reçu, jour {day}, c'est inadmissible."
                )
                if negative
                else "Accueil agréable et conseillère attentive, merci.",
            )
            if negative:
                make_case(
                    org,
                    m,
                    team=team,
                    first_response_at=m.created_at + timedelta(hours=30),
                    sla_due_at=m.created_at + timedelta(hours=24),
                )
    make_mention(
        org,
        source=facebook,
        location=lyon,
        created_at=datetime(2025, 3, 20, 12, tzinfo=PARIS),
        rating=1,
        sentiment=Sentiment.NEGATIVE,
        language="en",
        themes=["remboursement"],
        text="Still waiting for my refund after three weeks, nobody answers the phone at all.",
    )
    praise = make_mention(
        org,
        source=google,
        location=paris,
        created_at=datetime(2025, 3, 12, 10, tzinfo=PARIS),
        rating=5,
        sentiment=Sentiment.POSITIVE,
        language="fr",
        text="Dossier réglé en une journée 😀 grâce à l'équipe de Paris, bravo !",
    )
    do_record_quote_consent(praise, granted=True, actor=None)
    for day, title, title_en in (
        (
            10,
            "Pic de mentions négatives : +420 % en 45 min à Lyon",
            "Negative spike: +420% in 45 min in Lyon",
        ),
        (18, "Note moyenne en baisse à Lyon", "Average rating falling in Lyon"),
    ):
        do_record_finding(
            org,
            Finding(
                key=f"test:{day}",
                rule="negative_volume",
                title=title,
                title_en=title_en,
                severity="critical",
                score=float(day),
            ),
            now=datetime(2025, 3, day, 15, tzinfo=PARIS),
            announce=False,
        )
    do_create_action_plan(
        org,
        theme="remboursement",
        title="Renfort de l'équipe remboursements",
        started_on=date(2025, 3, 15),
        actor=None,
    )


def test_numbers_and_dates_are_written_the_french_way() -> None:
    with translation.override("fr"):
        assert number(3.03, 2) == "3,03"
        assert number(12345) == "12\u202f345"
        assert stars(3.03) == "3,03\u00a0/\u00a05"
        assert percent(0.42) == "42\u00a0%"
        assert delay(2.9 * 3600) == "2,9\u00a0h"
        assert delay(24 * 3600) == "24\u00a0h"
        assert long_date(date(2026, 12, 6)) == "6 décembre 2026"
        assert long_date(date(2026, 12, 1)) == "1er décembre 2026"
        assert period_title(date(2026, 11, 1), date(2026, 11, 30)) == "Novembre 2026"
        assert period_title(date(2026, 11, 23), date(2026, 11, 29)).startswith("Semaine du 23 novembre")
    with translation.override("en"):
        assert number(3.03, 2) == "3.03"
        assert long_date(date(2026, 12, 6)) == "December 6, 2026"


def test_the_summary_says_what_moved_and_what_drove_it(tenant: Tenant) -> None:
    seed_network(tenant)
    org = tenant.organisation
    report = build_report(org, parse_period(org, "2025-03"))
    first = report.summary[0]
    assert first.startswith("La note moyenne a baissé de ")
    assert "Agence Lyon" in first
    assert "Remboursements" in first  # the theme's label, not its slug
    assert any("mentions" in s and "négatives" in s for s in report.summary)
    assert "2 alertes et aucune crise sur la période." in report.summary
    assert report.alerts[0].title.startswith("Note moyenne en baisse")  # highest score first
    assert report.alerts[0].opened_at == date(2025, 3, 18)
    assert report.title == "Rapport mensuel"
    assert report.period_label == "Mars 2025"
    assert next(row.name for row in report.locations) == "Agence Paris"  # best rating first
    assert report.plans
    assert report.plans[0].title == "Renfort de l'équipe remboursements"


def test_a_french_report_quotes_french_customers_without_emoji(tenant: Tenant) -> None:
    seed_network(tenant)
    org = tenant.organisation
    report = build_report(org, parse_period(org, "2025-03"))
    quotes = [q.text for qs in report.problem_quotes.values() for q in qs]
    assert quotes
    assert not any("refund" in q for q in quotes)
    assert len(set(quotes)) == len(quotes)
    assert report.testimonials
    assert "😀" not in report.testimonials[0].text
    english = build_report(org, parse_period(org, "2025-03"), language="en")
    assert any("refund" in q.text for qs in english.problem_quotes.values() for q in qs)


def test_quotes_are_the_same_when_the_reading_is_narrowed_to_the_themes_short_of_quotes(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quotes are read newest first; past a first batch, only the mentions of the themes still
    short of candidates are read. Whatever the size of that batch, the quotes are the same."""
    from vigie.insights import report_content

    seed_network(tenant)
    org = tenant.organisation
    period = parse_period(org, "2025-03")
    # The report's problem theme, a theme of few negative mentions and one of none.
    themes = [row.theme for row in build_report(org, period).problems] + ["accueil", "absent"]
    for language in ("fr", "en"):
        everything = report_content.quotes_in_language(org, period, themes, language)
        assert any(everything.values())
        for batch in (1, 3):
            monkeypatch.setattr(report_content, "FIRST_READ", batch)
            assert report_content.quotes_in_language(org, period, themes, language) == everything
        monkeypatch.setattr(report_content, "FIRST_READ", 5000)


def test_a_months_quotes_come_from_both_halves_even_when_its_last_days_are_busy(tenant: Tenant) -> None:
    """A month whose last days bring hundreds of complaints (more than the candidates read per
    theme) still quotes its first half: one quote from each half of the period."""
    from vigie.insights import report_content

    org = tenant.organisation
    source = make_source(org, "google")
    for n in range(report_content.CANDIDATES + 60):
        make_mention(
            org,
            source=source,
            created_at=datetime(2025, 3, 28 + n % 4, 9 + n % 10, n % 60, tzinfo=PARIS),
            rating=1,
            sentiment=Sentiment.NEGATIVE,
            language="fr",
            themes=["prix"],
            # Distinct texts (the same text twice is quoted once), without digits (masked as numbers).
            text="Tarif augmenté une nouvelle fois sans prévenir, c'est abusif, dossier "
            + "".join(chr(97 + int(d)) for d in str(n)),
        )
    for day in (3, 9):
        make_mention(
            org,
            source=source,
            created_at=datetime(2025, 3, day, 10, tzinfo=PARIS),
            rating=1,
            sentiment=Sentiment.NEGATIVE,
            language="fr",
            themes=["prix"],
            text=f"Le {day} mars on m'a facturé des frais que personne ne m'avait annoncés, inadmissible.",
        )
    quotes = report_content.quotes_in_language(org, parse_period(org, "2025-03"), ["prix"], "fr")["prix"]
    days = sorted(q.created_at.astimezone(PARIS).day for q in quotes)
    assert len(days) == 2
    assert days[0] <= 15 < days[1], days
    # A period of one day has one stretch: both quotes from that day.
    one_day = report_content.quotes_in_language(
        org, parse_period(org, "2025-03-03:2025-03-03"), ["prix"], "fr"
    )
    assert [q.created_at.astimezone(PARIS).day for q in one_day["prix"]] == [3]


@needs_chromium
def test_every_page_of_the_report_renders_with_nothing_cut_empty_or_overlapping(tenant: Tenant) -> None:
    seed_network(tenant)
    org = tenant.organisation
    for language in ("fr", "en"):
        report = build_report(org, parse_period(org, "2025-03"), language=language)
        html = render_html(report, fonts_base=FONTS_BASE)
        checks = check_pages(html)
        assert len(checks) == len(report.pages) >= 6
        PNG_DIR.mkdir(parents=True, exist_ok=True)
        for check in checks:
            (PNG_DIR / f"{language}-page-{check.number}.png").write_bytes(check.png)
            assert check.problems == [], f"page {check.number} ({language}): {check.problems}"
    html = render_html(build_report(org, parse_period(org, "2025-03")))
    assert "2025-03-" not in html  # no ISO date
    assert ">remboursement<" not in html
    assert ">accueil<" not in html
    assert ">Remboursements<" in html
    pdf = render(build_report(org, parse_period(org, "2025-03")), "pdf")
    # One PDF page per designed sheet: nothing spilled onto an extra page.
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(checks)


@needs_chromium
def test_the_checker_sees_a_cut_an_overlap_and_an_empty_page() -> None:
    html = (
        "<!doctype html><style>*{box-sizing:border-box}.page{width:210mm;height:297mm;padding:20mm;overflow:hidden;position:relative}"
        "p{margin:0}</style>"
        '<section class="page"><p>Un texte</p><p style="margin-top:-1em">Un autre texte</p></section>'
        '<section class="page"><p style="height:400mm">Long</p><p>Coupé en bas</p></section>'
        '<section class="page"></section>'
        '<section class="page"><p style="width:200mm;white-space:nowrap">Un tableau trop large pour sa page, '
        "qui passe dans la marge de droite</p></section>"
    )
    first, second, third, fourth = check_pages(html)
    assert any("chevauche" in p for p in first.problems)
    assert any("coupé" in p or "hors de la page" in p for p in second.problems)
    assert any("presque vide" in p for p in third.problems)
    assert ink_ratio(third.png) < 0.001
    assert any("marge" in p for p in fourth.problems)


def test_the_running_head_names_a_quarter_a_month_and_a_year_in_the_reports_language(tenant: Tenant) -> None:
    """A quarter's report is headed « T4 2025 » / "Q4 2025", not « Du 1er octobre au 31 décembre
    2025 »; a year is « Année 2025 » / "Year 2025"; a custom span keeps its dates."""
    org = tenant.organisation
    for language, quarter in (("fr", "T4 2025"), ("en", "Q4 2025")):
        report = build_report(org, parse_period(org, "2025-Q4"), language=language)
        assert report.period_label == quarter
        html = render_html(report)
        head = re.search(r'<div class="head">.*?</div>', html, re.S)
        assert head is not None
        assert f"· {quarter}</span>" in head[0]
        assert f'<div class="period">{quarter}</div>' in html  # the cover
        assert "1er octobre" not in head[0]
        assert "October 1" not in head[0]
    with translation.override("fr"):
        assert period_title(date(2025, 1, 1), date(2025, 3, 31)) == "T1 2025"
        assert period_title(date(2025, 1, 1), date(2025, 12, 31)) == "Année 2025"
        assert period_title(date(2025, 11, 1), date(2025, 11, 30)) == "Novembre 2025"
        assert (
            period_title(date(2025, 10, 1), date(2025, 11, 15)) == "Du 1er octobre 2025 au 15 novembre 2025"
        )
        # Three whole months that are not a calendar quarter keep their dates.
        assert period_title(date(2025, 2, 1), date(2025, 4, 30)).startswith("Du 1er février")
    with translation.override("en"):
        assert period_title(date(2025, 1, 1), date(2025, 12, 31)) == "Year 2025"
        assert period_title(date(2025, 11, 1), date(2025, 11, 30)) == "November 2025"
        assert period_title(date(2025, 10, 1), date(2025, 11, 15)).startswith("From October 1")
