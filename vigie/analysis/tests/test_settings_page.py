"""The analysis settings page: a manager gives the organisation's number patterns and names."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from vigie.analysis.actions import do_analyze_mentions
from vigie.analysis.models import AnalysisSettings, Theme, ThemeCandidate
from vigie.analysis.queries import mention_analysis
from vigie.conftest import Tenant
from vigie.core.jobs import run_now
from vigie.core.models import AuditEvent, Job, Membership
from vigie.insights.verbatims import masked, order_patterns
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_mention

pytestmark = pytest.mark.django_db

URL = "/analysis/settings/"
Login = Callable[[Membership], Client]


def _post(client: Client, **fields: str) -> object:
    data = {"order_patterns": "", "customer_patterns": "", "organisation_terms": "", **fields}
    return client.post(URL, data, HTTP_HOST="127.0.0.1")


def test_a_manager_sets_order_and_customer_numbers_and_the_analysis_finds_them(
    tenant: Tenant, login: Login
) -> None:
    client = login(tenant.manager)
    page = client.get(URL, HTTP_HOST="127.0.0.1")
    assert page.status_code == 200
    assert "Numéros de client" in page.content.decode()
    response = _post(
        client,
        order_patterns="CMD-\\d{6}\n\nCMD-\\d{6}\n",
        customer_patterns="CLI\\d{8}",
        organisation_terms="Acme Express\nAcmeBox",
    )
    assert response.status_code == 302
    row = AnalysisSettings.objects.get(organisation=tenant.organisation)
    assert row.order_patterns == ["CMD-\\d{6}"]  # blank and repeated lines dropped
    assert row.customer_patterns == ["CLI\\d{8}"]
    assert row.organisation_terms == ["Acme Express", "AcmeBox"]
    event = AuditEvent.objects.get(organisation=tenant.organisation, verb="analysis.settings_updated")
    assert event.data["customer_patterns"] == ["CLI\\d{8}"]

    mention = make_mention(
        tenant.organisation, text="Client CLI12345678, commande CMD-123456 : toujours rien reçu."
    )
    do_analyze_mentions(tenant.organisation, [mention.pk])
    kinds = sorted(span["kind"] for span in mention_analysis(mention).personal_data)
    assert kinds == ["customer_number", "order_number"]
    # Quotes in the reports and the theme board mask both.
    quote = masked(mention.text, order_patterns(tenant.organisation))
    assert "CLI12345678" not in quote
    assert "CMD-123456" not in quote

    # The page shows what is stored, one per line.
    assert "CLI\\d{8}" in client.get(URL, HTTP_HOST="127.0.0.1").content.decode()


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("(\\d+)+X", "pourrait bloquer l'analyse"),
        ("CMD-[0-9", "expression régulière invalide"),
        ("\\d*", "correspond au texte vide"),
        ("A" * 201, "au plus 200"),
    ],
)
def test_a_pattern_that_could_hang_or_match_nothing_is_refused_and_nothing_changes(
    tenant: Tenant, login: Login, pattern: str, says: str
) -> None:
    AnalysisSettings.objects.create(organisation=tenant.organisation, order_patterns=["CMD-\\d{6}"])
    response = _post(
        login(tenant.manager), order_patterns="CMD-\\d{6}", customer_patterns=f"CLI\\d+\n{pattern}"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ligne 2" in body
    assert says in body.replace("&#x27;", "'")
    row = AnalysisSettings.objects.get(organisation=tenant.organisation)
    assert row.customer_patterns == []
    assert row.order_patterns == ["CMD-\\d{6}"]


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_only_managers_and_admins_reach_the_page(tenant: Tenant, login: Login, role: str) -> None:
    client = login(tenant.member(role))
    assert client.get(URL, HTTP_HOST="127.0.0.1").status_code == 403
    assert _post(client, order_patterns="X\\d+").status_code == 403
    assert not AnalysisSettings.objects.filter(organisation=tenant.organisation).exists()
    assert URL not in client.get("/settings/", HTTP_HOST="127.0.0.1").content.decode()
    assert URL in login(tenant.admin).get("/settings/", HTTP_HOST="127.0.0.1").content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(db: None) -> None:
    response = Client().get(URL, HTTP_HOST="127.0.0.1")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_manager_changes_only_their_own_organisation(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    AnalysisSettings.objects.create(organisation=other_tenant.organisation, order_patterns=["G-\\d+"])
    assert _post(login(tenant.manager), order_patterns="A-\\d+").status_code == 302
    assert AnalysisSettings.objects.get(organisation=other_tenant.organisation).order_patterns == ["G-\\d+"]
    assert AnalysisSettings.objects.get(organisation=tenant.organisation).order_patterns == ["A-\\d+"]


# --- themes ----------------------------------------------------------------------------------

PARKING = "Impossible de trouver une place sur le stationnement de l'agence, tout est réservé."


def _themes_of(tenant: Tenant, text: str) -> list[str]:
    mention = make_mention(tenant.organisation, text=text)
    do_analyze_mentions(tenant.organisation, [mention.pk])
    mention.refresh_from_db()
    return list(mention.themes)


def test_the_page_lists_the_default_themes_until_the_organisation_edits_one(
    tenant: Tenant, login: Login
) -> None:
    client = login(tenant.manager)
    body = client.get(URL, HTTP_HOST="127.0.0.1").content.decode()
    assert "Accueil et amabilité" in body
    assert "liste de thèmes par défaut" in body
    assert not Theme.objects.filter(organisation=tenant.organisation).exists()

    response = client.post(
        f"{URL}themes/accueil/",
        {
            "label": "Accueil en agence",
            "keywords": "accueil, stationnement\nplace de parking",
            "active": "on",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert response.status_code == 302
    # The first edit made the default list the organisation's own: nothing was lost.
    assert Theme.objects.filter(organisation=tenant.organisation).count() == 12
    accueil = Theme.objects.get(organisation=tenant.organisation, slug="accueil")
    assert accueil.label == "Accueil en agence"
    assert accueil.keywords == ["accueil", "stationnement", "place de parking"]
    assert "accueil" in _themes_of(tenant, PARKING)
    assert AuditEvent.objects.filter(organisation=tenant.organisation, verb="analysis.theme_changed").exists()


def test_a_manager_adds_a_theme_and_deactivates_another(tenant: Tenant, login: Login) -> None:
    client = login(tenant.manager)
    response = client.post(
        f"{URL}themes/",
        {"label": "Parking & accès", "keywords": "stationnement, parking", "active": "on"},
        HTTP_HOST="127.0.0.1",
    )
    assert response.status_code == 302
    added = Theme.objects.get(organisation=tenant.organisation, label="Parking & accès")
    assert added.slug == "parking_acces"
    assert "parking_acces" in _themes_of(tenant, PARKING)

    client.post(
        f"{URL}themes/parking_acces/",
        {"label": "Parking & accès", "keywords": "parking"},
        HTTP_HOST="127.0.0.1",
    )
    added.refresh_from_db()
    assert added.active is False
    assert "parking_acces" not in _themes_of(tenant, PARKING + " Le parking est plein.")


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"label": "Parking", "keywords": " , ,"}, "au moins un mot-clé"),
        ({"label": "  ", "keywords": "parking"}, "Ce champ est obligatoire"),
        ({"label": "Parking", "keywords": "pa"}, "de 3 à 60 caractères"),
    ],
)
def test_a_theme_without_a_name_or_keywords_is_refused(
    tenant: Tenant, login: Login, fields: dict[str, str], says: str
) -> None:
    response = login(tenant.manager).post(f"{URL}themes/", fields, HTTP_HOST="127.0.0.1")
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Theme.objects.filter(organisation=tenant.organisation).exists()


def test_recurring_subjects_are_found_by_a_job_and_promoted_from_the_page(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    for number in range(30):
        make_mention(
            tenant.organisation,
            text=f"La borne de recharge électrique numéro {number} est encore en panne, voiture pas rechargée.",
            language="fr",
        )
    client = login(tenant.manager)
    assert client.post(f"{URL}discover/", HTTP_HOST="127.0.0.1").status_code == 302
    job = Job.objects.get(name="analysis.discover_themes")
    run_now(job.name, job.payload)
    candidate = ThemeCandidate.objects.filter(organisation=tenant.organisation).order_by("-size").first()
    assert candidate is not None
    assert "Sujets récurrents hors thèmes" in client.get(URL, HTTP_HOST="127.0.0.1").content.decode()

    # Another organisation's manager cannot promote it.
    assert (
        login(other_tenant.manager)
        .post(f"{URL}candidates/{candidate.pk}/promote/", {"label": "Bornes"}, HTTP_HOST="127.0.0.1")
        .status_code
        == 404
    )
    response = client.post(
        f"{URL}candidates/{candidate.pk}/promote/", {"label": "Bornes de recharge"}, HTTP_HOST="127.0.0.1"
    )
    assert response.status_code == 302
    theme = Theme.objects.get(organisation=tenant.organisation, label="Bornes de recharge")
    tagged = [m for m in Mention.objects.filter(organisation=tenant.organisation) if theme.slug in m.themes]
    assert len(tagged) == candidate.size


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_only_managers_change_themes(tenant: Tenant, login: Login, role: str) -> None:
    client = login(tenant.member(role))
    assert (
        client.post(f"{URL}themes/", {"label": "X", "keywords": "xyz"}, HTTP_HOST="127.0.0.1").status_code
        == 403
    )
    assert (
        client.post(
            f"{URL}themes/accueil/", {"label": "X", "keywords": "xyz"}, HTTP_HOST="127.0.0.1"
        ).status_code
        == 403
    )
    assert client.post(f"{URL}discover/", HTTP_HOST="127.0.0.1").status_code == 403
    assert not Theme.objects.filter(organisation=tenant.organisation).exists()


def test_an_unknown_theme_is_not_found(tenant: Tenant, login: Login) -> None:
    response = login(tenant.manager).post(
        f"{URL}themes/nope/", {"label": "X", "keywords": "xyz"}, HTTP_HOST="127.0.0.1"
    )
    assert response.status_code == 404


def test_a_manager_reanalyses_the_last_90_days_after_changing_a_theme(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from vigie.core.jobs import run_pending

    recent = make_mention(tenant.organisation, text=PARKING)
    old = make_mention(tenant.organisation, text=PARKING, created_at=timezone.now() - timedelta(days=120))
    theirs = make_mention(other_tenant.organisation, text=PARKING)
    client = login(tenant.manager)
    client.post(
        f"{URL}themes/",
        {"label": "Parking", "keywords": "stationnement", "active": "on"},
        HTTP_HOST="127.0.0.1",
    )

    response = client.post(f"{URL}reanalyze/", HTTP_HOST="127.0.0.1", follow=True)
    assert "Réanalyse lancée : 1 mention des 90 derniers jours" in response.content.decode()
    run_pending(limit=20)
    for mention in (recent, old, theirs):
        mention.refresh_from_db()
    assert "parking" in recent.themes
    assert "parking" not in old.themes, "older than 90 days: left as it was"
    assert theirs.themes == [], "another organisation's mentions are not touched"
    event = AuditEvent.objects.get(organisation=tenant.organisation, verb="analysis.reanalysis_requested")
    assert event.data == {"days": 90, "mentions": 1}
    assert login(tenant.agent).post(f"{URL}reanalyze/", HTTP_HOST="127.0.0.1").status_code == 403
