"""The audit log is append-only and any tampering is detected by `vigie audit verify`."""

import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from vigie.conftest import Tenant
from vigie.core.actions import do_create_team, do_record_audit_event
from vigie.core.models import AuditEvent
from vigie.core.queries import audit_events_for, verify_audit_chain


def test_each_event_links_to_the_previous_one(tenant: Tenant) -> None:
    events = list(AuditEvent.objects.for_org(tenant.organisation).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for previous, current in itertools.pairwise(events):
        assert current.prev_hash == previous.hash
    assert verify_audit_chain(tenant.organisation).ok


def test_organisations_have_independent_chains(tenant: Tenant, other_tenant: Tenant) -> None:
    assert AuditEvent.objects.for_org(other_tenant.organisation).order_by("seq").first().seq == 1
    assert verify_audit_chain(other_tenant.organisation).ok


def test_events_cannot_be_changed_or_deleted_through_the_orm(tenant: Tenant) -> None:
    event = AuditEvent.objects.for_org(tenant.organisation).first()
    event.verb = "nothing.happened"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def tamper(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_changed_event_is_detected(tenant: Tenant) -> None:
    team = do_create_team(tenant.organisation, "Support", actor=tenant.admin.user)
    event = audit_events_for(tenant.organisation, "core.team", str(team.pk)).get()
    tamper(
        "UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["someone-else@acme.example", event.pk]
    )
    report = verify_audit_chain(tenant.organisation)
    assert not report.ok
    assert report.broken_at_seq == event.seq
    assert "content changed" in report.reason


def test_a_removed_event_is_detected(tenant: Tenant) -> None:
    do_record_audit_event(tenant.organisation, "test.one")
    middle = do_record_audit_event(tenant.organisation, "test.two")
    do_record_audit_event(tenant.organisation, "test.three")
    tamper("DELETE FROM core_auditevent WHERE id = %s", [middle.pk])
    report = verify_audit_chain(tenant.organisation)
    assert not report.ok
    assert report.broken_at_seq == middle.seq


def test_a_rewritten_event_with_a_recomputed_hash_still_breaks_the_next_link(tenant: Tenant) -> None:
    first = do_record_audit_event(tenant.organisation, "test.one", data={"amount": 10})
    do_record_audit_event(tenant.organisation, "test.two")
    # Someone who edits a row and fixes its own hash still leaves the next event pointing at the old one.
    tamper("UPDATE core_auditevent SET hash = %s WHERE id = %s", ["f" * 64, first.pk])
    report = verify_audit_chain(tenant.organisation)
    assert not report.ok
    assert report.broken_at_seq == first.seq


def test_the_verify_command_reports_ok_and_fails_on_a_broken_chain(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "acme: ok" in out.getvalue()
    assert "globex: ok" in out.getvalue()
    event = AuditEvent.objects.for_org(tenant.organisation).last()
    tamper("UPDATE core_auditevent SET data = %s WHERE id = %s", ['{"forged": true}', event.pk])
    out = StringIO()
    with pytest.raises(CommandError, match="1 audit chain"):
        call_command("audit", "verify", stdout=out)
    assert "acme: BROKEN" in out.getvalue()
    assert "globex: ok" in out.getvalue()


def _unkeyed_rewrite(organisation_id: int, from_seq: int) -> None:
    """What someone with database write access but no key does: fix every hash from ``from_seq`` on
    with plain SHA-256, as the chain was computed before it was keyed."""
    from vigie.core.audit import UNKEYED, event_hash

    events = list(AuditEvent.objects.filter(organisation_id=organisation_id).order_by("seq"))
    prev = events[from_seq - 2].hash if from_seq > 1 else "0" * 64
    for event in events[from_seq - 1 :]:
        digest = event_hash(
            organisation_id=organisation_id,
            seq=event.seq,
            created_at=event.created_at,
            actor_label=event.actor_label,
            verb=event.verb,
            object_type=event.object_type,
            object_id=event.object_id,
            data=event.data,
            prev_hash=prev,
            version=UNKEYED,
        )
        tamper(
            "UPDATE core_auditevent SET prev_hash = %s, hash = %s, hash_version = 1 WHERE id = %s",
            [prev, digest, event.pk],
        )
        prev = digest


def test_a_tampered_row_with_a_recomputed_unkeyed_chain_is_detected(tenant: Tenant) -> None:
    target = do_record_audit_event(tenant.organisation, "refund.granted", data={"amount": 10})
    do_record_audit_event(tenant.organisation, "test.after")
    tamper("UPDATE core_auditevent SET data = %s WHERE id = %s", ['{"amount": 10000}', target.pk])
    # The forger recomputes the whole chain from the edited row on, as the unkeyed chain allowed.
    _unkeyed_rewrite(tenant.organisation.pk, target.seq)
    report = verify_audit_chain(tenant.organisation)
    assert not report.ok
    assert "unkeyed" in report.reason
    # Rewriting the whole chain as unkeyed does not help either: it must end with a keyed event.
    _unkeyed_rewrite(tenant.organisation.pk, 1)
    report = verify_audit_chain(tenant.organisation)
    assert not report.ok
    assert "ends with unkeyed" in report.reason


def test_a_keyed_hash_recomputed_with_another_key_is_detected(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = do_record_audit_event(tenant.organisation, "test.one")
    monkeypatch.setenv("VIGIE_AUDIT_KEY", "a-key-the-forger-chose-" + "x" * 20)
    from vigie.core.audit import KEYED, audit_keys, event_hash

    forged = event_hash(
        organisation_id=tenant.organisation.pk,
        seq=event.seq,
        created_at=event.created_at,
        actor_label="forger@acme.example",
        verb=event.verb,
        object_type="",
        object_id="",
        data={},
        prev_hash=event.prev_hash,
        version=KEYED,
        key=audit_keys()[0],
    )
    monkeypatch.delenv("VIGIE_AUDIT_KEY")
    tamper(
        "UPDATE core_auditevent SET actor_label = %s, hash = %s WHERE id = %s",
        ["forger@acme.example", forged, event.pk],
    )
    report = verify_audit_chain(tenant.organisation)
    assert not report.ok
    assert report.broken_at_seq == event.seq


def test_an_unkeyed_prefix_from_before_keying_still_verifies(tenant: Tenant) -> None:
    # Events recorded before the chain was keyed (version 1), then keyed ones: still "ok".
    do_record_audit_event(tenant.organisation, "test.old")
    count = AuditEvent.objects.for_org(tenant.organisation).count()
    _unkeyed_rewrite(tenant.organisation.pk, 1)
    do_record_audit_event(tenant.organisation, "audit.keyed")
    report = verify_audit_chain(tenant.organisation)
    assert report.ok, report.reason
    assert report.unkeyed == count
    # The keyed event pins the prefix: editing an old unkeyed row is a break.
    first = AuditEvent.objects.for_org(tenant.organisation).order_by("seq").first()
    tamper("UPDATE core_auditevent SET verb = %s WHERE id = %s", ["forged", first.pk])
    _unkeyed_rewrite(tenant.organisation.pk, 1)
    assert not verify_audit_chain(tenant.organisation).ok


def test_a_rotated_audit_key_keeps_old_events_valid_through_its_fallback(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_AUDIT_KEY", "old-audit-key-" + "o" * 30)
    do_record_audit_event(tenant.organisation, "test.under-old-key")
    monkeypatch.setenv("VIGIE_AUDIT_KEY", "new-audit-key-" + "n" * 30)
    assert not verify_audit_chain(tenant.organisation).ok
    monkeypatch.setenv("VIGIE_AUDIT_KEY_FALLBACKS", "old-audit-key-" + "o" * 30)
    do_record_audit_event(tenant.organisation, "test.under-new-key")
    assert verify_audit_chain(tenant.organisation).ok


def test_retention_prunes_the_oldest_events_and_the_chain_still_verifies(tenant: Tenant) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from vigie.core.actions import do_prune_audit_events

    long_ago = timezone.now() - timedelta(days=4000)
    AuditEvent.objects.filter(organisation=tenant.organisation).delete()  # a fresh chain for the test
    for n in range(5):
        do_record_audit_event(tenant.organisation, f"old.{n}", at=long_ago + timedelta(minutes=n))
    do_record_audit_event(tenant.organisation, "recent.one")
    assert (
        do_prune_audit_events(tenant.organisation, timezone.now() - timedelta(days=1825), batch_size=2) == 5
    )
    events = list(AuditEvent.objects.for_org(tenant.organisation).order_by("seq"))
    assert [e.verb for e in events] == ["recent.one", "audit.pruned"]
    assert events[-1].data["events"] == 5
    report = verify_audit_chain(tenant.organisation)
    assert report.ok, report.reason
    # Someone removing one more event at the start is still caught.
    tamper("DELETE FROM core_auditevent WHERE id = %s", [events[0].pk])
    assert not verify_audit_chain(tenant.organisation).ok
