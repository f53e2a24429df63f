"""A signed manifest names the author of the captured post. After a GDPR erasure of that author:

* the post under legal hold keeps everything — captures and manifests naming the author — as
  art. 17(3)(e) allows (legal claims); the erasure's report says so and its audit event records
  the ground;
* a post no longer held loses the capture files and the manifests lose the author's handle, name,
  profile and the post's address: no manifest, and no other post's legal file (which carries the
  previous link of the chain), hands them out again. The chain still verifies: the erased link's
  digest, which the next signed manifest names, stays."""

from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.models import AuditEvent
from vigie.evidence.actions import do_lift_legal_hold, do_record_capture
from vigie.evidence.bundle import build_bundle
from vigie.evidence.capture import Collected, utc_now
from vigie.evidence.models import Capture, LegalHold
from vigie.evidence.verify import verify_bundle
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_author, make_mention, make_source
from vigie.privacy.actions import do_erase_subject
from vigie.privacy.queries import find_subject
from vigie.privacy.subjects import parse_subject

pytestmark = pytest.mark.django_db

PERSONAL = ("jdupont", "Jean Dupont", "example.com/@jdupont")


def _capture(tenant: Tenant, handle: str, name: str) -> tuple[Mention, Capture]:
    org = tenant.organisation
    author = make_author(org, "mastodon", external_id=f"id-{handle}", handle=handle, display_name=name)
    mention = make_mention(
        org,
        source=make_source(org, "mastodon", name=f"Mastodon {handle}"),
        author=author,
        url=f"https://example.com/@{handle}/1",
        text="Cette entreprise est une bande d'escrocs.",
        created_at=timezone.now() - timedelta(days=3),
    )
    collected = Collected(
        url=mention.url,
        started_at=utc_now(),
        files={"payload.json": b'{"x": 1}', "screenshot.png": b"\x89PNG..."},
        rendered=True,
        reasons=[f"capture partielle de {mention.url}"],
    )
    return mention, do_record_capture(mention, collected)


def _erase(tenant: Tenant) -> dict[str, int]:
    findings = find_subject(tenant.organisation, parse_subject("@jdupont"))
    return do_erase_subject(tenant.organisation, findings, actor=tenant.admin.user)


def _texts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if name.endswith((".json", ".html", ".sig", ".pem"))
        }


def test_a_held_post_keeps_its_manifests_and_the_erasure_says_why(tenant: Tenant, login: Any) -> None:
    _mention, capture = _capture(tenant, "jdupont", "Jean Dupont")
    client: Client = login(tenant.admin)
    preview = html.unescape(client.get("/privacy/", {"subject": "@jdupont"}).content.decode())
    assert "RGPD art. 17.3.e" in preview
    response = client.post("/privacy/erase/", {"subject": "@jdupont", "confirm": "on"}, follow=True)
    said = html.unescape(response.content.decode())
    assert "1 publication sous conservation légale est gardée intacte." in said
    assert "ses captures et leurs manifestes signés" in said
    assert "(RGPD art. 17.3.e)" in said
    assert "L'effacement se fera de lui-même quand la conservation légale sera levée" in said
    capture.refresh_from_db()
    assert capture.redacted_at is None
    assert "jdupont" in capture.manifest
    event = AuditEvent.objects.filter(verb="privacy.subject_erased").latest("seq")
    assert event.data["counts"]["evidence.captures_kept_for_legal_hold"] == 1
    assert event.data["kept_under"].startswith("GDPR art. 17(3)(e)")


