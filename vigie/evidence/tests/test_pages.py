"""The case page's evidence panel and the /evidence/ pages: roles and tenancy."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from io import BytesIO

import pytest
from django.test import Client

from vigie.analysis.models import AnalysisResult
from vigie.conftest import Tenant
from vigie.connectors.testing import FakePlatform
from vigie.core.models import Membership
from vigie.core.queries import audit_events
from vigie.evidence.actions import do_record_capture
from vigie.evidence.capture import Collected, utc_now
from vigie.evidence.models import Capture, LegalHold
from vigie.evidence.queries import is_held
from vigie.evidence.verify import verify_bundle
from vigie.inbox.tests.factories import make_case
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_mention

pytestmark = pytest.mark.django_db
Login = Callable[[Membership], Client]


def _captured(mention: Mention) -> Capture:
    collected = Collected(url=mention.url, started_at=utc_now(), files={"payload.json": b"{}"})
    return do_record_capture(mention, collected)


def test_the_case_page_shows_the_countdown_and_the_buttons_by_role(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation, make_mention(tenant.organisation, url="https://example.com/p/1"))
    _captured(case.mention)
    page = login(tenant.manager).get(f"/inbox/cases/{case.pk}/").content.decode()
    assert "Prescription (trois mois, loi de 1881)" in page
    assert "Capturer la page comme preuve" in page
    assert "Télécharger le dossier de preuve" in page
    assert "Lever la conservation légale" not in page  # admins only
    admin_page = login(tenant.admin).get(f"/inbox/cases/{case.pk}/").content.decode()
    # Lifting says beforehand that a GDPR erasure waiting for it is then carried out.
    assert "il est fait aussitôt" in admin_page
    assert (
        "Lever la conservation légale" in login(tenant.admin).get(f"/inbox/cases/{case.pk}/").content.decode()
    )
    agent_page = login(tenant.agent).get(f"/inbox/cases/{case.pk}/").content.decode()
    assert "Prescription (trois mois, loi de 1881)" in agent_page
    assert "Capturer la page comme preuve" not in agent_page


def test_a_plain_case_has_no_countdown_until_legal_risk(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation, make_mention(tenant.organisation, url="https://example.com/p/2"))
    assert "Prescription" not in login(tenant.manager).get(f"/inbox/cases/{case.pk}/").content.decode()
    AnalysisResult.objects.create(
        organisation=tenant.organisation,
        mention=case.mention,
        analyzer="toxicity",
        version="1",
        result={"toxic": True, "legal_risk": True, "categories": []},
    )
    page = login(tenant.manager).get(f"/inbox/cases/{case.pk}/").content.decode()
    assert "Prescription" in page
    assert "capturez la page avant" in page


def test_capture_from_the_page_needs_a_manager(tenant: Tenant, login: Login, site: FakePlatform) -> None:
    case = make_case(tenant.organisation, make_mention(tenant.organisation, url=f"{site.url}/gone"))
    assert login(tenant.agent).post(f"/evidence/mentions/{case.mention_id}/capture/").status_code == 403
    assert not Capture.objects.exists()
    response = login(tenant.manager).post(f"/evidence/mentions/{case.mention_id}/capture/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/inbox/cases/{case.pk}/#evidence")
    capture = Capture.objects.get()
    assert capture.requested_by == tenant.manager.user
    assert "HTTP 404" in capture.reason


def test_another_organisations_mention_answers_404(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = make_mention(other_tenant.organisation, url="https://example.com/x")
    _captured(theirs)
    hold = LegalHold.objects.get(mention=theirs)
    client = login(tenant.admin)
    assert client.post(f"/evidence/mentions/{theirs.pk}/capture/").status_code == 404
    assert client.get(f"/evidence/mentions/{theirs.pk}/bundle.zip").status_code == 404
    assert client.post(f"/evidence/holds/{hold.pk}/lift/", {"reason": "x"}).status_code == 404
    assert Capture.objects.filter(organisation=tenant.organisation).count() == 0
    assert is_held(theirs)


def test_the_bundle_downloads_audited_and_verifies(tenant: Tenant, login: Login) -> None:
    mention = make_mention(tenant.organisation, url="https://example.com/p/3")
    make_case(tenant.organisation, mention)
    _captured(mention)
    assert login(tenant.agent).get(f"/evidence/mentions/{mention.pk}/bundle.zip").status_code == 403
    response = login(tenant.manager).get(f"/evidence/mentions/{mention.pk}/bundle.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "note/note_de_couverture.pdf" in zipfile.ZipFile(BytesIO(response.content)).namelist()
    assert verify_bundle(response.content).ok
    assert audit_events(tenant.organisation).filter(verb="evidence.exported").count() == 1


def test_only_an_admin_lifts_a_hold_with_a_reason_and_it_is_audited(tenant: Tenant, login: Login) -> None:
    mention = make_mention(tenant.organisation, url="https://example.com/p/4")
    _captured(mention)
    hold = LegalHold.objects.get(mention=mention)
    assert (
        login(tenant.manager).post(f"/evidence/holds/{hold.pk}/lift/", {"reason": "fin"}).status_code == 403
    )
    login(tenant.admin).post(f"/evidence/holds/{hold.pk}/lift/", {"reason": ""})
    assert is_held(mention)  # no reason, no lifting
    login(tenant.admin).post(f"/evidence/holds/{hold.pk}/lift/", {"reason": "Affaire classée"})
    assert not is_held(mention)
    event = audit_events(tenant.organisation).get(verb="evidence.hold_lifted")
    assert event.data["reason"] == "Affaire classée"
    assert event.actor == tenant.admin.user


def test_the_evidence_page_lists_holds_for_managers_only(tenant: Tenant, login: Login) -> None:
    mention = make_mention(tenant.organisation, url="https://example.com/p/5", text="Des escrocs notoires")
    make_case(tenant.organisation, mention)
    _captured(mention)
    assert login(tenant.agent).get("/evidence/").status_code == 403
    page = login(tenant.manager).get("/evidence/").content.decode()
    assert "Des escrocs notoires" in page
    assert "Clé de signature" in page
    assert 'href="/evidence/"' in page  # reachable from the navigation


def test_the_evidence_page_downloads_the_file_of_a_post_with_no_case(tenant: Tenant, login: Login) -> None:
    """A post captured automatically (legal risk) or from the command may have no case: the evidence
    page was its only listing and it led nowhere, so its legal file could not be downloaded."""
    mention = make_mention(tenant.organisation, url="https://example.com/p/6", text="Sans dossier")
    _captured(mention)
    client = login(tenant.manager)
    page = client.get("/evidence/").content.decode()
    href = f"/evidence/mentions/{mention.pk}/bundle.zip"
    assert f'href="{href}"' in page
    response = client.get(href)
    assert response.status_code == 200
    assert verify_bundle(response.content).ok


def test_a_capture_of_a_private_address_is_refused_with_a_clear_message(tenant: Tenant, login: Login) -> None:
    """The egress policy refuses a page on a private address before anything is requested; the page
    says so plainly (it said "La page n'a pas pu être rendue : adresse non autorisée : la page n'a pas
    été demandée"), and the signed record stays French when the manager reads English (it read
    "address not allowed : la page n'a pas été demandée")."""
    import html
    import json

    url = "http://10.0.0.1/admin/post/1"
    case = make_case(tenant.organisation, make_mention(tenant.organisation, url=url))
    client = login(tenant.manager)
    page = html.unescape(
        client.post(f"/evidence/mentions/{case.mention_id}/capture/", follow=True).content.decode()
    )
    assert (
        f"Capture refusée : adresse non autorisée ({url}). Vigie ne capture que des pages publiques "
        "d'internet ; la page n'a pas été demandée." in page
    )
    capture = Capture.objects.get()
    assert capture.status == "failed"
    assert json.loads(capture.manifest)["files"].keys() == {"payload.json", "environment.json"}

    user = tenant.manager.user
    user.language = "en"
    user.save(update_fields=["language"])
    page = html.unescape(
        client.post(f"/evidence/mentions/{case.mention_id}/capture/", follow=True).content.decode()
    )
    assert f"Capture refused: address not allowed ({url})." in page
    latest = Capture.objects.order_by("-seq").first()
    assert latest is not None
    assert latest.reason == "adresse non autorisée : la page n'a pas été demandée"
    assert "address not allowed" not in latest.manifest


# Who may do what on the evidence pages (docs/evidence.md): the lowest role allowed, per action.
EVIDENCE_RIGHTS = {
    "home": "manager",
    "verify": "manager",
    "capture": "manager",
    "bundle": "manager",
    "lift": "admin",
}
RANKS = ["viewer", "agent", "manager", "admin"]


@pytest.mark.parametrize("role", RANKS)
def test_every_evidence_action_is_allowed_by_role_and_refused_below(
    tenant: Tenant, login: Login, role: str
) -> None:
    mention = make_mention(tenant.organisation, url="http://10.0.0.1/p/9")  # refused: nothing leaves
    case = make_case(tenant.organisation, mention)
    _captured(mention)
    hold = LegalHold.objects.get(mention=mention)
    client = login(tenant.member(role))
    page = client.get(f"/inbox/cases/{case.pk}/").content.decode()
    answers = {
        "home": client.get("/evidence/").status_code,
        "verify": client.get("/evidence/verify/").status_code,
        "capture": client.post(f"/evidence/mentions/{mention.pk}/capture/").status_code,
        "bundle": client.get(f"/evidence/mentions/{mention.pk}/bundle.zip").status_code,
        "lift": client.post(f"/evidence/holds/{hold.pk}/lift/", {"reason": "fin"}).status_code,
    }
    for action, lowest in EVIDENCE_RIGHTS.items():
        allowed = RANKS.index(role) >= RANKS.index(lowest)
        assert (answers[action] != 403) is allowed, f"{role} {action}: {answers[action]}"
    # What the case page offered (before the actions) follows the same rights.
    assert ("Capturer la page comme preuve" in page) is (RANKS.index(role) >= RANKS.index("manager"))
    assert ("Télécharger le dossier de preuve" in page) is (RANKS.index(role) >= RANKS.index("manager"))
    assert ("Lever la conservation légale" in page) is (role == "admin")
    assert ('href="/evidence/"' in page) is (RANKS.index(role) >= RANKS.index("manager"))


def test_an_address_that_does_not_resolve_is_not_called_private(tenant: Tenant, login: Login) -> None:
    """Found in the demo (no internet): "Capture refusée : adresse introuvable (…). Vigie ne capture
    que des pages publiques d'internet" of a public Google page."""
    import html

    url = "http://publication.invalid/avis/1"
    case = make_case(tenant.organisation, make_mention(tenant.organisation, url=url))
    page = html.unescape(
        login(tenant.manager)
        .post(f"/evidence/mentions/{case.mention_id}/capture/", follow=True)
        .content.decode()
    )
    assert f"Capture impossible : adresse introuvable ({url}) ; la page n'a pas été demandée." in page
    assert "pages publiques" not in page


def test_a_held_review_with_stars_only_still_links_to_its_case(tenant: Tenant, login: Login) -> None:
    """Found in the demo: a Google review with a rating and no text was listed with an empty link."""
    mention = make_mention(tenant.organisation, url="https://example.com/r/1", text="", rating=1)
    case = make_case(tenant.organisation, mention)
    _captured(mention)
    page = login(tenant.manager).get("/evidence/").content.decode()
    assert f'<a href="/inbox/cases/{case.pk}/#evidence">Publication sans texte</a>' in page
