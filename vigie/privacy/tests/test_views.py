"""The DPO's pages: only admins (the DPO capability) open them; another organisation's people are
not found; export downloads JSON and HTML; erasure needs a confirmation; the records of processing
follow the charter."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from vigie.charter.actions import do_update_charter
from vigie.charter.document import CharterDocument, RetentionPolicy, RetentionRule
from vigie.conftest import Tenant
from vigie.core.models import AuditEvent, Membership
from vigie.mentions.models import Author, Mention
from vigie.privacy.tests.worlds import Person, marie

Login = Callable[[Membership], Client]


@pytest.fixture
def person(tenant: Tenant) -> Person:
    return marie(tenant.organisation)


@pytest.mark.parametrize("role", ["viewer", "agent", "manager"])
@pytest.mark.parametrize("name", ["privacy", "privacy_records", "privacy_export"])
def test_only_the_dpo_capability_opens_the_pages(tenant: Tenant, login: Login, role: str, name: str) -> None:
    response = login(tenant.member(role)).get(reverse(name), {"subject": "@marie_d"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["viewer", "agent", "manager"])
def test_only_the_dpo_capability_erases(person: Person, tenant: Tenant, login: Login, role: str) -> None:
    response = login(tenant.member(role)).post(
        reverse("privacy_erase"), {"subject": "@marie_d", "confirm": "on"}
    )
    assert response.status_code == 403
    assert Author.objects.filter(pk=person.twitter_author.pk).exists()


def test_the_navigation_links_the_page_for_admins_only(tenant: Tenant, login: Login) -> None:
    assert reverse("privacy") in login(tenant.admin).get(reverse("charter")).content.decode()
    assert reverse("privacy") not in login(tenant.manager).get(reverse("charter")).content.decode()


def test_a_search_shows_what_is_held_and_what_erasure_would_do(
    person: Person, tenant: Tenant, login: Login
) -> None:
    events = AuditEvent.objects.count()
    response = login(tenant.admin).get(reverse("privacy"), {"subject": "@marie_d"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "colis perdu" in html
    assert "Très bon accueil" not in html
    assert "Effacer les données de cette personne" in html
    assert AuditEvent.objects.count() == events  # looking (and the preview) writes nothing


def test_another_organisations_person_is_not_found(
    person: Person, tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    html = login(other_tenant.admin).get(reverse("privacy"), {"subject": "@marie_d"}).content.decode()
    assert "Rien n'a été trouvé" in html
    assert "colis perdu" not in html
    export = login(other_tenant.admin).get(reverse("privacy_export"), {"subject": "@marie_d"})
    assert json.loads(export.content)["mentions"] == []


def test_an_invalid_subject_is_refused(tenant: Tenant, login: Login) -> None:
    response = login(tenant.admin).get(reverse("privacy"), {"subject": "@"})
    assert response.status_code == 400
    assert login(tenant.admin).get(reverse("privacy_export"), {"subject": ""}).status_code == 400


def test_export_downloads_json_and_a_readable_page_and_is_audited(
    person: Person, tenant: Tenant, login: Login
) -> None:
    client = login(tenant.admin)
    response = client.get(reverse("privacy_export"), {"subject": "marie.dupont@example.com"})
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["private_threads"][0]["address"] == "marie.dupont@example.com"
    page = client.get(reverse("privacy_export"), {"subject": "marie.dupont@example.com", "format": "html"})
    assert "rue des Lilas" in page.content.decode()
    event = AuditEvent.objects.for_org(tenant.organisation).filter(verb="privacy.subject_exported").last()
    assert event is not None
    assert event.actor == tenant.admin.user
    assert "marie" not in json.dumps(event.data).lower()


def test_erasure_needs_the_confirmation(person: Person, tenant: Tenant, login: Login) -> None:
    client = login(tenant.admin)
    response = client.post(reverse("privacy_erase"), {"subject": "@marie_d"})
    assert response.status_code == 302
    assert Mention.objects.get(pk=person.tweet.pk).text != ""
    response = client.post(reverse("privacy_erase"), {"subject": "@marie_d", "confirm": "on"}, follow=True)
    assert "Effacement fait" in response.content.decode()
    assert Mention.objects.get(pk=person.tweet.pk).text.startswith("[contenu effacé")
    assert not Author.objects.filter(pk=person.twitter_author.pk).exists()


def test_the_records_of_processing_follow_the_charter(tenant: Tenant, login: Login) -> None:
    client = login(tenant.admin)
    html = client.get(reverse("privacy_records")).content.decode()
    assert "1095 jours, puis pseudonymisé" in html
    do_update_charter(
        tenant.organisation,
        CharterDocument(retention=RetentionPolicy(mentions=RetentionRule(days=400, action="delete"))),
    )
    html = client.get(reverse("privacy_records")).content.decode()
    assert "400 jours, puis supprimé" in html
    assert "Journal d&#x27;audit" in html or "Journal d'audit" in html


ApiClient = Callable[[Membership], Client]


def test_the_api_exports_and_erases_for_the_dpo_only(
    person: Person, tenant: Tenant, api_client: ApiClient
) -> None:
    manager = api_client(tenant.manager)
    body = {"subject": "@marie_d"}
    assert manager.post("/api/v1/privacy/export", body, content_type="application/json").status_code == 403
    assert manager.post("/api/v1/privacy/erase", body, content_type="application/json").status_code == 403
    admin = api_client(tenant.admin)
    export = admin.post("/api/v1/privacy/export", body, content_type="application/json").json()
    assert any(m["text"] == "@acme colis perdu, encore !" for m in export["mentions"])
    dry = admin.post(
        "/api/v1/privacy/erase", {**body, "dry_run": True}, content_type="application/json"
    ).json()
    assert dry["counts"]["mentions_pseudonymised"] == 1
    assert Mention.objects.get(pk=person.tweet.pk).text != ""
    bad = admin.post("/api/v1/privacy/erase", {"subject": "@"}, content_type="application/json")
    assert bad.status_code == 422
    done = admin.post("/api/v1/privacy/erase", body, content_type="application/json").json()
    assert done["counts"]["authors_deleted"] == 1
    assert Mention.objects.get(pk=person.tweet.pk).text.startswith("[contenu effacé")
    retention = admin.post("/api/v1/retention/run", {"dry_run": True}, content_type="application/json")
    assert retention.status_code == 200
    assert set(retention.json()["counts"]) >= {"mentions", "authors", "audit_events"}


def test_the_erasure_section_reads_right_in_english(person: Person, tenant: Tenant, login: Login) -> None:
    """Found in English: the section's title was "Clear" (the filters' "Effacer"), and other people's
    posts were those "naming her" whoever the person was."""
    import html as entities

    user = tenant.admin.user
    user.language = "en"
    user.save(update_fields=["language"])
    page = entities.unescape(
        login(tenant.admin).get(reverse("privacy"), {"subject": "@marie_d"}).content.decode()
    )
    assert "<h2>Erase their data</h2>" in page
    assert "<h2>Clear</h2>" not in page
    assert "Other people's posts that mention this name, not ticked (kept)" in page
    assert "naming her" not in page


def test_the_confirmation_box_sits_inside_its_sentence(person: Person, tenant: Tenant, login: Login) -> None:
    page = login(tenant.admin).get(reverse("privacy"), {"subject": "@marie_d"}).content.decode()
    label = page.split('<label for="id_confirm">', 1)[1].split("</label>", 1)[0]
    assert 'type="checkbox" name="confirm"' in label
    assert "Je confirme l&#x27;effacement : il est définitif." in label


@pytest.mark.parametrize("role", ["viewer", "agent", "manager", "admin"])
def test_the_case_page_links_the_authors_data_for_the_dpo_only(
    person: Person, tenant: Tenant, login: Login, role: str
) -> None:
    page = login(tenant.member(role)).get(reverse("case_detail", args=[person.case.pk])).content.decode()
    link = f"{reverse('privacy')}?subject=Marie+Dupont#findings"  # the Google author: no handle
    assert (link in page) is (role == "admin")
    assert ("Ses données personnelles (RGPD)" in page) is (role == "admin")


def test_erasure_says_what_was_done_and_what_the_law_keeps(
    person: Person, tenant: Tenant, login: Login
) -> None:
    """The page finds nothing after an erasure, and the message said only "0 publication(s) sous
    conservation judiciaire gardée(s)": the DPO could not tell the person what was erased."""
    import html as entities

    from vigie.evidence.actions import do_place_legal_hold

    do_place_legal_hold(person.tweet, actor=tenant.admin.user)
    response = login(tenant.admin).post(
        reverse("privacy_erase"), {"subject": "Marie Dupont", "confirm": "on"}, follow=True
    )
    message = entities.unescape(response.content.decode()).split('<li class="message success">', 1)[1]
    message = message.split("</li>", 1)[0]
    assert message.startswith("Effacement fait. ")
    assert "Publications de la personne pseudonymisées : 1" in message
    assert "Échanges privés effacés : 1" in message
    assert "Rappels effacés : 1" in message
    assert "1 publication sous conservation légale est gardée intacte." in message
    assert ": 0" not in message  # only what was done
    assert "(s)" not in message


