"""The daily retention job: one job per organisation, so a large one does not hold up the others."""

from __future__ import annotations

from datetime import timedelta

from vigie.core.jobs import enqueue, job, periodic
from vigie.core.models import Organisation
from vigie.privacy.actions import do_apply_retention


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
    return do_apply_retention(organisation)
