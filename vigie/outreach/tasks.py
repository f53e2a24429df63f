"""Jobs of outreach: the invitation after a resolved case, and the due sends and reminders."""

from __future__ import annotations

from datetime import timedelta

from vigie.core.jobs import job, periodic
from vigie.inbox.models import Case
from vigie.outreach.actions import (
    BATCH_JOB,
    do_fail_list,
    do_forget_old_lists,
    do_invite_after_case,
    do_send_due,
    run_list_slice,
)
from vigie.outreach.models import InviteBatch


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


@job(BATCH_JOB, max_attempts=1)
def invite_list(batch_id: int, start: int) -> str:
    """A slice of a list of customers, or of survey results (queued from the page); it queues the
    next slice. (The job keeps its name for both: runs already queued go on after an upgrade.)"""
    try:
        return run_list_slice(batch_id, start)
    except Exception as exc:
        # Not retried blindly: the page says the run stopped, and sending the same file again goes
        # on where it stopped (the rows reached are "already invited").
        batch = InviteBatch.objects.filter(pk=batch_id).first()
        if batch is not None:
            do_fail_list(batch, f"{type(exc).__name__}: {exc}")
        raise


@periodic("outreach.forget_old_lists", every=timedelta(days=1))
def forget_old_lists() -> int:
    """The reports of lists sent more than 90 days ago go (they name the addresses not invited)."""
    return do_forget_old_lists()
