"""The managers' pages and API: roles, tenancy, a gating rule refused with its reason, review sites
in the charter, testimonials (consent, export, the management report), survey import, and the
dashboard's CSAT / NPS per location with the response rate."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vigie.charter.queries import current_charter
from vigie.conftest import Tenant
from vigie.core.jobs import run_pending
from vigie.core.models import AuditEvent, Membership
from vigie.core.periods import last_days
from vigie.insights.reports import build_report
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_mention
from vigie.outreach import models as outreach_models
from vigie.outreach.actions import InviteRequest, do_answer_survey, do_invite
from vigie.outreach.models import Campaign, Invitation, SurveyResponse
from vigie.outreach.tests.conftest import World, configure

pytestmark = pytest.mark.django_db
PAGES = ["/outreach/", "/outreach/invitations/", "/outreach/testimonials/"]


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_pages_are_for_managers(world: World, login: Callable[[Membership], Client], role: str) -> None:
    client = login(world.tenant.member(role))
    for page in PAGES:
        assert client.get(page).status_code == 403
    assert client.post("/outreach/", {"section": "campaign", "enabled": "on"}).status_code == 403


def test_managers_reach_the_pages_from_the_navigation(
    world: World, login: Callable[[Membership], Client]
) -> None:
    client = login(world.tenant.manager)
    inbox = client.get("/inbox/").content.decode()
    assert 'href="/outreach/"' in inbox
    for page in PAGES:
        assert client.get(page).status_code == 200
    assert 'href="/outreach/"' not in login(world.tenant.agent).get("/inbox/").content.decode()


def test_another_organisations_testimonials_and_answers_answer_404(
    world: World, other_tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    other = configure(other_tenant)
    mention = make_mention(other.tenant.organisation, rating="5", text="Parfait")
    do_invite(other.tenant.organisation, InviteRequest(email="o@client.example"))
    inv = Invitation.objects.get(organisation=other.tenant.organisation)
    do_answer_survey(inv, csat=5, nps=10, comment="Super")
    answer = SurveyResponse.objects.get()
    client = login(world.tenant.manager)
    assert client.post("/outreach/testimonials/select/", {"mention": mention.pk}).status_code == 404
    assert (
        client.post(
            "/outreach/testimonials/select/", {"response": answer.pk, "consent_note": "x"}
        ).status_code
        == 404
    )
    testimonial = outreach_models.Testimonial.objects.create(
        organisation=other.tenant.organisation, text="x", platform="google", said_at=mention.created_at
    )
    assert client.post(f"/outreach/testimonials/{testimonial.pk}/delete/").status_code == 404
    assert "o@client.example" not in client.get("/outreach/invitations/").content.decode()
    assert "Super" not in client.get("/outreach/testimonials/").content.decode()


def test_a_gating_rule_is_refused_with_its_reason_on_the_page_and_the_api(
    world: World, login: Callable[[Membership], Client], api_client: Callable[[Membership], Client]
) -> None:
    client = login(world.tenant.manager)
    # The saved quiet hours (none: 00:00 to 00:00) in hours and minutes, not "00:00:00".
    settings_page = client.get("/outreach/").content.decode()
    assert 'type="time"' in settings_page
    assert 'value="00:00"' in settings_page
    assert "00:00:00" not in settings_page
    page = client.post(
        "/outreach/",
        {
            "section": "campaign",
            "enabled": "on",
            "legal_basis": "legitimate_interest",
            "period_days": "90",
            "reminder_after_days": "7",
            "quiet_start": "20:00",
            "quiet_end": "09:00",
            "population": "lieu = Agence Lyon\nsentiment = positif",
        },
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert "Règle refusée" in html
    assert "review gating" in html
    assert "le sentiment du client" in html
    assert Campaign.objects.get(organisation=world.tenant.organisation).population == []
    assert AuditEvent.objects.filter(verb="outreach.rule_refused").exists()

    api = api_client(world.tenant.manager)
    refused = api.put(
        "/api/v1/outreach/population",
        {"rules": [{"field": "rating", "value": "5"}]},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "la note ou la satisfaction du client" in refused.json()["detail"][0]["msg"]
    allowed = api.put(
        "/api/v1/outreach/population",
        {"rules": [{"field": "lieu", "value": "Agence Lyon"}]},
        content_type="application/json",
    )
    assert allowed.json() == {"rules": [{"field": "location", "value": "Agence Lyon"}]}
    assert (
        api_client(world.tenant.agent)
        .put("/api/v1/outreach/population", {"rules": []}, content_type="application/json")
        .status_code
        == 403
    )


def test_the_api_invites_customers_with_the_cli_summary(
    world: World, api_client: Callable[[Membership], Client]
) -> None:
    api = api_client(world.tenant.manager)
    body = {"customers": [{"email": "api@client.example", "name": "Api"}, {"email": "bad"}]}
    first = api.post("/api/v1/outreach/invitations", body, content_type="application/json")
    assert first.json() == {"sent": 1, "skipped": {"invalid_address": 1}}
    second = api.post("/api/v1/outreach/invitations", body, content_type="application/json")
    assert second.json() == {"sent": 0, "skipped": {"already_invited": 1, "invalid_address": 1}}


def test_review_sites_are_kept_in_the_charter(world: World, login: Callable[[Membership], Client]) -> None:
    client = login(world.tenant.manager)
    client.post(
        "/outreach/",
        {
            "section": "sites",
            "sites": "Agence Lyon | google_business | ChIJnewPlace\n | trustpilot | acme.example",
        },
    )
    sites = current_charter(world.tenant.organisation).outreach.review_sites
    assert [(s.location, s.platform, s.place_id, s.domain) for s in sites] == [
        ("Agence Lyon", "google_business", "ChIJnewPlace", ""),
        ("", "trustpilot", "", "acme.example"),
    ]
    bad = client.post("/outreach/", {"section": "sites", "sites": "Lyon | avis | http://not-https.example"})
    assert bad.status_code == 422


def test_testimonials_need_consent_unless_public_and_feed_the_report(
    world: World, login: Callable[[Membership], Client]
) -> None:
    organisation = world.tenant.organisation
    review = make_mention(
        organisation, rating="5", text="Accueil parfait à Lyon", sentiment=Sentiment.POSITIVE
    )
    negative = make_mention(organisation, rating="1", text="Nul", sentiment=Sentiment.NEGATIVE)
    do_invite(organisation, InviteRequest(email="t@client.example", location="Agence Lyon"))
    do_answer_survey(Invitation.objects.get(), csat=5, nps=10, comment="Merci à Julie, <b>top</b>")
    answer = SurveyResponse.objects.get()
    client = login(world.tenant.manager)
    page = client.get("/outreach/testimonials/").content.decode()
    assert "Accueil parfait à Lyon" in page
    assert "Nul" not in page
    assert "&lt;b&gt;top&lt;/b&gt;" in page, "customer text is escaped"

    client.post("/outreach/testimonials/select/", {"mention": review.pk, "featured": "on"})
    client.post("/outreach/testimonials/select/", {"mention": negative.pk})
    no_consent = client.post("/outreach/testimonials/select/", {"response": answer.pk}, follow=True)
    assert "notez le consentement" in no_consent.content.decode()
    client.post(
        "/outreach/testimonials/select/",
        {"response": answer.pk, "consent_note": "Accord par e-mail le 3 mars"},
    )
    rows = {t.text: t for t in outreach_models.Testimonial.objects.all()}
    assert set(rows) == {"Accueil parfait à Lyon", "Merci à Julie, <b>top</b>"}
    assert rows["Accueil parfait à Lyon"].public
    assert rows["Accueil parfait à Lyon"].featured
    assert not rows["Merci à Julie, <b>top</b>"].public
    assert rows["Merci à Julie, <b>top</b>"].consent_at

    export = client.get("/outreach/testimonials/?format=csv")
    assert export["Content-Type"].startswith("text/csv")
    text = export.content.decode()
    assert "Accueil parfait à Lyon" in text
    assert "Accord par e-mail le 3 mars" in text

    report = build_report(organisation, last_days(organisation, 30))
    assert [q.text for q in report.testimonials] == ["Accueil parfait à Lyon"], "only the chosen few"


def test_survey_results_import_from_csv(world: World, login: Callable[[Membership], Client]) -> None:
    client = login(world.tenant.manager)
    data = "id,date,csat,nps,comment,location\nr1,2026-03-01T10:00,4,9,Bien,Agence Lyon\nr2,,7,,Trop,\n"
    upload = SimpleUploadedFile("survey.csv", data.encode(), content_type="text/csv")
    client.post("/outreach/surveys/import/", {"file": upload})
    run_pending()  # the file is imported in the background
    assert list(SurveyResponse.objects.values_list("csat", "nps", "location__name")) == [
        (4, 9, "Agence Lyon")
    ]
    again = SimpleUploadedFile("survey.csv", data.encode(), content_type="text/csv")
    client.post("/outreach/surveys/import/", {"file": again})
    run_pending()
    assert SurveyResponse.objects.count() == 1, "the same id is not imported twice"


def test_survey_results_import_reads_french_dates_and_explains_in_french(world: World) -> None:
    """Found in the demo: "Ligne 4 : Invalid isoformat string: '01/12/2026'"."""
    from vigie.outreach.actions import do_import_survey_results

    report = do_import_survey_results(
        world.tenant.organisation,
        [
            {"id": "f1", "date": "01/12/2026", "csat": "5", "nps": "", "comment": "", "location": ""},
            {"id": "f2", "date": "01/12/2026 14:30", "csat": "4", "nps": "", "comment": "", "location": ""},
            {"id": "f3", "date": "le 1er décembre", "csat": "4", "nps": "", "comment": "", "location": ""},
            {"id": "f4", "date": "", "csat": "cinq", "nps": "", "comment": "", "location": ""},
        ],
    )
    assert report.imported == 2
    zone = zoneinfo.ZoneInfo(world.tenant.organisation.timezone)
    dates = sorted(r.answered_at.astimezone(zone).date().isoformat() for r in SurveyResponse.objects.all())
    assert dates == ["2026-12-01", "2026-12-01"]
    assert report.rejected == [
        "Ligne 4 : date illisible « le 1er décembre » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)",
        "Ligne 5 : note illisible « cinq » (un nombre entier est attendu)",
    ]


def test_the_dashboard_shows_csat_and_nps_per_location_team_and_agent(
    world: World, login: Callable[[Membership], Client]
) -> None:
    organisation = world.tenant.organisation
    for email, csat, nps in (("a@c.example", 5, 10), ("b@c.example", 2, 3), ("c@c.example", None, None)):
        do_invite(organisation, InviteRequest(email=email, location="Agence Lyon"))
        if csat is not None:
            do_answer_survey(Invitation.objects.get(contact__email=email), csat=csat, nps=nps, comment="")
    page = login(world.tenant.viewer).get("/dashboard/").content.decode()
    section = page.split('data-outreach="satisfaction"')[1].split("</section>")[0]
    assert "Agence Lyon" in section
    assert "50\u00a0%" in section, "CSAT: one of two answers is 4 or 5"
    assert ">0<" in section, "NPS: one promoter, one detractor"
    assert "67\u00a0%" in section, "response rate: two answers to three invitations"
    assert "(2/3)" in section
    card = page.split('data-kpi="csat"')[1].split("</article>")[0]
    assert "NPS 0" in card
    assert "2 réponses" in card
    measures = page.split('data-outreach="measures"')[1].split("</section>")[0]
    assert "non mesuré" in measures


def test_the_outreach_pages_share_the_tabs_and_label_checkboxes_without_a_colon(
    world: World, login: Callable[[Membership], Client]
) -> None:
    client = login(world.tenant.manager)
    for page, current in [
        ("/outreach/", "Invitations à donner son avis"),
        ("/outreach/preview/", "Aperçu des messages"),
        ("/outreach/invitations/", "Invitations envoyées"),
        ("/outreach/testimonials/", "Témoignages"),
    ]:
        html = client.get(page).content.decode()
        nav = html[html.index('<nav class="tabs" aria-label="Avis et satisfaction">') :]
        nav = nav[: nav.index("</nav>")]
        assert nav.count("<a ") == 4
        assert f'aria-current="page">{current}</a>' in nav
    settings_page = client.get("/outreach/").content.decode()
    for label in (
        "Envoyer les invitations",
        "Joindre l'enquête de satisfaction",
        "Essai à blanc (rien n'est envoyé)",
    ):
        escaped = label.replace("'", "&#x27;")
        assert f"{escaped} :" not in settings_page
        assert f"{escaped}:" not in settings_page
        assert re.search(
            rf'<label class="check" for="id_\w+"><input type="checkbox"[^>]*> <span>{re.escape(escaped)}</span>',
            settings_page,
        )


def test_no_cell_of_the_testimonials_export_runs_as_a_formula(
    world: World, login: Callable[[Membership], Client]
) -> None:
    """The customer's name, the consent note and the text all come from outside: a spreadsheet
    must show them, not run them (only the text was neutralised; the name ran)."""
    import csv
    import io

    from vigie.mentions.tests.factories import make_author

    organisation = world.tenant.organisation
    author = make_author(organisation, display_name='=HYPERLINK("http://evil.example","Marie")')
    review = make_mention(
        organisation, author=author, rating="5", text="\tSuper accueil", sentiment=Sentiment.POSITIVE
    )
    client = login(world.tenant.manager)
    client.post("/outreach/testimonials/select/", {"mention": review.pk, "consent_note": "+33 accord"})
    rows = list(csv.reader(io.StringIO(client.get("/outreach/testimonials/?format=csv").content.decode())))
    assert len(rows) == 2
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in rows[1])
    assert '\'=HYPERLINK("http://evil.example","Marie")' in rows[1]