def test_the_records_of_processing_name_no_table_and_speak_english(tenant: Tenant, login: Login) -> None:
    """The review requests' line said where its data lives as "outreach.Contact, outreach.Invitation",
    had no delay, and stayed French on an English page."""
    import html as entities

    page = entities.unescape(login(tenant.admin).get(reverse("privacy_records")).content.decode())
    assert "outreach." not in page
    user = tenant.admin.user
    user.language = "en"
    user.save(update_fields=["language"])
    page = entities.unescape(login(tenant.admin).get(reverse("privacy_records")).content.decode())
    assert "Contacts invited to give a review or answer a survey" in page
    assert "Contacts invités" not in page
    assert "Until an erasure request" in page  # the review requests' contacts: no delay of their own


def test_the_dpo_and_the_legal_team_read_the_same_word_for_a_legal_hold(
    person: Person, tenant: Tenant, login: Login
) -> None:
    """The GDPR pages said "conservation judiciaire", the evidence pages "conservation légale": two
    names for one hold."""
    from vigie.evidence.actions import do_place_legal_hold

    do_place_legal_hold(person.tweet, actor=tenant.admin.user)
    client = login(tenant.admin)
    for url in (f"{reverse('privacy')}?subject=@marie_d", reverse("privacy_records")):
        page = client.get(url).content.decode()
        assert "conservation légale" in page
        assert "judiciaire" not in page


