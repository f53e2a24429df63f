"""Jobs of outreach: the invitation after a resolved case, and the due sends and reminders."""

from __future__ import annotations

from datetime import timedelta

from vigie.core.jobs import job, periodic
from vigie.inbox.models import Case
from vigie.outreach.actions import do_invite_after_case, do_send_due


@job("outreach.invite_after_case")
def invite_after_case(case_id: int) -> str:
    case = (
        Case.objects.filter(pk=case_id)
        .select_related("organisation", "mention__author", "mention__location", "mention__source")
        .first()
    )
    if case is None or case.status != "resolved":
        return "gone"
    return do_invite_after_case(case)


@periodic("outreach.send_due", every=timedelta(minutes=5))
def send_due() -> dict[str, int]:
    return do_send_due()
