"""Every write of the inbox. Each function runs in one transaction and records an audit event."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core.actions import do_record_audit_event
from vigie.core.models import Membership, User
from vigie.core.roles import HANDLE_CASES
from vigie.core.tenancy import scoped
from vigie.inbox.models import Case, CaseStatus

# Statuses that close a case: both stamp ``resolved_at`` so "resolved in" KPIs see them.
CLOSING_STATUSES = (CaseStatus.RESOLVED, CaseStatus.NO_ANSWER)


def _locked(case: Case) -> Case:
    # Re-read the row under a lock so two agents acting at once apply one after the other.
    return Case.objects.select_for_update().get(pk=case.pk)


def _check_assignee(case: Case, assignee: User) -> None:
    membership = scoped(Membership, case.organisation).filter(user=assignee).select_related("user").first()
    if membership is None or not membership.user.is_active or not membership.can(HANDLE_CASES):
        raise ValidationError(
            {"assignee": _("Cette personne ne peut pas traiter les dossiers de cette organisation.")},
            code="invalid_assignee",
        )


@transaction.atomic
def do_assign_case(case: Case, assignee: User | None, *, actor: User | None) -> Case:
    """Give ``case`` to ``assignee`` (None takes it back to the unassigned pile).

    The assignee must be an active member of the case's organisation allowed to handle cases;
    otherwise ``ValidationError`` (keyed ``assignee``) is raised and nothing changes.
    """
    if assignee is not None:
        _check_assignee(case, assignee)
    current = _locked(case)
    if current.assignee_id == (assignee.pk if assignee else None):
        case.assignee = assignee
        return case
    previous = current.assignee.email if current.assignee is not None else None
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(assignee=assignee, updated_at=now)
    case.assignee = assignee
    case.updated_at = now
    do_record_audit_event(
        case.organisation,
        "case.assigned",
        actor=actor,
        obj=case,
        data={"from": previous, "to": assignee.email if assignee else None},
    )
    return case


@transaction.atomic
def do_set_case_status(case: Case, status: CaseStatus | str, *, actor: User | None) -> Case:
    """Move ``case`` to ``status``.

    Closing (resolved, or no answer needed) stamps ``resolved_at``; reopening clears it. An unknown
    status raises ``ValidationError`` keyed ``status``.
    """
    try:
        status = CaseStatus(status)
    except ValueError:
        raise ValidationError({"status": _("Statut inconnu.")}, code="invalid_status") from None
    current = _locked(case)
    if current.status == status:
        case.status = status
        return case
    now = timezone.now()
    previous = current.status
    if status in CLOSING_STATUSES:
        resolved_at = current.resolved_at if previous in CLOSING_STATUSES else now
    else:
        resolved_at = None
    Case.objects.filter(pk=case.pk).update(status=status, resolved_at=resolved_at, updated_at=now)
    case.status = status
    case.resolved_at = resolved_at
    case.updated_at = now
    do_record_audit_event(
        case.organisation,
        "case.status_changed",
        actor=actor,
        obj=case,
        data={
            "from": previous,
            "to": status.value,
            "reopened": previous in CLOSING_STATUSES and status not in CLOSING_STATUSES,
        },
    )
    return case
