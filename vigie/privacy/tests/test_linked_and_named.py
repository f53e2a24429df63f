"""What the QA walk of the DPO page found: a search by e-mail follows the contact to the survey
answer, its mention, author and case; erasure leaves no first name in the organisation's replies,
says what was erased, closes the case; a name matches whole words only, and other people's posts
that name someone are erased only when the DPO ticks them; the export is named after the person."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from vigie.conftest import Tenant
from vigie.core import pipeline
from vigie.core.models import AuditEvent, Membership
from vigie.core.queries import verify_audit_chain
from vigie.inbox.models import (
    Case,
    CaseStatus,
    MessageDirection,
    MessageState,
    NoAnswerReason,
    Note,
    PrivateMessage,
    PrivateThread,
    Reply,
    ReplyStatus,
)
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.models import Author, Mention
from vigie.mentions.tests.factories import make_author, make_mention, make_source
from vigie.outreach.actions import do_answer_survey, do_invite_rows
from vigie.outreach.models import Contact, Invitation, SurveyResponse
from vigie.outreach.tests.conftest import configure
from vigie.privacy.actions import erasure_placeholder

Login = Callable[[Membership], Client]

EMAIL = "jeanne.durand@example.org"
COMMENT = "Remboursement très lent, mais l'agent était gentil."


def _answer_survey(tenant: Tenant, comment: str = COMMENT) -> Case:
    """Jeanne is invited from a CSV row and answers the survey; the pipeline opens her case."""
    configure(tenant)
    row = {"email": EMAIL, "name": "Jeanne Durand", "location": "Agence Lyon", "platform": ""}
    assert do_invite_rows(tenant.organisation, [row]).sent == 1
    invitation = Invitation.objects.get(organisation=tenant.organisation)
    assert do_answer_survey(invitation, csat=2, nps=3, comment=comment)
    mention_id = SurveyResponse.objects.get(organisation=tenant.organisation).mention_id
    pipeline.run_now("analyse", [mention_id])
    return Case.objects.get(organisation=tenant.organisation, mention_id=mention_id)


@pytest.fixture
def jeanne(tenant: Tenant) -> Case:
    return _answer_survey(tenant)


# --- 1. an e-mail finds what is linked to it ----------------------------------------------------


def test_an_email_finds_the_survey_answer_its_mention_author_and_case(
    jeanne: Case, tenant: Tenant, login: Login
) -> None:
    html = login(tenant.admin).get(reverse("privacy"), {"subject": EMAIL}).content.decode()
    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", html))
    assert counts["Publications de la personne"] == "1"
    assert counts["Dossiers"] == "1"
    assert counts["Comptes sur les plateformes"] == "1"
    assert counts["Réponses à l&#x27;enquête de satisfaction"] == "1"
    assert "Remboursement très lent" in html
    assert jeanne.reference in html


def test_the_export_holds_her_answers_and_is_named_after_her(
    jeanne: Case, tenant: Tenant, login: Login
) -> None:
    response = login(tenant.admin).get(reverse("privacy_export"), {"subject": EMAIL})
    day = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="donnees-personnelles-jeanne-durand-{day}.json"'
    )
    data = json.loads(response.content)
    (answer,) = data["elsewhere"]["outreach"]["outreach_survey_responses"]
    assert (answer["csat"], answer["nps"], answer["comment"]) == (2, 3, COMMENT)
    (mention,) = data["mentions"]
    assert (mention["relation"], mention["text"], mention["rating"]) == ("author", COMMENT, "2.00")
    assert [c["id"] for c in data["cases"]] == [jeanne.pk]
    page = login(tenant.admin).get(reverse("privacy_export"), {"subject": EMAIL, "format": "html"})
    assert page["Content-Disposition"].endswith(f'donnees-personnelles-jeanne-durand-{day}.html"')
    assert "Remboursement très lent" in page.content.decode()


@pytest.mark.parametrize(
    ("subject", "expected"),
    [("@Élodie_M", "donnees-personnelles-elodie-m-"), ('a"b/../c@x.fr', "donnees-personnelles-a-b-c-x-fr-")],
)
def test_the_export_file_name_is_safe_whatever_is_typed(
    tenant: Tenant, login: Login, subject: str, expected: str
) -> None:
    response = login(tenant.admin).get(reverse("privacy_export"), {"subject": subject})
    name = response["Content-Disposition"].removeprefix('attachment; filename="').removesuffix('"')
    assert name.startswith(expected)
    assert re.fullmatch(r"[a-z0-9-]+\.json", name)


def test_erasing_by_email_erases_the_answer_its_mention_and_its_case(
    jeanne: Case, tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = _answer_survey(other_tenant, comment="Remboursement très lent chez vous aussi.")
    client = login(tenant.admin)
    response = client.post(reverse("privacy_erase"), {"subject": EMAIL, "confirm": "on"}, follow=True)
    assert "Effacement fait" in response.content.decode()
    mention = Mention.objects.get(pk=jeanne.mention_id)
    assert mention.text == erasure_placeholder(tenant.organisation, timezone.now())
    assert mention.author_id is None
    assert mention.rating == 2  # the figures stay
    answer = SurveyResponse.objects.get(organisation=tenant.organisation)
    assert (answer.comment, answer.csat, answer.nps, answer.invitation_id) == ("", 2, 3, None)
    assert not Contact.objects.filter(organisation=tenant.organisation).exists()
    assert not Author.objects.filter(organisation=tenant.organisation, display_name="Jeanne Durand").exists()
    assert "très lent" not in client.get("/inbox/", {"q": "Remboursement"}).content.decode()
    assert "très lent" not in client.get("/dashboard/mentions/").content.decode()
    case = Case.objects.get(pk=jeanne.pk)
    assert (case.status, case.no_answer_reason) == (CaseStatus.NO_ANSWER, NoAnswerReason.ERASED)
    assert verify_audit_chain(tenant.organisation).ok
    # The other organisation's Jeanne, same address, is neither found nor touched.
    assert Mention.objects.get(pk=theirs.mention_id).text == "Remboursement très lent chez vous aussi."
    assert Contact.objects.filter(organisation=other_tenant.organisation, email=EMAIL).exists()
    assert Case.objects.get(pk=theirs.pk).status == CaseStatus.NEW


def test_another_organisation_finds_nothing_of_hers(
    jeanne: Case, tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    client = login(other_tenant.admin)
    assert "Rien n'a été trouvé" in client.get(reverse("privacy"), {"subject": EMAIL}).content.decode()
    data = json.loads(client.get(reverse("privacy_export"), {"subject": EMAIL}).content)
    assert data["mentions"] == []
    assert data["cases"] == []
    client.post(reverse("privacy_erase"), {"subject": EMAIL, "confirm": "on"})
    assert Mention.objects.get(pk=jeanne.mention_id).text == COMMENT
    assert SurveyResponse.objects.get(organisation=tenant.organisation).comment == COMMENT


# --- 2. erasure on the case: first names, placeholder, closing ----------------------------------


@dataclass
class Nathalie:
    review: Mention
    case: Case
    published: list[Reply]
    approved: Reply
    other_post: Mention  # Nathalie Moreau's, who is someone else
    quoting: Mention  # someone else's post naming "Nathalie Faure"


def _nathalie(tenant: Tenant) -> Nathalie:
    organisation = tenant.organisation
    google = make_source(organisation, "google", name="Google Lyon")
    twitter = make_source(organisation, "twitter", name="Twitter Acme")
    faure = make_author(organisation, "google", external_id="g-nf", display_name="Nathalie Faure")
    moreau = make_author(
        organisation,
        "twitter",
        external_id="tw-nm",
        handle="nathalie_moreau66",
        display_name="Nathalie Moreau",
    )
    review = make_mention(organisation, source=google, author=faure, text="Conseiller injoignable.", rating=1)
    case = make_case(organisation, review, status=CaseStatus.WAITING_CUSTOMER)
    published = [
        make_reply(case, body=body, status=ReplyStatus.PUBLISHED, published_at=timezone.now())
        for body in ("Bonjour Nathalie, nous vous rappelons.", "Bonjour Nathalie, avez-vous été rappelée ?")
    ]
    approved = make_reply(case, body="Madame Faure, voici la suite.", status=ReplyStatus.APPROVED)
    Note.objects.create(organisation=organisation, case=case, body="Nathalie rappelle le matin.")
    thread = PrivateThread.objects.create(
        organisation=organisation,
        case=case,
        address="nf@example.org",
        subject="Suivi",
        token=f"tok-nf-{organisation.pk}",
    )
    PrivateMessage.objects.create(
        organisation=organisation,
        thread=thread,
        direction=MessageDirection.INBOUND,
        state=MessageState.RECEIVED,
        message_id=f"<nf-{organisation.pk}@example.org>",
        sender="nf@example.org",
        body="Je suis joignable le matin.",
    )
    other_post = make_mention(
        organisation, source=twitter, author=moreau, text="@nathalie_moreau66 Meme chose ici"
    )
    quoting = make_mention(organisation, source=twitter, text="Nathalie Faure a raison, service nul.")
    return Nathalie(review, case, published, approved, other_post, quoting)


@pytest.fixture
def nathalie(tenant: Tenant) -> Nathalie:
    return _nathalie(tenant)


def test_erasure_redacts_her_first_name_in_replies_and_closes_the_case_with_a_placeholder(
    nathalie: Nathalie, tenant: Tenant, login: Login
) -> None:
    client = login(tenant.admin)
    client.post(reverse("privacy_erase"), {"subject": "Nathalie Faure", "confirm": "on"})
    bodies = [Reply.objects.get(pk=r.pk) for r in nathalie.published]
    assert [r.body.split(",")[0] for r in bodies] == ["Bonjour [effacé]", "Bonjour [effacé]"]
    # Published replies stay published (their history is the organisation's), dates kept.
    assert all(r.status == ReplyStatus.PUBLISHED and r.published_at for r in bodies)
    approved = Reply.objects.get(pk=nathalie.approved.pk)
    assert (approved.body, approved.status) == ("Madame [effacé], voici la suite.", ReplyStatus.SENT_BACK)
    assert Note.objects.get(case=nathalie.case).body == "[effacé] rappelle le matin."
    case = Case.objects.get(pk=nathalie.case.pk)
    assert (case.status, case.no_answer_reason) == (CaseStatus.NO_ANSWER, NoAnswerReason.ERASED)
    event = AuditEvent.objects.for_org(tenant.organisation).filter(verb="case.closed").get()
    assert event.data["how"] == "erased"
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    placeholder = erasure_placeholder(tenant.organisation, timezone.now())
    assert page.count(placeholder) >= 2  # the review card and her message
    assert "Dossier clos" in page
    assert 'id="composer-title">Répondre' not in page
    assert "Données effacées à la demande de la personne (RGPD)" in page
    assert "Nathalie" not in page
    # Somebody else's posts are left alone.
    assert Mention.objects.get(pk=nathalie.other_post.pk).text == "@nathalie_moreau66 Meme chose ici"
    assert Mention.objects.get(pk=nathalie.quoting.pk).text == "Nathalie Faure a raison, service nul."
    assert verify_audit_chain(tenant.organisation).ok


def test_the_placeholder_speaks_the_organisations_language(nathalie: Nathalie, tenant: Tenant) -> None:
    tenant.organisation.language = "en"
    tenant.organisation.save(update_fields=["language"])
    with translation.override("fr"):
        text = erasure_placeholder(tenant.organisation, timezone.now())
    assert text.startswith("[content erased at the person's request (GDPR) on ")


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_only_admins_erase_or_see_the_items(
    nathalie: Nathalie, tenant: Tenant, login: Login, role: str
) -> None:
    client = login(tenant.member(role))
    body = {"subject": "Nathalie Faure", "confirm": "on", "naming": [str(nathalie.quoting.pk)]}
    assert client.post(reverse("privacy_erase"), body).status_code == 403
    assert client.get(reverse("privacy"), {"subject": "Nathalie Faure"}).status_code == 403
    assert Mention.objects.get(pk=nathalie.review.pk).text == "Conseiller injoignable."
    assert Case.objects.get(pk=nathalie.case.pk).status == CaseStatus.WAITING_CUSTOMER


# --- 3. whole names, per-item detail, other people's posts only when ticked -----------------------


def test_a_lone_first_name_does_not_offer_another_persons_post(
    nathalie: Nathalie, tenant: Tenant, login: Login
) -> None:
    html = login(tenant.admin).get(reverse("privacy"), {"subject": "nathalie"}).content.decode()
    assert "Meme chose ici" not in html
    assert "Rien n'a été trouvé" in html


def test_the_erase_panel_lists_each_item_and_other_peoples_posts_apart(
    nathalie: Nathalie, tenant: Tenant, login: Login
) -> None:
    html = login(tenant.admin).get(reverse("privacy"), {"subject": "nathalie faure"}).content.decode()
    erase = html[html.index('id="erase"') :]
    own = erase[: erase.index("Publications d'autres personnes qui citent ce nom")]
    assert "Conseiller injoignable." in own
    assert "Nathalie Faure" in own
    assert nathalie.case.reference in own
    others = erase[erase.index("Publications d'autres personnes qui citent ce nom") :]
    assert f'name="naming" value="{nathalie.quoting.pk}"' in others
    assert "Nathalie Faure a raison" in others
    assert "Meme chose ici" not in html  # "@nathalie_moreau66" is not her name


def test_other_peoples_posts_are_redacted_only_when_ticked(
    nathalie: Nathalie, tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = _nathalie(other_tenant)
    client = login(tenant.admin)
    client.post(reverse("privacy_erase"), {"subject": "Nathalie Faure", "confirm": "on"})
    assert Mention.objects.get(pk=nathalie.quoting.pk).text == "Nathalie Faure a raison, service nul."
    # A second request, the post ticked this time (and one of another organisation's, ignored).
    more = make_mention(tenant.organisation, text="Comme NATHALIE FAURE, jamais rappelé.")
    client.post(
        reverse("privacy_erase"),
        {
            "subject": "Nathalie Faure",
            "confirm": "on",
            "naming": [str(nathalie.quoting.pk), str(theirs.quoting.pk)],
        },
    )
    assert Mention.objects.get(pk=nathalie.quoting.pk).text == "[effacé] a raison, service nul."
    assert Mention.objects.get(pk=more.pk).text == "Comme NATHALIE FAURE, jamais rappelé."
    assert Mention.objects.get(pk=nathalie.other_post.pk).text == "@nathalie_moreau66 Meme chose ici"
    # The other organisation's Nathalie Faure: nothing of hers moved.
    assert Mention.objects.get(pk=theirs.quoting.pk).text == "Nathalie Faure a raison, service nul."
    assert Mention.objects.get(pk=theirs.review.pk).text == "Conseiller injoignable."
    assert Case.objects.get(pk=theirs.case.pk).status == CaseStatus.WAITING_CUSTOMER


def test_the_command_and_the_api_redact_other_peoples_posts_only_when_named(
    nathalie: Nathalie, tenant: Tenant, api_client: Callable[[Membership], Client]
) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("privacy", "erase", "--org", "acme", "--subject", "Nathalie Faure", stdout=out)
    assert json.loads(out.getvalue())["counts"]["mentions_naming_not_chosen"] == 1
    assert Mention.objects.get(pk=nathalie.quoting.pk).text == "Nathalie Faure a raison, service nul."
    admin = api_client(tenant.admin)
    body = {"subject": "Nathalie Faure", "redact_naming": [nathalie.quoting.pk]}
    done = admin.post("/api/v1/privacy/erase", body, content_type="application/json").json()
    assert done["counts"]["mentions_redacted"] == 1
    assert Mention.objects.get(pk=nathalie.quoting.pk).text == "[effacé] a raison, service nul."
    manager = api_client(tenant.manager)
    assert manager.post("/api/v1/privacy/erase", body, content_type="application/json").status_code == 403
