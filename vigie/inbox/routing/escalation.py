"""Escalation: a case marked escalated once, and its supervisors told (by a routing rule, or by
the SLA watcher when a deadline is missed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core.actions import Text, do_notify, do_record_audit_event, render_text
from vigie.core.models import Membership, User
from vigie.core.roles import MANAGE, Role, has_role
from vigie.core.tenancy import scoped
from vigie.inbox.models import Case


def supervisors(case: Case) -> list[User]:
    """Who hears of an escalation: the team's managers, else the organisation's managers and admins."""
    managers = scoped(Membership, case.organisation).filter(
        is_active=True, user__is_active=True, role__in=[r.value for r in Role if has_role(r, MANAGE)]
    )
    if case.team_id:
        in_team = [m.user for m in managers.filter(teams=case.team_id).select_related("user")]
        if in_team:
            return in_team
    return [m.user for m in managers.select_related("user").order_by("user__email")]


def case_url(case: Case) -> str:
    """The case page's address, for notifications (empty when the page is not installed)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("case_detail", args=[case.pk])
    except NoReverseMatch:
        return ""


def rule_reason(rule_name: str) -> Callable[[], str]:
    """The reason of an escalation asked by the rule ``rule_name``, written when read: in the
    language of each person told, and of the organisation in its log."""
    return lambda: _("règle « %(name)s »") % {"name": rule_name}


def notify_escalation(case: Case, reason: Text, recipients: list[User]) -> None:
    """Tell ``recipients`` that ``case`` (saved, escalated) was escalated for ``reason``, each in
    their own language (``reason`` too, when it is a lazy text or a function)."""
    for user in recipients:
        do_notify(
            case.organisation,
            user,
            "case.escalated",
            lambda: (
                _("Dossier %(ref)s escaladé : %(reason)s")
                % {"ref": case.reference, "reason": render_text(reason)}
            ),
            url=case_url(case),
            data={"case_id": case.pk},
        )


@transaction.atomic
def do_escalate_case(
    case: Case, *, reason: Text, at: datetime | None = None, actor: User | None = None
) -> bool:
    """Mark ``case`` escalated and tell the supervisors; False if it was already escalated.

    ``reason`` is logged in the active language (the organisation's, for the jobs) and each
    supervisor reads it in theirs when it is a lazy text or a function (``rule_reason``)."""
    at = at or timezone.now()
    claimed = Case.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=at)
    if not claimed:
        return False
    case.escalated_at = at
    recipients = supervisors(case)
    notify_escalation(case, reason, recipients)
    do_record_audit_event(
        case.organisation,
        "case.escalated",
        actor=actor,
        obj=case,
        data={"reason": render_text(reason), "notified": [u.email for u in recipients]},
        at=at,
    )
    return True
