"""The management report read by a director: a fall said as a fall and a rise as a rise, survey
answers named as the survey, quotes that speak of their theme, the file named in the report's
language, and the schedules' table in words rather than codes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from vigie.analysis.models import AnalysisResult
from vigie.conftest import Tenant
from vigie.core.models import Membership, Organisation
from vigie.core.periods import period_between
from vigie.insights.actions import do_create_scheduled_report
from vigie.insights.report_summary import rating_points
from vigie.insights.reports import build_report, parse_period, period_name, render
from vigie.mentions.models import Mention, MentionKind, Sentiment
from vigie.mentions.tests.factories import make_location, make_mention, make_source

PARIS = ZoneInfo("Europe/Paris")
Login = Callable[[Membership], Client]


def seed_change(tenant: Tenant, *, falling: bool) -> None:
    """February and March of two agencies: Lyon's reviews and the refund complaints go one way."""
    org = tenant.organisation
    lyon, paris = make_location(org, "Agence Lyon"), make_location(org, "Agence Paris")
    google = make_source(org, "google")
    # Lyon good then bad (a fall) or bad then good (a rise); refunds complained of in the bad month.
    for month, lyon_good in ((2, falling), (3, not falling)):
        for day in range(1, 21):
            make_mention(
                org,
                source=google,
                location=paris,
                created_at=datetime(2025, month, day, 10, tzinfo=PARIS),
                rating=4,
                sentiment=Sentiment.POSITIVE,
                language="fr",
                themes=["accueil"],
                text="Accueil agréable, merci.",
            )
            make_mention(
                org,
                source=google,
                location=lyon,
                created_at=datetime(2025, month, day, 11, tzinfo=PARIS),
                rating=5 if lyon_good else 1,
                sentiment=Sentiment.POSITIVE if lyon_good else Sentiment.NEGATIVE,
                language="fr",
                themes=["accueil"] if lyon_good else ["remboursement"],
                text="Très bien reçue." if lyon_good else "Remboursement toujours pas reçu.",
            )
            if lyon_good and day <= 3:
                # A few refund complaints still, on social media (no rating): fewer than before.
                make_mention(
                    org,
                    source=google,
                    kind=MentionKind.POST,
                    created_at=datetime(2025, month, day, 12, tzinfo=PARIS),
                    sentiment=Sentiment.NEGATIVE,
                    language="fr",
                    themes=["remboursement"],
                    text="Toujours pas de remboursement.",
                )


def test_a_fall_is_dragged_down_by_what_weighs_on_it(tenant: Tenant) -> None:
    seed_change(tenant, falling=True)
    org = tenant.organisation
    march = parse_period(org, "2025-03")
    french = build_report(org, march, language="fr").summary[0]
    assert french.startswith("La note moyenne a baissé de 2,0 points, à ")
    assert french.endswith(
        ", tirée vers le bas par Agence Lyon et la hausse des mentions négatives sur le thème Remboursements."
    )
    assert "portée" not in french
    english = build_report(org, march, language="en").summary[0]
    assert english.startswith("The average rating fell by 2.0 points, to ")
    assert english.endswith(", dragged down by Agence Lyon and more negative mentions about Refunds.")
    assert "driven" not in english
    # An English report names the default taxonomy's themes in English, wherever it names them.
    report = build_report(org, march, language="en")
    assert sorted(row.label for row in report.themes) == ["Refunds", "Welcome and courtesy"]
    assert next(row.label for row in report.problems) == "Refunds"


def test_a_rise_is_driven_by_what_carries_it(tenant: Tenant) -> None:
    seed_change(tenant, falling=False)
    org = tenant.organisation
    march = parse_period(org, "2025-03")
    french = build_report(org, march, language="fr").summary[0]
    assert french.startswith("La note moyenne a progressé de 2,0 points, à ")
    assert french.endswith(
        ", portée par Agence Lyon et le recul des mentions négatives sur le thème Remboursements."
    )
    english = build_report(org, march, language="en").summary[0]
    assert english.endswith(", driven by Agence Lyon and fewer negative mentions about Refunds.")
    # The volume sentence says which way too.
    assert "8\u00a0% de plus que la période précédente" in build_report(org, march, language="fr").summary[1]


def test_a_change_of_rating_is_in_points_as_each_language_writes_them() -> None:
    with translation.override("fr"):
        assert rating_points(-0.2) == "0,2 point"
        assert rating_points(1.96) == "2,0 points"
    with translation.override("en"):
        assert rating_points(0.2) == "0.2 points"


