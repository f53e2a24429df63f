"""The evidence jobs: the audit log's head anchored in the chain, the legal team warned before the
limit, legal-risk mentions captured when the charter says so; and the doors privacy uses."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from vigie.analysis.models import AnalysisResult
from vigie.charter.actions import do_update_charter
from vigie.charter.queries import current_charter
from vigie.conftest import Tenant
from vigie.core.actions import do_record_audit_event
from vigie.core.jobs import periodic_jobs
from vigie.core.models import Job, Notification
from vigie.evidence import tasks
from vigie.evidence.actions import (
    StillHeld,
    do_lift_legal_hold,
    do_purge_evidence_of_mention,
    do_record_capture,
)
from vigie.evidence.capture import Collected, utc_now
from vigie.evidence.legal import limitation_date
from vigie.evidence.models import Capture, CaptureKind
from vigie.evidence.queries import audit_head, held_mention_ids, is_held
from vigie.evidence.tests.tsa import LocalTSA
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_mention

pytestmark = pytest.mark.django_db


def _captured(mention: Mention) -> Capture:
    return do_record_capture(mention, Collected(url="", started_at=utc_now(), files={"payload.json": b"{}"}))


def test_the_jobs_are_registered_as_periodic() -> None:
    assert {"evidence.auto_capture", "evidence.anchor_audit_head", "evidence.limitation_warnings"} <= set(
        periodic_jobs()
    )


def test_the_audit_head_is_anchored_in_the_signed_chain_once_per_change(
    tenant: Tenant, tsa: LocalTSA
) -> None:
    assert tasks.anchor_audit_head() == {"anchored": 1}
    anchor = Capture.objects.get(kind=CaptureKind.AUDIT_ANCHOR)
    head = audit_head(tenant.organisation)
    assert json.loads(anchor.manifest)["audit_head"] == head
    assert anchor.timestamp_token is not None  # dated by the authority like any capture
    assert tasks.anchor_audit_head() == {"anchored": 0}  # nothing happened since
    do_record_audit_event(tenant.organisation, "something.happened")
    assert tasks.anchor_audit_head() == {"anchored": 1}
    latest = Capture.objects.filter(kind=CaptureKind.AUDIT_ANCHOR).order_by("-seq").first()
    assert latest is not None
    assert json.loads(latest.manifest)["previous"]["sha256"] == anchor.manifest_sha256


def test_the_legal_team_is_warned_30_then_7_days_before_the_limit(tenant: Tenant) -> None:
    published = timezone.now() - timedelta(days=70)  # about 20 days left
    mention = make_mention(tenant.organisation, created_at=published, text="Diffamation caractérisée")
    _captured(mention)
    assert tasks.limitation_warnings() == {"sent": 2}  # the manager and the admin
    recipients = set(
        Notification.objects.filter(event="evidence.limitation").values_list("recipient__email", flat=True)
    )
    assert recipients == {"manager@acme.example", "admin@acme.example"}
    assert tasks.limitation_warnings() == {"sent": 0}  # once
    Mention.objects.filter(pk=mention.pk).update(created_at=timezone.now() - timedelta(days=88))
    assert tasks.limitation_warnings() == {"sent": 2}
    latest = Notification.objects.filter(event="evidence.limitation").first()
    assert latest is not None
    assert "Prescription dans" in latest.title
    assert str(limitation_date(mention.created_at, "Europe/Paris").year) in latest.body


def test_legal_risk_is_captured_only_when_the_charter_says_so(tenant: Tenant) -> None:
    mention = make_mention(tenant.organisation, url="https://example.com/p/9")
    AnalysisResult.objects.create(
        organisation=tenant.organisation,
        mention=mention,
        analyzer="toxicity",
        version="1",
        result={"toxic": True, "legal_risk": True, "categories": []},
    )
    assert tasks.auto_capture() == {"queued": 0}
    document = current_charter(tenant.organisation)
    document.approval.capture_legal_risk = True
    do_update_charter(tenant.organisation, document)
    assert tasks.auto_capture() == {"queued": 1}
    queued = Job.objects.get(name=tasks.CAPTURE_JOB)
    assert queued.payload["mention_id"] == mention.pk
    _captured(mention)
    assert tasks.mentions_to_capture(tenant.organisation) == []


def test_privacy_skips_held_mentions_until_the_hold_is_lifted(tenant: Tenant, other_tenant: Tenant) -> None:
    held = make_mention(tenant.organisation)
    free = make_mention(tenant.organisation)
    _captured(held)
    _captured(make_mention(other_tenant.organisation))
    assert held_mention_ids(tenant.organisation) == {held.pk}
    assert is_held(held)
    assert not is_held(free)
    do_lift_legal_hold(held.legal_holds.get(), actor=tenant.admin.user, reason="classé")
    assert held_mention_ids(tenant.organisation) == set()
    assert not is_held(held)


def test_evidence_files_are_purged_only_once_the_hold_is_lifted(tenant: Tenant, evidence_dir: Path) -> None:
    mention = make_mention(tenant.organisation)
    capture = _captured(mention)
    folder = evidence_dir / capture.directory
    assert folder.is_dir()
    with pytest.raises(StillHeld):
        do_purge_evidence_of_mention(mention)
    do_lift_legal_hold(mention.legal_holds.get(), actor=tenant.admin.user, reason="demande d'effacement")
    assert do_purge_evidence_of_mention(mention) == 1
    assert not folder.exists()
    capture.refresh_from_db()
    assert capture.purged_at is not None
    assert capture.manifest  # the link stays in the chain
    mention.delete()  # erasure of the mention itself is not blocked by its former captures
    capture.refresh_from_db()
    assert capture.mention_id is None


def test_a_held_mention_cannot_be_deleted_even_by_a_forgetful_caller(tenant: Tenant) -> None:
    from django.db import transaction
    from django.db.models import ProtectedError

    mention = make_mention(tenant.organisation)
    _captured(mention)
    with pytest.raises(ProtectedError), transaction.atomic():
        mention.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Mention.objects.filter(pk=mention.pk).delete()
    assert Mention.objects.filter(pk=mention.pk).exists()
