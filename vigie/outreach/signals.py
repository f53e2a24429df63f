"""What outreach does when the inbox resolves a case: queue the invitation (sent by a job after the
commit, so resolving never waits for a mail server)."""

from __future__ import annotations

from typing import Any

from vigie.core.jobs import enqueue
from vigie.outreach.models import Campaign


def on_case_resolved(sender: Any, case: Any, **kwargs: Any) -> None:
    # Same treatment whatever the case's sentiment or rating: no gating.
    if Campaign.objects.filter(
        organisation_id=case.organisation_id, enabled=True, after_resolved_case=True
    ).exists():
        enqueue("outreach.invite_after_case", {"case_id": case.pk}, dedupe_key=f"outreach-case-{case.pk}")
