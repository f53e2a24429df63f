"""The SLA clock of a case: its deadline in business hours, paused and resumed.

The arithmetic (opening hours, public holidays, time zones) is the charter's business calendar,
``vigie.charter.calendar``; this module applies it to cases.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from vigie.charter.calendar import (
    Calendar,
    add_business_seconds,
    business_seconds_between,
    calendar_for_organisation,
)
from vigie.charter.document import CharterDocument
from vigie.charter.queries import current_charter
from vigie.connectors.platforms import platform_names
from vigie.core.actions import do_record_audit_event
from vigie.inbox.models import Case


def calendar_for(case: Case, charter: CharterDocument | None = None) -> Calendar:
    """The calendar that runs ``case``'s SLA clock."""
    mention = case.mention
    organisation = case.organisation
    charter = charter or current_charter(organisation)
    location = mention.location if mention.location_id else None
    return calendar_for_organisation(charter, organisation.timezone, location=location)


def first_response_hours(charter: CharterDocument, *, platform: str, comment_type: str) -> float:
    """The first-answer delay the charter sets for a platform and comment type (business hours).

    The shortest that applies: the general commitment, the comment type's delay and the platform's
    delay. The general delay is a ceiling, so shortening it shortens every type's.
    """
    delays = [charter.sla.first_response_hours]
    for policy in charter.responses:
        if policy.type == comment_type:
            delays.append(policy.first_response_hours)
    # The charter may name the platform by another of its slugs ("twitter" for X's items).
    for name in platform_names(platform) if platform else []:
        if name in charter.sla.per_platform_hours:
            delays.append(charter.sla.per_platform_hours[name])
    return min(delays)


# --- pause while waiting for the customer ----------------------------------------------------------


@transaction.atomic
def do_pause_sla(case: Case, *, at: datetime | None = None) -> Case:
    """Stop ``case``'s SLA clock (the case now waits for the customer). Idempotent."""
    at = at or timezone.now()
    claimed = Case.objects.filter(pk=case.pk, sla_paused_at__isnull=True).update(sla_paused_at=at)
    if not claimed:
        case.refresh_from_db(fields=["sla_paused_at"])
        return case
    case.sla_paused_at = at
    do_record_audit_event(case.organisation, "case.sla_paused", obj=case, data={"at": at.isoformat()})
    return case


@transaction.atomic
def do_resume_sla(case: Case, *, at: datetime | None = None, closing: bool = False) -> Case:
    """Restart ``case``'s SLA clock; the deadline moves by the business time spent paused. Idempotent.

    ``closing``: the pause ends because the case is being closed; the time is counted the same
    way, but no "Délai repris" is written in its history (nothing restarts)."""
    at = at or timezone.now()
    current = Case.objects.select_for_update(of=("self",)).select_related("mention__location", "organisation")
    locked = current.get(pk=case.pk)
    if locked.sla_paused_at is None:
        return locked
    calendar = calendar_for(locked)
    paused = business_seconds_between(locked.sla_paused_at, at, calendar)
    due = locked.sla_due_at
    new_due = add_business_seconds(due, paused, calendar) if due is not None and paused > 0 else due
    total = locked.sla_paused_seconds + round(paused)
    # A deadline pushed back deserves a fresh warning when it nears again.
    warned_at = None if new_due != due else locked.sla_warned_at
    Case.objects.filter(pk=case.pk).update(
        sla_paused_at=None, sla_paused_seconds=total, sla_due_at=new_due, sla_warned_at=warned_at
    )
    case.sla_paused_at = None
    case.sla_paused_seconds = total
    case.sla_due_at = new_due
    case.sla_warned_at = warned_at
    if closing:
        return case
    do_record_audit_event(
        case.organisation,
        "case.sla_resumed",
        obj=case,
        data={
            "paused_business_seconds": round(paused),
            "sla_due_at": new_due.isoformat() if new_due else None,
        },
    )
    return case