def test_once_the_hold_is_lifted_the_manifest_forgets_the_author_and_the_chain_still_verifies(
    tenant: Tenant,
) -> None:
    mention, capture = _capture(tenant, "jdupont", "Jean Dupont")
    other, _next_capture = _capture(tenant, "troll42", "Troll Quarante")
    hold = LegalHold.objects.get(mention=mention, lifted_at__isnull=True)
    do_lift_legal_hold(hold, actor=tenant.admin.user, reason="affaire classée")
    before = build_bundle(other).data
    assert any("jdupont" in text for text in _texts(before).values())  # the previous link named them

    counts = _erase(tenant)
    assert counts["evidence.captures_purged"] == 1
    assert counts["evidence.manifests_redacted"] == 1
    capture.refresh_from_db()
    assert capture.redacted_at is not None
    assert capture.url == ""
    for words in PERSONAL:
        assert words not in capture.manifest
        assert words not in capture.reason
    manifest = json.loads(capture.manifest)
    assert manifest["mention"]["author"]["handle"] == "[effacé]"
    assert manifest["mention"]["platform"] == "mastodon"  # what proves without naming stays
    assert manifest["files"]["screenshot.png"]["sha256"]
    assert manifest["redaction"]["signed_sha256"] == capture.manifest_sha256

    # The next post's legal file no longer carries the erased author, and still verifies.
    after = build_bundle(other).data
    texts = _texts(after)
    for name, text in texts.items():
        for words in PERSONAL:
            assert words not in text, f"{words} in {name}"
    assert any(name.endswith("previous_manifest_redacted.json") for name in texts)
    report = verify_bundle(after)
    assert report.ok, report.problems
    assert any("expurgé des données personnelles (RGPD)" in fact for fact in report.facts)
    assert verify_bundle(before).ok  # a copy handed out earlier is unaffected
    # Done once: a second erasure finds nothing more to redact.
    assert "evidence.manifests_redacted" not in _erase(tenant)


def test_a_forged_redaction_marker_breaks_the_chain(tenant: Tenant) -> None:
    from vigie.evidence import verify

    mention, _capture_one = _capture(tenant, "jdupont", "Jean Dupont")
    other, _capture_two = _capture(tenant, "troll42", "Troll Quarante")
    do_lift_legal_hold(
        LegalHold.objects.get(mention=mention, lifted_at__isnull=True), actor=tenant.admin.user, reason="x"
    )
    _erase(tenant)
    data = build_bundle(other).data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = next(n for n in archive.namelist() if n.endswith("previous_manifest_redacted.json"))
        marker = json.loads(archive.read(name))
    report = verify.Report()
    verify._check_redacted_previous(
        "captures/x",
        json.dumps({**marker, "sha256": "0" * 64}).encode(),
        {"sha256": marker["sha256"]},
        report,
    )
    assert report.problems == ["captures/x : le maillon précédent ne correspond pas (chaîne rompue)"]


def test_retention_expurgates_the_manifests_it_purges(tenant: Tenant) -> None:
    """The charter's retention pseudonymises an old post's author; its capture's manifest kept them."""
    from vigie.charter.actions import do_update_charter
    from vigie.charter.document import CharterDocument, RetentionPolicy, RetentionRule
    from vigie.privacy.actions import do_apply_retention

    mention, capture = _capture(tenant, "jdupont", "Jean Dupont")
    Mention.objects.filter(pk=mention.pk).update(created_at=timezone.now() - timedelta(days=400))
    do_update_charter(
        tenant.organisation, CharterDocument(retention=RetentionPolicy(mentions=RetentionRule(days=365)))
    )
    assert "evidence.manifests_redacted" not in do_apply_retention(tenant.organisation)  # held
    do_lift_legal_hold(
        LegalHold.objects.get(mention=mention, lifted_at__isnull=True), actor=tenant.admin.user, reason="x"
    )
    assert do_apply_retention(tenant.organisation, dry_run=True)["evidence.manifests_redacted"] == 1
    assert "jdupont" in Capture.objects.get(pk=capture.pk).manifest
    counts = do_apply_retention(tenant.organisation)
    assert counts["evidence.manifests_redacted"] == 1
    capture.refresh_from_db()
    for words in PERSONAL:
        assert words not in capture.manifest
    assert "durée de conservation" in json.loads(capture.manifest)["redaction"]["why"]
    assert "evidence.manifests_redacted" not in do_apply_retention(tenant.organisation)  # once
