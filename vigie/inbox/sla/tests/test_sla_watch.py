"""The SLA watcher job: warning before the deadline, escalation after it, pause while waiting."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.utils import timezone

from vigie.charter.actions import do_update_charter
from vigie.charter.document import BusinessHours, CharterDocument, SlaPolicy
from vigie.conftest import Tenant
from vigie.core.actions import do_add_team_member, do_create_team
from vigie.core.jobs import periodic_jobs, run_now
from vigie.core.models import AuditEvent, Notification
from vigie.inbox.models import Case, CaseStatus
from vigie.inbox.sla.watch import watch_slas
from vigie.inbox.tests.factories import make_case

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def test_the_watcher_is_a_periodic_job() -> None:
    assert "inbox.sla_watch" in periodic_jobs()


def test_the_assignee_is_warned_once_when_the_deadline_nears(tenant: Tenant) -> None:
    org = tenant.organisation
    now = paris(2026, 3, 2, 14)
    near = make_case(org, assignee=tenant.agent.user, sla_due_at=paris(2026, 3, 2, 17))
    far = make_case(org, assignee=tenant.agent.user, sla_due_at=paris(2026, 3, 3, 17))
    assert watch_slas(now).warned == 1
    assert watch_slas(now + timedelta(minutes=5)).warned == 0
    near.refresh_from_db()
    far.refresh_from_db()
    assert near.sla_warned_at == now
    assert far.sla_warned_at is None
    notes = Notification.objects.filter(recipient=tenant.agent.user, event="case.sla_warning")
    assert notes.count() == 1
    assert near.reference in notes.get().title


def test_the_warning_counts_business_hours(tenant: Tenant) -> None:
    org = tenant.organisation
    # Friday 17:00, due Monday 11:00: 3 business hours away, within the default 4 h warning.
    case = make_case(org, assignee=tenant.agent.user, sla_due_at=paris(2026, 3, 9, 11))
    assert watch_slas(paris(2026, 3, 6, 17)).warned == 1
    case.refresh_from_db()
    assert case.sla_warned_at is not None


def test_an_unassigned_case_warns_its_team(tenant: Tenant) -> None:
    org = tenant.organisation
    team = do_create_team(org, "Service client")
    do_add_team_member(team, tenant.agent)
    do_add_team_member(team, tenant.viewer)  # a viewer cannot answer: not warned
    make_case(org, team=team, sla_due_at=paris(2026, 3, 2, 17))
    watch_slas(paris(2026, 3, 2, 15))
    assert list(
        Notification.objects.filter(event="case.sla_warning").values_list("recipient", flat=True)
    ) == [tenant.agent.user.pk]


def test_a_breach_is_escalated_once_to_the_teams_managers(tenant: Tenant) -> None:
    org = tenant.organisation
    team = do_create_team(org, "Service client")
    do_add_team_member(team, tenant.agent)
    do_add_team_member(team, tenant.manager)
    late = make_case(org, team=team, assignee=tenant.agent.user, sla_due_at=paris(2026, 3, 2, 9))
    now = paris(2026, 3, 2, 10)
    report = watch_slas(now)
    assert report.escalated == 1
    assert watch_slas(now + timedelta(minutes=5)).escalated == 0
    late.refresh_from_db()
    assert late.escalated_at == now
    assert list(Notification.objects.filter(event="case.escalated").values_list("recipient", flat=True)) == [
        tenant.manager.user.pk
    ]
    event = AuditEvent.objects.get(object_id=str(late.pk), verb="case.escalated")
    assert event.data["notified"] == [tenant.manager.user.email]


def test_without_a_team_the_organisations_managers_hear_of_a_breach(tenant: Tenant) -> None:
    org = tenant.organisation
    make_case(org, sla_due_at=paris(2026, 3, 2, 9))
    watch_slas(paris(2026, 3, 2, 10))
    recipients = set(Notification.objects.filter(event="case.escalated").values_list("recipient", flat=True))
    assert recipients == {tenant.manager.user.pk, tenant.admin.user.pk}


def test_answered_closed_and_no_answer_cases_are_left_alone(tenant: Tenant) -> None:
    org = tenant.organisation
    due = paris(2026, 3, 2, 9)
    make_case(org, sla_due_at=due, first_response_at=paris(2026, 3, 2, 8))
    make_case(org, sla_due_at=due, status=CaseStatus.RESOLVED)
    make_case(org, sla_due_at=due, status=CaseStatus.NO_ANSWER, needs_answer=False)
    report = watch_slas(paris(2026, 3, 2, 10))
    assert (report.escalated, report.warned) == (0, 0)
    assert not Notification.objects.exists()


def test_waiting_for_the_customer_stops_the_clock(tenant: Tenant) -> None:
    # Status changes pause and resume the clock themselves (test_sla.py); the watcher is the
    # safety net for a status written by another path, such as an import or a crash in between.
    org = tenant.organisation
    case = make_case(
        org, assignee=tenant.agent.user, sla_due_at=paris(2026, 3, 3, 12), status=CaseStatus.WAITING_CUSTOMER
    )
    assert watch_slas(paris(2026, 3, 2, 16)).paused == 1
    # The deadline passes while the case waits: no escalation.
    assert watch_slas(paris(2026, 3, 3, 15)).escalated == 0
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.IN_PROGRESS)
    report = watch_slas(paris(2026, 3, 3, 16))
    assert report.resumed == 1
    case.refresh_from_db()
    # Paused Monday 16:00 to Tuesday 16:00: 2 h + 7 h = 9 business hours added.
    assert case.sla_paused_seconds == 9 * 3600
    assert case.sla_due_at == paris(2026, 3, 4, 12)
    assert case.escalated_at is None


def test_the_charter_can_keep_the_clock_running_while_waiting(tenant: Tenant) -> None:
    org = tenant.organisation
    do_update_charter(org, CharterDocument(sla=SlaPolicy(pause_while_waiting_customer=False)))
    case = make_case(org, status=CaseStatus.WAITING_CUSTOMER, sla_due_at=paris(2026, 3, 2, 12))
    report = watch_slas(paris(2026, 3, 2, 13))
    assert report.paused == 0
    assert report.escalated == 1
    case.refresh_from_db()
    assert case.escalated_at is not None


def test_the_job_runs_through_the_jobs_seam(tenant: Tenant) -> None:
    org = tenant.organisation
    do_update_charter(org, CharterDocument(sla=SlaPolicy(business_hours=BusinessHours(days={}))))
    case = make_case(org, sla_due_at=timezone.now() - timedelta(hours=1))
    result = run_now("inbox.sla_watch")
    assert result["escalated"] == 1
    assert Case.objects.get(pk=case.pk).escalated_at is not None


def test_long_missed_deadlines_are_not_paged(tenant: Tenant) -> None:
    """An import of old reviews must not page the managers once per review."""
    org = tenant.organisation
    old = make_case(org, sla_due_at=paris(2026, 1, 5, 12))
    recent = make_case(org, sla_due_at=paris(2026, 3, 1, 12))
    report = watch_slas(paris(2026, 3, 2, 10))
    assert report.escalated == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.escalated_at is None
    assert recent.escalated_at is not None


def test_an_english_organisation_is_warned_and_told_of_a_breach_in_english(tenant: Tenant) -> None:
    # The watcher runs in no request: it wrote "Dossier C-000003 escaladé : délai de première
    # réponse dépassé" to an English organisation's managers and into its case histories.
    from vigie.core.models import Organisation

    org = tenant.organisation
    Organisation.objects.filter(pk=org.pk).update(language="en")
    late = make_case(org, sla_due_at=paris(2026, 3, 2, 9))
    make_case(org, assignee=tenant.agent.user, sla_due_at=paris(2026, 3, 2, 12))
    watch_slas(paris(2026, 3, 2, 10))
    escalated = Notification.objects.filter(event="case.escalated").first()
    assert escalated is not None
    assert escalated.title == f"Case {late.reference} escalated: first-response deadline missed"
    warning = Notification.objects.get(event="case.sla_warning")
    assert "Mar 12:00" in warning.title or "2 Mar" in warning.title, warning.title
    event = AuditEvent.objects.get(object_id=str(late.pk), verb="case.escalated")
    assert event.data["reason"] == "first-response deadline missed"