def test_the_erasure_list_marks_what_a_hold_keeps_and_names_no_pseudonymised_row(
    person: Person, tenant: Tenant, login: Login
) -> None:
    """Found in the demo: an account already pseudonymised by retention was listed as
    "pseudonymised-4254", and the case and account of a held post were listed among what erasure
    deletes and closes, though erasure leaves them as they are."""
    import html as entities

    from vigie.evidence.actions import do_place_legal_hold
    from vigie.mentions.actions import do_pseudonymise_authors
    from vigie.mentions.tests.factories import make_author, make_mention

    do_place_legal_hold(person.review, actor=tenant.admin.user)
    gone = make_author(tenant.organisation, "google", external_id="g-78", display_name="Marie Dupont")
    make_mention(tenant.organisation, author=gone, text="Marie Dupont, encore moi.")
    do_pseudonymise_authors(tenant.organisation, [gone.pk])
    page = entities.unescape(
        login(tenant.admin).get(reverse("privacy"), {"subject": "Marie Dupont"}).content.decode()
    )
    erase = page.split('id="erase"', 1)[1]
    assert "pseudonymised-" not in erase
    # Found (here by its id on the platform, as retention renamed it): listed by what it is.
    by_id = entities.unescape(
        login(tenant.admin).get(reverse("privacy"), {"subject": f"pseudonymised-{gone.pk}"}).content.decode()
    )
    accounts_by_id = by_id.split('id="erase"', 1)[1].split("Ses comptes", 1)[1].split("</ul>", 1)[0]
    assert "compte déjà pseudonymisé" in accounts_by_id
    assert "pseudonymised-" not in accounts_by_id
    cases = erase.split("Ses dossiers", 1)[1].split("</ul>", 1)[0]
    assert person.case.reference in cases
    assert "conservation légale : gardé" in cases
    accounts = erase.split("Ses comptes", 1)[1].split("</ul>", 1)[0]
    google = [line for line in accounts.split("<li>") if "Google" in line and "Marie Dupont" in line]
    assert google
    assert all("conservation légale : gardé" in line for line in google)
