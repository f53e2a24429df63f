"""The readable export is a document for the person, not a dump of the database: French titles and
labels, values as people write them, the case reference the agents use; in English when the
organisation speaks English. The JSON export keeps the database's names (an interface)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.outreach.models import Channel, Contact, Invitation, InvitationState, LegalBasis, Trigger
from vigie.privacy.tests.worlds import Person, marie

Login = Callable[[Membership], Client]
EMAIL = "marie.dupont@example.com"
SUBJECT = "Marie Dupont"  # a name, as typed in the demo: her accounts, and so her case, are found


@pytest.fixture
def person(tenant: Tenant) -> Person:
    person = marie(tenant.organisation)
    contact = Contact.objects.create(
        organisation=tenant.organisation,
        email=EMAIL,
        name="Marie Dupont",
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        legal_basis_note="<b>suivi du colis</b>",
        # 00:15 on 1 July in Paris (summer time): the organisation's zone, not UTC's 30 June.
        legal_basis_at=datetime(2026, 6, 30, 22, 15, tzinfo=UTC),
        created_at=datetime(2026, 6, 30, 22, 15, tzinfo=UTC),
    )
    Invitation.objects.create(
        organisation=tenant.organisation,
        contact=contact,
        trigger=Trigger.CASE,
        channel=Channel.EMAIL,
        platform="facebook",
        review_url="https://example.com/avis",
        token="tok-readable-export",
        state=InvitationState.SENT,
        sent_at=datetime(2026, 7, 2, 8, 0, tzinfo=UTC),
    )
    return person


def _readable(client: Client) -> str:
    response = client.get(reverse("privacy_export"), {"subject": SUBJECT, "format": "html"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_readable_export_reads_as_a_french_document(person: Person, tenant: Tenant, login: Login) -> None:
    html = _readable(login(tenant.admin))
    for title in ("Contacts pour les demandes d&#x27;avis", "Invitations envoyées"):
        assert title in html
    for label in ("Base légale", "Date de désinscription", "Date d&#x27;envoi", "Plateforme", "Canal"):
        assert label in html
    assert "Intérêt légitime (suivi d&#x27;un dossier client)" in html  # the choice's label
    assert "Facebook" in html  # the platform's name
    assert "Envoyée" in html
    assert "1er juillet 2026 à 00:15" in html  # French long date, in the organisation's zone
    assert "2 juillet 2026 à 10:00" in html
    assert "—" in html  # never opted out: a dash, not "None"
    assert f"Dossier C-{person.case.pk:06d}, ouvert le" in html
    assert "Dossier n°" not in html
    for raw in ("outreach_contacts", "outreach_invitations", "legal_basis", "legitimate_interest", "None"):
        assert raw not in html, raw
    for raw in ("opted_out_at", "bounced_at", "created_at", ">facebook<", ">x<"):
        assert raw not in html, raw
    # Customer text stays text.
    assert "&lt;b&gt;suivi du colis&lt;/b&gt;" in html
    assert "<b>suivi du colis</b>" not in html


def test_the_readable_export_is_in_english_for_an_english_organisation(
    person: Person, tenant: Tenant, login: Login
) -> None:
    tenant.organisation.language = "en"
    tenant.organisation.save(update_fields=["language"])
    html = _readable(login(tenant.admin))
    assert '<html lang="en">' in html
    assert "Contacts for review requests" in html
    assert "Legitimate interest (follow-up of a customer&#x27;s case)" in html
    assert "Unsubscribed on" in html
    assert f"Case C-{person.case.pk:06d}, opened on" in html
    assert "Contacts pour les demandes" not in html
    assert "legal_basis" not in html


def test_the_search_page_names_the_sections_and_the_json_keeps_its_keys(
    person: Person, tenant: Tenant, login: Login
) -> None:
    client = login(tenant.admin)
    html = client.get(reverse("privacy"), {"subject": SUBJECT}).content.decode()
    assert "Contacts pour les demandes d&#x27;avis" in html
    assert "Invitations envoyées" in html
    assert "outreach.outreach_" not in html
    data = json.loads(client.get(reverse("privacy_export"), {"subject": SUBJECT}).content)
    contact = data["elsewhere"]["outreach"]["outreach_contacts"][0]
    assert contact["legal_basis"] == "legitimate_interest"
    assert contact["opted_out_at"] is None
    assert data["elsewhere"]["outreach"]["outreach_invitations"][0]["platform"] == "facebook"
    assert data["cases"][0]["id"] == person.case.pk


def test_an_empty_section_of_another_app_reads_right_whatever_its_gender(
    tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    """« Invitations envoyées : Aucun. » — the holder apps' sections are of either gender."""
    import html as entities

    marie(tenant.organisation)
    page = entities.unescape(
        login(tenant.admin)
        .get("/privacy/export/", {"subject": "@marie_d", "format": "html"})
        .content.decode()
    )
    invitations = page.split("Invitations envoyées</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Aucun élément." in invitations
    assert "Aucun.<" not in invitations