def test_survey_answers_are_named_as_the_satisfaction_survey(tenant: Tenant) -> None:
    """A survey tool feeding a signed webhook, and Vigie's own surveys: one row, "Enquête de
    satisfaction"; the webhook keeps only its other mentions; a quoted answer says the survey."""
    org = tenant.organisation
    webhook, survey, google = make_source(org, "webhook"), make_source(org, "survey"), make_source(org)
    for day in range(1, 9):
        make_mention(
            org,
            source=webhook,
            kind=MentionKind.SURVEY_ANSWER,
            created_at=datetime(2025, 3, day, 10, tzinfo=PARIS),
            rating=1,
            rating_raw="1",
            sentiment=Sentiment.NEGATIVE,
            language="fr",
            themes=["remboursement"],
            text=f"Remboursement toujours pas reçu après trois semaines d'attente, dossier {day}.",
        )
    for day in range(1, 4):
        make_mention(
            org,
            source=survey,
            kind=MentionKind.SURVEY_ANSWER,
            created_at=datetime(2025, 3, day, 12, tzinfo=PARIS),
            rating=5,
            sentiment=Sentiment.POSITIVE,
            language="fr",
            text="Très bon échange avec la conseillère.",
        )
    make_mention(
        org,
        source=webhook,
        kind=MentionKind.POST,
        created_at=datetime(2025, 3, 5, 10, tzinfo=PARIS),
        sentiment=Sentiment.NEUTRAL,
        language="fr",
        text="Un message de l'outil interne.",
    )
    make_mention(org, source=google, created_at=datetime(2025, 3, 6, 10, tzinfo=PARIS), rating=4)
    report = build_report(org, parse_period(org, "2025-03"), language="fr")
    rows = {row.label: (row.volume, row.positive, row.negative) for row in report.platforms}
    assert rows["Enquête de satisfaction"] == (11, 3, 8)
    assert rows["Webhook signé"] == (1, 0, 0)
    assert next(row.label for row in report.platforms) == "Enquête de satisfaction"
    quotes = [q for qs in report.problem_quotes.values() for q in qs]
    assert quotes
    assert {q.platform for q in quotes} == {"survey"}
    html = render(report, "html").decode()
    assert "Enquête de satisfaction" in html
    assert "Webhook signé" in html  # its one post, in the platforms' table only
    assert html.count("Webhook signé") == 1
    english = build_report(org, parse_period(org, "2025-03"), language="en")
    assert "Satisfaction survey" in [row.label for row in english.platforms]


OFF_THEME = (
    "@MutuelleHorizon vous comptez rembourser vos adhérents quand ? Remboursement promis il y a {n} semaines."
)
ON_THEME = "L'application plante à chaque connexion, impossible de me connecter à l'espace adhérent."


def test_a_themes_quotes_are_the_mentions_that_speak_of_it(tenant: Tenant) -> None:
    """Under "Site et application", a complaint about the app, not a refund complaint that was
    also tagged with the app; an app complaint judged positive on the app comes after one judged
    negative."""
    org = tenant.organisation
    facebook = make_source(org, "facebook")
    made: list[Mention] = []
    for n in range(1, 8):
        made.append(
            make_mention(
                org,
                source=facebook,
                kind=MentionKind.POST,
                created_at=datetime(2025, 3, 3, 8 + n, tzinfo=PARIS),
                sentiment=Sentiment.NEGATIVE,
                language="fr",
                themes=["remboursement", "site_app"],
                text=OFF_THEME.format(n=n),
            )
        )
    praised = make_mention(
        org,
        source=facebook,
        kind=MentionKind.POST,
        created_at=datetime(2025, 3, 3, 16, tzinfo=PARIS),
        sentiment=Sentiment.NEGATIVE,
        language="fr",
        themes=["site_app", "remboursement"],
        text="La nouvelle application est très pratique. Mais le remboursement n'arrive toujours pas.",
    )
    AnalysisResult.objects.create(
        organisation=org,
        mention=praised,
        analyzer="themes",
        version="test",
        result={"themes": ["site_app", "remboursement"], "aspects": {"site_app": "positive"}},
    )
    on_theme = make_mention(
        org,
        source=facebook,
        kind=MentionKind.POST,
        created_at=datetime(2025, 3, 3, 17, tzinfo=PARIS),
        sentiment=Sentiment.NEGATIVE,
        language="fr",
        themes=["site_app"],
        text=ON_THEME,
    )
    report = build_report(org, parse_period(org, "2025-03"), language="fr")
    site = [q.mention_id for q in report.problem_quotes["site_app"]]
    assert site[0] == on_theme.pk
    assert praised.pk not in site[:1]
    refunds = [q.mention_id for q in report.problem_quotes["remboursement"]]
    assert set(refunds) <= {m.pk for m in made} | {praised.pk}
    assert on_theme.pk not in refunds


