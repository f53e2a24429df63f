"""The daily retention job: one job per organisation, so a large one does not hold up the others."""

from __future__ import annotations

from datetime import timedelta

from vigie.core.jobs import enqueue, job, periodic
from vigie.core.models import Organisation, User
from vigie.privacy.actions import do_apply_retention, do_run_due_deferred_erasures
from vigie.privacy.signals import DEFERRED_JOB


@periodic("privacy.schedule_retention", every=timedelta(days=1))
def schedule_retention() -> int:
    """Queue the retention of every organisation; return how many were queued."""
    count = 0
    for pk in Organisation.objects.order_by("pk").values_list("pk", flat=True):
        enqueue("privacy.apply_retention", {"organisation_id": pk}, dedupe_key=f"privacy.retention:{pk}")
        count += 1
    return count


@job("privacy.apply_retention")
def apply_retention(organisation_id: int) -> dict[str, int]:
    """Apply one organisation's retention (idempotent: what is done is not due any more)."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return {}
    # A deferred erasure whose hold was lifted and whose job was lost is caught here too.
    do_run_due_deferred_erasures(organisation)
    return do_apply_retention(organisation)


@job(DEFERRED_JOB)
def erase_deferred(organisation_id: int, actor_id: int | None = None) -> int:
    """Carry out the erasures of ``organisation`` that a legal hold, now lifted, deferred."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return do_run_due_deferred_erasures(organisation, actor=actor)
