"""Rectification (GDPR art. 16): a request of the register is carried out from the search page on
what Vigie collected itself (an outreach contact's name, e-mail and phone, and the name of their
survey answers), recorded in the register with what was done, audited without the values; the
platforms' publications stay as published. Only the DPO capability (admins) may do it, in its own
organisation only."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.models import AuditEvent, Membership
from vigie.mentions.models import Author, Mention
from vigie.outreach.actions import InviteRequest, do_answer_survey, do_invite, do_select_testimonial
from vigie.outreach.models import Contact, Invitation, Testimonial
from vigie.outreach.tests.conftest import configure
from vigie.privacy.actions import do_record_request
from vigie.privacy.models import SubjectRequest

pytestmark = pytest.mark.django_db
Login = Callable[[Membership], Client]
WRONG = "marie.durant@exemple.fr"
RIGHT = "marie.durand@example.fr"


def customer(tenant: Tenant, email: str = WRONG, name: str = "Marie Durant") -> Contact:
    """A customer invited to review, who answered the survey (a ``survey`` mention under her
    name) and whose answer was kept as a testimonial."""
    organisation = tenant.organisation
    if not Contact.objects.filter(organisation=organisation).exists():
        configure(tenant)
    assert do_invite(organisation, InviteRequest(email=email, name=name)) == "sent"
    invitation = Invitation.objects.get(organisation=organisation, contact__email=email)
    do_answer_survey(invitation, csat=5, nps=10, comment="Accueil parfait")
    do_select_testimonial(
        organisation, actor=tenant.manager.user, response=invitation.response, consent_note="oral, 3 déc."
    )
    return invitation.contact


def said(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def test_a_rectification_request_is_carried_out_and_closed_in_the_register(
    tenant: Tenant, login: Login
) -> None:
    contact = customer(tenant)
    mention = Mention.objects.get(organisation=tenant.organisation, kind="survey_answer")
    raw_before, text_before = mention.raw, mention.text
    assert mention.author is not None
    assert mention.author.display_name == "Marie Durant"
    admin = login(tenant.admin)
    today = timezone.localdate(timezone=ZoneInfo(tenant.organisation.timezone))
    page = admin.post(
        "/privacy/requests/",
        {"kind": "rectification", "subject": WRONG, "received_on": (today - timedelta(days=2)).isoformat()},
        follow=True,
    )
    request = SubjectRequest.objects.get()
    text = said(page)
    assert 'id="rectify"' in text
    assert "Marie Durant · marie.durant@exemple.fr" in text
    assert f"réponse due le {request.due_on:%d/%m/%Y}" in text

    done = admin.post(
        "/privacy/rectify/",
        {"subject": WRONG, "name": "Marie Durand", "email": RIGHT, "phone": "", "request": request.pk},
        follow=True,
    )
    assert "Rectification faite (nom, e-mail)" in said(done)
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Marie Durand", RIGHT)
    # The name of her survey answer and of the testimonial quoting it follow; the mention's text
    # and raw payload are untouched.
    mention.refresh_from_db()
    assert Author.objects.get(pk=mention.author_id).display_name == "Marie Durand"
    assert Testimonial.objects.get().author_name == "Marie Durand"
    assert (mention.raw, mention.text) == (raw_before, text_before)
    # The register: answered, with what was done, within its limit.
    request.refresh_from_db()
    assert request.done_at is not None
    assert "Rectification faite (nom, e-mail)" in request.note
    assert "Demandes traitées récemment" in said(admin.get("/privacy/"))
    # Audited with the fields changed, never the values.
    event = AuditEvent.objects.get(verb="privacy.subject_rectified")
    assert event.data["fields"] == ["email", "name"]
    assert "durand" not in str(event.data).lower()
    assert "durant" not in str(event.data).lower()
    assert AuditEvent.objects.filter(verb="privacy.request_answered").exists()
    # She is found under the corrected address.
    assert "Marie Durand · marie.durand@example.fr" in said(admin.get("/privacy/", {"subject": RIGHT}))


@pytest.mark.parametrize("role", ["viewer", "agent", "manager"])
def test_only_the_dpo_capability_rectifies(tenant: Tenant, login: Login, role: str) -> None:
    contact = customer(tenant)
    request = do_record_request(
        tenant.organisation, kind="rectification", subject=WRONG, received_on=timezone.localdate(), actor=None
    )
    client = login(tenant.member(role))
    response = client.post(
        "/privacy/rectify/", {"subject": WRONG, "name": "Marie Durand", "request": request.pk}
    )
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.name == "Marie Durant"
    request.refresh_from_db()
    assert request.done_at is None
    assert 'id="rectify"' not in client.get("/privacy/", {"subject": WRONG}).content.decode()


def test_another_organisation_is_untouched(tenant: Tenant, other_tenant: Tenant, login: Login) -> None:
    mine = customer(tenant)
    theirs = customer(other_tenant)
    their_request = do_record_request(
        other_tenant.organisation,
        kind="rectification",
        subject=WRONG,
        received_on=timezone.localdate(),
        actor=None,
    )
    login(tenant.admin).post(
        "/privacy/rectify/", {"subject": WRONG, "name": "Marie Durand", "request": their_request.pk}
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.name, theirs.name) == ("Marie Durand", "Marie Durant")
    their_request.refresh_from_db()
    assert their_request.done_at is None
    assert Author.objects.get(organisation=other_tenant.organisation, platform="survey").display_name == (
        "Marie Durant"
    )


def test_what_cannot_be_rectified_is_refused_with_its_reason(tenant: Tenant, login: Login) -> None:
    first = customer(tenant)
    customer(tenant, email="autre@example.fr", name="Marie Durant")
    admin = login(tenant.admin)
    # A name two contacts share: refused, search by the address instead.
    page = said(admin.get("/privacy/", {"subject": "Marie Durant"}))
    assert "data-rectify-ambiguous" in page
    response = admin.post(
        "/privacy/rectify/", {"subject": "Marie Durant", "phone": "06 11 22 33 44"}, follow=True
    )
    assert "Plusieurs fiches correspondent" in said(response)
    # Another contact's address; the page comes back with the request, so the next try closes it.
    request = do_record_request(
        tenant.organisation, kind="rectification", subject=WRONG, received_on=timezone.localdate(), actor=None
    )
    refused = admin.post(
        "/privacy/rectify/", {"subject": WRONG, "email": "autre@example.fr", "request": request.pk}
    )
    assert f"request={request.pk}" in refused["Location"]
    response = admin.get(refused["Location"])
    assert "déjà celle d'un autre contact" in said(response)
    assert 'name="request"' in said(response)
    # Nothing typed, an invalid phone.
    assert "Indiquez au moins une valeur corrigée" in said(
        admin.post("/privacy/rectify/", {"subject": WRONG}, follow=True)
    )
    assert "Numéro de téléphone invalide" in said(
        admin.post("/privacy/rectify/", {"subject": WRONG, "phone": "12"}, follow=True)
    )
    first.refresh_from_db()
    assert (first.email, first.phone, first.name) == (WRONG, "", "Marie Durant")
    assert not AuditEvent.objects.filter(verb="privacy.subject_rectified").exists()


def test_a_platform_author_is_not_rectified_in_vigie(tenant: Tenant, login: Login) -> None:
    from vigie.mentions.tests.factories import make_author, make_mention

    author = make_author(
        tenant.organisation, "twitter", external_id="tw-1", handle="marie_d", display_name="Mari"
    )
    make_mention(tenant.organisation, author=author, text="Colis perdu")
    admin = login(tenant.admin)
    assert "data-rectify-none" in said(admin.get("/privacy/", {"subject": "@marie_d"}))
    response = admin.post("/privacy/rectify/", {"subject": "@marie_d", "name": "Marie"}, follow=True)
    assert "Rien à rectifier" in said(response)
    author.refresh_from_db()
    assert author.display_name == "Mari"


def test_the_rectification_reads_in_english(tenant: Tenant, login: Login) -> None:
    customer(tenant)
    tenant.admin.user.language = "en"
    tenant.admin.user.save(update_fields=["language"])
    page = said(login(tenant.admin).get("/privacy/", {"subject": WRONG}))
    assert "Correct their contact details" in page
    assert "Corrected name" in page