def test_a_periods_name_is_what_the_report_command_reads(tenant: Tenant) -> None:
    org = tenant.organisation
    assert period_name(parse_period(org, "2026-11")) == "2026-11"
    assert period_name(parse_period(org, "2026-W47")) == "2026-W47"
    assert period_name(parse_period(org, "2026-Q4"), "fr") == "2026-T4"
    assert period_name(parse_period(org, "2026-Q4"), "en") == "2026-Q4"
    assert period_name(parse_period(org, "2026-11-03:2026-11-12")) == "2026-11-03_2026-11-12"
    assert period_name(period_between(org, datetime(2026, 1, 1).date(), datetime(2026, 2, 28).date())) == (
        "2026-01-01_2026-02-28"
    )


@pytest.mark.parametrize(
    ("language", "name"),
    [("fr", "rapport-vigie-acme-2025-03.html"), ("en", "vigie-report-acme-2025-03.html")],
)
def test_the_downloaded_report_is_named_in_its_language(
    tenant: Tenant, login: Login, language: str, name: str
) -> None:
    make_mention(tenant.organisation, created_at=datetime(2025, 3, 6, 10, tzinfo=PARIS), rating=4)
    client = login(tenant.viewer)
    asked = {"period": "2025-03", "language": language, "report_format": "html"}
    response = client.get(reverse("insights-reports"), asked)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_a_locations_report_names_it_in_plain_ascii(tenant: Tenant) -> None:
    from vigie.insights.reports import report_filename

    org = tenant.organisation
    place = make_location(org, "Agence Besançon Saint-Étienne")
    make_mention(org, location=place, created_at=datetime(2025, 3, 6, 10, tzinfo=PARIS), rating=4)
    report = build_report(org, parse_period(org, "2025-03"), language="fr", location=place)
    assert report_filename(report, "pdf") == "rapport-vigie-acme-agence-besancon-saint-etienne-2025-03.pdf"


@pytest.mark.parametrize("interface", ["fr", "en"])
def test_the_schedules_table_shows_languages_and_formats_by_name(
    tenant: Tenant, login: Login, interface: str
) -> None:
    Organisation.objects.filter(pk=tenant.organisation.pk).update(language=interface)
    do_create_scheduled_report(
        tenant.organisation,
        frequency="monthly",
        recipients=["boss@acme.example"],
        language="en",
        report_format="html",
        actor=None,
    )
    do_create_scheduled_report(
        tenant.organisation, frequency="weekly", recipients=["dg@acme.example"], language="fr", actor=None
    )
    page = login(tenant.manager).get(reverse("insights-reports")).content.decode()
    assert "<td>English</td><td>HTML</td>" in page
    assert "<td>Français</td><td>PDF</td>" in page
    assert "<td>en</td>" not in page
    assert "<td>pdf</td>" not in page


def test_one_message_posted_again_with_other_figures_is_quoted_once(tenant: Tenant) -> None:
    """The demo's English report quoted "your member portal has been down for 2 days" and, under
    it, the same message with "1 days": a director read one complaint twice."""
    org = tenant.organisation
    facebook = make_source(org, "facebook")
    for day in range(1, 29):
        make_mention(
            org,
            source=facebook,
            kind=MentionKind.POST,
            created_at=datetime(2025, 3, day, 10, tzinfo=PARIS),
            sentiment=Sentiment.NEGATIVE,
            language="en",
            themes=["site_app"],
            text=f"Mutuelle Horizon, your member portal has been down for {day} days and nobody answers.",
        )
    other = make_mention(
        org,
        source=facebook,
        kind=MentionKind.POST,
        created_at=datetime(2025, 3, 20, 9, tzinfo=PARIS),
        sentiment=Sentiment.NEGATIVE,
        language="en",
        themes=["site_app"],
        text="The app logs me out every single time I try to download a statement. Useless.",
    )
    report = build_report(org, parse_period(org, "2025-03"), language="en")
    quotes = report.problem_quotes["site_app"]
    assert len(quotes) == 2
    assert other.pk in [q.mention_id for q in quotes]
    assert sum("member portal has been down" in q.text for q in quotes) == 1
