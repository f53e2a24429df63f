"""The SLA watcher: warnings before a first-answer deadline, escalation once it has passed, and the
pause of the clock while a case waits for the customer.

Run every few minutes by the ``inbox.sla_watch`` job. Each step claims its case with a conditional
UPDATE (``sla_warned_at`` / ``escalated_at`` still empty), so two workers, or a retry, never warn or
escalate twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigie.charter.calendar import business_seconds_between
from vigie.charter.document import CharterDocument
from vigie.charter.queries import current_charter
from vigie.core.actions import do_notify, do_record_audit_event
from vigie.core.models import Membership, Organisation, User
from vigie.core.roles import HANDLE_CASES, Role, has_role
from vigie.core.tenancy import scoped
from vigie.inbox.models import OPEN_STATUSES, Case, CaseStatus
from vigie.inbox.routing.escalation import case_url, do_escalate_case
from vigie.inbox.sla.clock import calendar_for, do_pause_sla, do_resume_sla

# Business hours can leave days between two moments a few working hours apart (a long weekend with a
# holiday); candidates for a warning are read within this wall-clock horizon, then checked exactly.
WARNING_HORIZON = timedelta(days=5)
# Deadlines missed longer ago than this are history (an import of last year's reviews, a server
# that was off): the inbox shows them overdue, but nobody is paged for each of them.
ESCALATION_LOOKBACK = timedelta(days=7)


@dataclass
class WatchReport:
    paused: int = 0
    resumed: int = 0
    warned: int = 0
    escalated: int = 0


def _running(organisation: Organisation) -> QuerySet[Case]:
    """Open cases whose first-answer clock is running."""
    return scoped(Case, organisation).filter(
        status__in=OPEN_STATUSES,
        needs_answer=True,
        first_response_at__isnull=True,
        sla_paused_at__isnull=True,
        sla_due_at__isnull=False,
    )


def _handlers_of(case: Case) -> list[User]:
    if case.assignee_id and case.assignee is not None:
        return [case.assignee]
    if not case.team_id:
        return []
    members = scoped(Membership, case.organisation).filter(
        teams=case.team_id,
        is_active=True,
        user__is_active=True,
        role__in=[r.value for r in Role if has_role(r, HANDLE_CASES)],
    )
    return [m.user for m in members.select_related("user")]


@transaction.atomic
def do_warn_sla(case: Case, *, at: datetime) -> bool:
    """Tell the assignee (or, unassigned, the team) that the deadline is near; False if already done."""
    if not Case.objects.filter(pk=case.pk, sla_warned_at__isnull=True).update(sla_warned_at=at):
        return False
    case.sla_warned_at = at
    recipients = _handlers_of(case)
    due = timezone.localtime(case.sla_due_at) if case.sla_due_at else None
    for user in recipients:
        do_notify(
            case.organisation,
            user,
            "case.sla_warning",
            # In the person's language, the date too ("2 Mar 12:00").
            lambda: (
                _("Dossier %(ref)s : échéance proche (%(due)s)")
                % {"ref": case.reference, "due": formats.date_format(due, "j M H:i") if due else ""}
            ),
            url=case_url(case),
            data={"case_id": case.pk},
        )
    do_record_audit_event(
        case.organisation,
        "case.sla_warning",
        obj=case,
        data={
            "notified": [u.email for u in recipients],
            "sla_due_at": case.sla_due_at.isoformat() if case.sla_due_at else None,
        },
        at=at,
    )
    return True


def watch_organisation(
    organisation: Organisation, now: datetime, charter: CharterDocument | None = None
) -> WatchReport:
    """One pass of the watcher over one organisation, in its language: the escalation reasons it
    records and the notifications it sends are read by its people (an English organisation got
    "Dossier C-000003 escaladé : délai de première réponse dépassé")."""
    with translation.override(organisation.language):
        return _watch(organisation, now, charter)


def _watch(organisation: Organisation, now: datetime, charter: CharterDocument | None) -> WatchReport:
    charter = charter or current_charter(organisation)
    report = WatchReport()
    related = ("mention__location", "organisation", "assignee")
    if charter.sla.pause_while_waiting_customer:
        for case in (
            scoped(Case, organisation)
            .filter(status=CaseStatus.WAITING_CUSTOMER, sla_paused_at__isnull=True)
            .select_related(*related)
        ):
            do_pause_sla(case, at=now)
            report.paused += 1
    for case in (
        scoped(Case, organisation)
        .filter(sla_paused_at__isnull=False)
        .exclude(status=CaseStatus.WAITING_CUSTOMER)
        .select_related(*related)
    ):
        do_resume_sla(case, at=now)
        report.resumed += 1
    for case in (
        _running(organisation)
        .filter(escalated_at__isnull=True, sla_due_at__lte=now, sla_due_at__gt=now - ESCALATION_LOOKBACK)
        .select_related(*related)
    ):
        if do_escalate_case(case, reason=gettext_lazy("délai de première réponse dépassé"), at=now):
            report.escalated += 1
    warn_seconds = charter.sla.warn_before_hours * 3600
    if warn_seconds > 0:
        candidates = _running(organisation).filter(
            sla_warned_at__isnull=True, sla_due_at__gt=now, sla_due_at__lte=now + WARNING_HORIZON
        )
        for case in candidates.select_related(*related):
            assert case.sla_due_at is not None
            left = business_seconds_between(now, case.sla_due_at, calendar_for(case, charter))
            if left <= warn_seconds and do_warn_sla(case, at=now):
                report.warned += 1
    return report


def watch_slas(now: datetime | None = None) -> WatchReport:
    """One pass over every organisation that has open cases."""
    now = now or timezone.now()
    total = WatchReport()
    organisation_ids = Case.objects.filter(status__in=OPEN_STATUSES).values("organisation_id").distinct()
    for organisation in Organisation.objects.filter(pk__in=organisation_ids):
        report = watch_organisation(organisation, now)
        total.paused += report.paused
        total.resumed += report.resumed
        total.warned += report.warned
        total.escalated += report.escalated
    return total
