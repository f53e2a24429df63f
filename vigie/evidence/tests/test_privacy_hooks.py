"""The captures of a person's posts under the GDPR duties. Found walking the DPO's pages: erasing a
person whose post had been captured (hold lifted since) left the screenshots, the page and the
platform's payload (their name and words) on disk; retention never reached them either; the export
did not say they existed; the records of processing had no line for them.

A capture under legal hold keeps everything (defence of legal claims, art. 17.3.e); once the hold is
lifted its files follow the person's erasure and the mentions' retention. The signed manifests stay:
the evidence chain keeps every link and still verifies."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from vigie.charter.actions import do_update_charter
from vigie.charter.document import CharterDocument, RetentionPolicy, RetentionRule
from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.evidence.actions import do_lift_legal_hold, do_record_capture
from vigie.evidence.capture import Collected, utc_now
from vigie.evidence.models import Capture, LegalHold
from vigie.evidence.queries import captures_of
from vigie.evidence.verify import verify_bundle
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_author, make_mention, make_source
from vigie.privacy.actions import do_apply_retention, do_erase_subject
from vigie.privacy.queries import find_subject
from vigie.privacy.subjects import parse_subject

pytestmark = pytest.mark.django_db


def _captured(tenant: Tenant, *, days_ago: int = 3) -> tuple[Mention, Capture]:
    org = tenant.organisation
    author = make_author(org, "mastodon", external_id="m-1", handle="jdupont", display_name="Jean Dupont")
    mention = make_mention(
        org,
        source=make_source(org, "mastodon", name="Mastodon"),
        author=author,
        url="https://example.com/@jdupont/1",
        text="Cette entreprise est une bande d'escrocs.",
        created_at=timezone.now() - timedelta(days=days_ago),
    )
    collected = Collected(
        url=mention.url,
        started_at=utc_now(),
        files={"payload.json": b'{"auteur": "Jean Dupont"}', "screenshot.png": b"\x89PNG..."},
        rendered=True,
    )
    capture = do_record_capture(mention, collected)
    return mention, capture


def _lift(tenant: Tenant, mention: Mention) -> None:
    hold = LegalHold.objects.get(mention=mention, lifted_at__isnull=True)
    do_lift_legal_hold(hold, actor=tenant.admin.user, reason="affaire classée")


def _folder(evidence_dir: Path, capture: Capture) -> Path:
    return evidence_dir / capture.directory


def test_erasure_keeps_the_files_of_a_held_capture(tenant: Tenant, evidence_dir: Path) -> None:
    mention, capture = _captured(tenant)
    folder = _folder(evidence_dir, capture)
    findings = find_subject(tenant.organisation, parse_subject("@jdupont"))
    counts = do_erase_subject(tenant.organisation, findings, actor=tenant.admin.user)
    assert counts["mentions_kept_for_legal_hold"] == 1
    assert "evidence.captures_purged" not in counts
    assert (folder / "screenshot.png").exists()
    assert captures_of(mention).count() == 1


def test_erasure_deletes_the_files_once_the_hold_is_lifted_and_the_chain_still_verifies(
    tenant: Tenant, evidence_dir: Path
) -> None:
    mention, capture = _captured(tenant)
    folder = _folder(evidence_dir, capture)
    _lift(tenant, mention)
    findings = find_subject(tenant.organisation, parse_subject("@jdupont"))
    preview = do_erase_subject(tenant.organisation, findings, actor=None, dry_run=True)
    assert preview["evidence.captures_purged"] == 1
    assert folder.exists()  # a dry run deletes nothing

    counts = do_erase_subject(tenant.organisation, findings, actor=tenant.admin.user)
    assert counts["evidence.captures_purged"] == 1
    assert not folder.exists()
    capture.refresh_from_db()
    assert capture.purged_at is not None
    assert capture.directory == ""
    assert capture.manifest  # the signed link stays in the chain
    assert captures_of(mention).count() == 0


def test_the_export_says_which_captures_of_the_persons_posts_are_kept(tenant: Tenant, login: Any) -> None:
    _captured(tenant)
    client: Client = login(tenant.admin)
    document = json.loads(client.get("/privacy/export/", {"subject": "@jdupont"}).content)
    rows = document["elsewhere"]["evidence"]["captures"]
    assert len(rows) == 1
    assert rows[0]["url"] == "https://example.com/@jdupont/1"
    assert rows[0]["files_kept"] is True
    assert rows[0]["legal_hold"] is True
    readable = html.unescape(
        client.get("/privacy/export/", {"subject": "@jdupont", "format": "html"}).content.decode()
    )
    assert "Captures de ses publications conservées comme preuve" in readable
    for label in ("Date de la capture", "Adresse de la page", "Résultat", "Fichiers conservés"):
        assert label in readable
    assert "Complète" in readable  # the status by its label, never "complete"
    assert "Captured at" not in readable
    assert "Files kept" not in readable
    page = html.unescape(client.get("/privacy/", {"subject": "@jdupont"}).content.decode())
    assert "Captures de ses publications conservées comme preuve" in page


def test_retention_deletes_the_files_of_a_post_past_its_delay_once_the_hold_is_lifted(
    tenant: Tenant, evidence_dir: Path
) -> None:
    mention, capture = _captured(tenant, days_ago=400)
    folder = _folder(evidence_dir, capture)
    do_update_charter(
        tenant.organisation, CharterDocument(retention=RetentionPolicy(mentions=RetentionRule(days=365)))
    )
    assert "evidence.captures_purged" not in do_apply_retention(tenant.organisation)
    assert folder.exists()  # held: kept whatever its age

    _lift(tenant, mention)
    assert do_apply_retention(tenant.organisation, dry_run=True)["evidence.captures_purged"] == 1
    assert folder.exists()
    assert do_apply_retention(tenant.organisation)["evidence.captures_purged"] == 1
    assert not folder.exists()
    assert "evidence.captures_purged" not in do_apply_retention(tenant.organisation)  # done once


def test_retention_keeps_the_files_of_a_recent_post(tenant: Tenant, evidence_dir: Path) -> None:
    mention, capture = _captured(tenant, days_ago=10)
    _lift(tenant, mention)
    do_update_charter(
        tenant.organisation, CharterDocument(retention=RetentionPolicy(mentions=RetentionRule(days=365)))
    )
    assert "evidence.captures_purged" not in do_apply_retention(tenant.organisation)
    assert (_folder(evidence_dir, capture) / "screenshot.png").exists()


def test_a_bundle_built_before_the_purge_still_verifies(tenant: Tenant) -> None:
    from vigie.evidence.bundle import build_bundle

    mention, _capture = _captured(tenant)
    data = build_bundle(mention).data
    _lift(tenant, mention)
    do_erase_subject(
        tenant.organisation,
        find_subject(tenant.organisation, parse_subject("@jdupont")),
        actor=tenant.admin.user,
    )
    assert verify_bundle(data).ok  # the lawyer's copy is unaffected


@pytest.mark.parametrize("role", ["viewer", "agent", "manager"])
def test_only_the_dpo_reads_what_evidence_holds_about_a_person(tenant: Tenant, login: Any, role: str) -> None:
    _captured(tenant)
    member: Membership = tenant.member(role)
    assert login(member).get("/privacy/export/", {"subject": "@jdupont"}).status_code == 403


def test_the_records_of_processing_list_the_captures_and_no_empty_delay(tenant: Tenant, login: Any) -> None:
    page = html.unescape(login(tenant.admin).get("/privacy/records/").content.decode())
    assert "Captures de publications conservées comme preuve" in page
    assert "Tant que la conservation légale dure" in page
    assert "<td></td>" not in page.replace(" ", "")


def test_retention_that_deletes_posts_deletes_their_capture_files_too(
    tenant: Tenant, evidence_dir: Path
) -> None:
    mention, capture = _captured(tenant, days_ago=400)
    _lift(tenant, mention)
    do_update_charter(
        tenant.organisation,
        CharterDocument(retention=RetentionPolicy(mentions=RetentionRule(days=365, action="delete"))),
    )
    counts = do_apply_retention(tenant.organisation)
    assert counts["mentions"] == 1
    assert counts["evidence.captures_purged"] == 1
    assert not Mention.objects.filter(pk=mention.pk).exists()
    assert not _folder(evidence_dir, capture).exists()
    capture.refresh_from_db()
    assert capture.purged_at is not None  # the link stays, its files are gone


def test_the_case_page_says_the_capture_files_were_deleted(tenant: Tenant, login: Any) -> None:
    """Once purged, the panel read "Aucune capture de cette page." of a post that had been captured."""
    from vigie.inbox.tests.factories import make_case

    mention, _capture = _captured(tenant)
    case = make_case(tenant.organisation, mention)
    _lift(tenant, mention)
    do_erase_subject(
        tenant.organisation,
        find_subject(tenant.organisation, parse_subject("@jdupont")),
        actor=tenant.admin.user,
    )
    for member, expected in (
        (tenant.manager, "Les fichiers de la capture de cette page ont été supprimés le "),
        (tenant.admin, "Son manifeste signé reste dans la chaîne de preuves."),
    ):
        page = html.unescape(login(member).get(f"/inbox/cases/{case.pk}/").content.decode())
        panel = page.split('id="evidence"', 1)[1]
        assert expected in panel
        assert "Aucune capture de cette page." not in panel
        assert "Télécharger le dossier de preuve" not in panel
