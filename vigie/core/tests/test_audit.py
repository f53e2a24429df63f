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
