"""Jobs of the publishing outbox and the private channel."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from vigie.core.jobs import job, periodic, worker_id
from vigie.inbox.outbox.direct_messages import (
    DM_SEND_JOB,
    send_queued_direct_message,
    sweep_direct_messages,
)
from vigie.inbox.outbox.private import SEND_JOB, poll_imap, send_private_email, sweep_private_emails
from vigie.inbox.outbox.publishing import PUBLISH_JOB, run_publication, sweep_outbox


# Retries are scheduled by the outbox itself (it knows when a retry could post twice), so the
# jobs seam runs each of these once.
@job(PUBLISH_JOB, max_attempts=1)
def publish_reply(reply_id: int) -> str:
    """Publish one reply through its platform's connector (claimed, so it runs once)."""
    return run_publication(reply_id, worker_id())


@job(SEND_JOB, max_attempts=1)
def send_email(message_pk: int) -> str:
    """Send one queued private e-mail."""
    return send_private_email(message_pk)


@job(DM_SEND_JOB, max_attempts=1)
def send_direct_message(message_pk: int) -> str:
    """Send one queued direct message (Messenger, Instagram Direct, X) once."""
    return send_queued_direct_message(message_pk)


@periodic("inbox.sweep_outbox", every=timedelta(minutes=5))
def sweep() -> int:
    """Re-enqueue publications and e-mails whose job was lost (a dead worker, a lost message)."""
    return sweep_outbox() + sweep_private_emails() + sweep_direct_messages()


def poll_mailbox() -> dict[str, int]:
    """Bring customers' e-mail answers into their cases (no-op unless VIGIE_IMAP_HOST is set)."""
    report = poll_imap()
    return {
        "stored": report.stored,
        "duplicates": report.duplicates,
        "unmatched": report.unmatched,
        "unreadable": report.unreadable,
    }


# Polling is scheduled only where a mailbox is configured, so an installation without one does
# not add a no-op job every minute.
if settings.IMAP_HOST:
    periodic("inbox.poll_imap", every=timedelta(seconds=settings.IMAP_POLL_SECONDS))(poll_mailbox)
