"""The sending shape the private channels share: e-mail (``private``) and platform direct messages
(``direct_messages``).

A queued outbound ``PrivateMessage`` is claimed (queued -> sending) by a conditional UPDATE before
the platform or the SMTP server is called, so one job run sends it and a second run finds nothing
to claim. A message left ``sending`` past the lease by a worker that died may or may not have
left, and neither SMTP nor these platforms deduplicate: it is marked failed, never sent blindly
again (a person checks, then resends). A failure is queued again with a growing delay only when the
caller knows the message surely did not leave; otherwise the message, its reply and its
publication fail, with an audit event and a notice to the person who wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from vigie.core.actions import do_notify, do_record_audit_event
from vigie.core.jobs import enqueue
from vigie.inbox.models import (
    MessageDirection,
    MessageState,
    PrivateChannel,
    PrivateMessage,
    PrivateThread,
    Publication,
    PublicationState,
    Reply,
    ReplyStatus,
)


@dataclass(frozen=True)
class Outbound:
    """How one channel's job sends: its job, its limits, and the names of its failure."""

    job: str
    dedupe_prefix: str  # "private-email" -> dedupe keys "private-email:PK:…"
    max_attempts: int
    retry_base_seconds: int
    lease: timedelta
    failed_event: str  # the audit event and the notice kind of a message that failed
    # Only messages of this channel are claimed (None: any outbound message).
    channel: PrivateChannel | None = None

    def enqueue_send(self, message_pk: int, suffix: str = "", *, delay: timedelta | None = None) -> None:
        """Enqueue this channel's job for one message; ``suffix`` tells runs apart (attempt, sweep)."""
        key = f"{self.dedupe_prefix}:{message_pk}" + (f":{suffix}" if suffix else "")
        enqueue(self.job, {"message_pk": message_pk}, dedupe_key=key, delay=delay)

    def claim(self, message_pk: int, *, related: tuple[str, ...], interrupted: str) -> PrivateMessage | None:
        """Take a queued message for sending, once; None when it is not ours to send. A message
        left ``sending`` past the lease is marked failed with the reason ``interrupted``."""
        now = timezone.now()
        of_channel = {} if self.channel is None else {"thread__channel": self.channel}
        taken = PrivateMessage.objects.filter(
            pk=message_pk, state=MessageState.QUEUED, direction=MessageDirection.OUTBOUND, **of_channel
        ).update(state=MessageState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        if taken:
            return PrivateMessage.objects.select_related(*related).get(pk=message_pk)
        PrivateMessage.objects.filter(
            pk=message_pk, state=MessageState.SENDING, claimed_at__lt=now - self.lease, **of_channel
        ).update(state=MessageState.FAILED, error=interrupted)
        return None

    @staticmethod
    def record_sent(
        message: PrivateMessage,
        *,
        now: datetime,
        message_values: dict[str, Any] | None = None,
        publication_values: dict[str, Any] | None = None,
        reply_values: dict[str, Any] | None = None,
    ) -> None:
        """After the server or the platform took the message: it is sent, its thread's last
        message is now, and the reply it carried (if any) is published. ``*_values`` add what the
        channel learnt (the platform's ids and link). Call it inside the transaction that records
        the channel's audit event."""
        PrivateMessage.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
            state=MessageState.SENT, sent_at=now, error="", **(message_values or {})
        )
        PrivateThread.objects.filter(pk=message.thread_id).update(last_message_at=now)
        if message.reply_id:
            Publication.objects.filter(reply_id=message.reply_id).update(
                state=PublicationState.PUBLISHED, updated_at=now, **(publication_values or {})
            )
            Reply.objects.filter(pk=message.reply_id).update(
                status=ReplyStatus.PUBLISHED, published_at=now, **(reply_values or {})
            )

    def record_error(
        self,
        message: PrivateMessage,
        reason: str,
        *,
        retry: bool,
        delay: float | None = None,
        notice_title: str | Promise,
    ) -> str:
        """After a failed send: queued again later (``retry``, within the attempts) or failed.

        Returns the message's state. ``delay`` (seconds, a platform's Retry-After) replaces the
        doubling wait; ``notice_title`` is the title of the author's notice when it fails (a lazy
        text: it is written in the author's language)."""
        reason = reason[:2000]
        if retry and message.attempts < self.max_attempts:
            wait = timedelta(seconds=delay or self.retry_base_seconds * 2 ** (message.attempts - 1))
            with transaction.atomic():
                if PrivateMessage.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
                    state=MessageState.QUEUED, error=reason
                ):
                    self.enqueue_send(message.pk, str(message.attempts), delay=wait)
            return MessageState.QUEUED
        case = message.thread.case
        with transaction.atomic():
            PrivateMessage.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
                state=MessageState.FAILED, error=reason
            )
            if message.reply_id:
                Publication.objects.filter(reply_id=message.reply_id).update(
                    state=PublicationState.FAILED, last_error=reason, updated_at=timezone.now()
                )
                Reply.objects.filter(pk=message.reply_id).update(status=ReplyStatus.FAILED, error=reason)
            do_record_audit_event(
                case.organisation, self.failed_event, obj=case, data={"message": message.pk, "error": reason}
            )
            if message.author is not None and message.author.is_active:
                do_notify(
                    case.organisation,
                    message.author,
                    self.failed_event,
                    lambda: f"{notice_title} ({case.reference})",
                    body=reason,
                    url=reverse("case_detail", args=[case.pk]),
                )
        return MessageState.FAILED
