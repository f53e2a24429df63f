"""Direct messages on the platform (Messenger, Instagram Direct, X), beside e-mail in a case.

**In.** A connector reads a private message as a mention of kind ``private_message`` (webhook or
polling), so it is stored once per platform message id with its raw payload, analysed, then routed.
Routing asks ``attach_direct_message`` first: when the same person (the same platform author, so
the same organisation) has an open case, the message joins that case's direct-message thread and
no new case is opened; otherwise the message opens a case of its own, as any mention does, and
its answers go back privately (``do_queue_publication`` never posts them in public).

**Out.** A message typed on the case page (or a reply written on the ``direct_message`` channel)
is a queued ``PrivateMessage`` of the case's direct-message thread; the job
``inbox.send_direct_message`` claims it (queued -> sending) before calling the connector's
``send_direct_message``, so it is sent once. None of these platforms takes an idempotency key:
a failure that may hide a sent message is never retried blindly (a person checks, then resends).
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigie.connectors.actions import SourceConfigError, build_connector
from vigie.connectors.contract import ConnectorError, RateLimited
from vigie.connectors.platforms import UnknownPlatform, platform_facts, platform_name
from vigie.core.actions import do_notify, do_record_audit_event
from vigie.core.egress import EgressRefused
from vigie.core.models import User
from vigie.inbox.actions import do_set_case_status
from vigie.inbox.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    MessageDirection,
    MessageState,
    PrivateChannel,
    PrivateMessage,
    PrivateThread,
    Publication,
    PublicationState,
    Reply,
)
from vigie.inbox.outbox.sending import Outbound
from vigie.mentions.models import Mention, MentionKind

logger = logging.getLogger(__name__)

DM_SEND_JOB = "inbox.send_direct_message"
MAX_DM_ATTEMPTS = 4
DM_RETRY_BASE_SECONDS = 60
DM_LEASE = timedelta(minutes=10)
MAX_DM_CHARS = 10_000
DIRECT_MESSAGE = Outbound(
    job=DM_SEND_JOB,
    dedupe_prefix="direct-message",
    max_attempts=MAX_DM_ATTEMPTS,
    retry_base_seconds=DM_RETRY_BASE_SECONDS,
    lease=DM_LEASE,
    failed_event="case.private_message_failed",
)


def inbound_message_id(mention: Mention) -> str:
    """The ``PrivateMessage.message_id`` of a received direct message: unique per organisation,
    from the platform's own message id (a redelivery finds the same row)."""
    return f"dm:{mention.source.platform}:{mention.external_id}"[:255]


def _thread(case: Case, *, actor: User | None = None) -> PrivateThread:
    """The case's direct-message thread, opened on first use."""
    thread = PrivateThread.objects.filter(case=case, channel=PrivateChannel.DIRECT_MESSAGE).first()
    if thread is not None:
        return thread
    thread = PrivateThread.objects.create(
        organisation=case.organisation,
        case=case,
        channel=PrivateChannel.DIRECT_MESSAGE,
        subject=_("Messages privés sur %(platform)s")
        % {"platform": platform_name(case.mention.source.platform)},
        token=secrets.token_hex(8),
        created_by=actor,
    )
    do_record_audit_event(
        case.organisation, "case.private_thread_opened", actor=actor, obj=case, data={"thread": thread.pk}
    )
    return thread


def _sender_label(mention: Mention) -> str:
    author = mention.author
    if author is None:
        return ""
    return str(author.display_name or (f"@{author.handle}" if author.handle else author.external_id))[:254]


def open_case_of_author(mention: Mention) -> Case | None:
    """The newest open case of the same person on the same platform (authors are per organisation
    and platform, so a message of organisation A never finds a case of organisation B)."""
    if mention.author_id is None:
        return None
    return (
        Case.objects.filter(
            organisation_id=mention.organisation_id,
            status__in=OPEN_STATUSES,
            mention__author_id=mention.author_id,
        )
        .exclude(mention_id=mention.pk)
        .select_related("mention__source", "assignee", "organisation")
        .order_by("-created_at", "-pk")
        .first()
    )


def attach_direct_message(mention: Mention) -> Case | None:
    """Put a received private message in its author's open case; the case, or None when the
    message must open a case of its own. Idempotent: a message already stored returns its case."""
    if mention.kind != MentionKind.PRIVATE_MESSAGE or mention.deleted_at is not None:
        return None
    message_id = inbound_message_id(mention)
    stored = (
        PrivateMessage.objects.filter(organisation_id=mention.organisation_id, message_id=message_id)
        .select_related("thread__case")
        .first()
    )
    if stored is not None:
        return stored.thread.case
    if Case.objects.filter(mention_id=mention.pk).exists():
        return None  # this message opened its own case: routing keeps it up to date
    case = open_case_of_author(mention)
    if case is None:
        return None
    try:
        with transaction.atomic():
            _store_received(case, mention, message_id)
    except IntegrityError:  # stored meanwhile by another worker: once is enough
        pass
    return case


def _store_received(case: Case, mention: Mention, message_id: str) -> PrivateMessage:
    thread = _thread(case)
    message = PrivateMessage.objects.create(
        organisation=case.organisation,
        thread=thread,
        direction=MessageDirection.INBOUND,
        state=MessageState.RECEIVED,
        message_id=message_id,
        sender=_sender_label(mention),
        body=mention.text,
        created_at=mention.created_at,
    )
    PrivateThread.objects.filter(pk=thread.pk).update(last_message_at=mention.created_at)
    do_record_audit_event(
        case.organisation,
        "case.private_message_received",
        obj=case,
        data={"thread": thread.pk, "message": message.pk, "mention": mention.pk},
    )
    # The customer wrote again: the case is back with the agent.
    if case.status == CaseStatus.WAITING_CUSTOMER:
        do_set_case_status(case, CaseStatus.IN_PROGRESS, actor=None)
    if case.assignee is not None and case.assignee.is_active:
        do_notify(
            case.organisation,
            case.assignee,
            "case.private_message_received",
            lambda: f"{_('Message privé du client')} ({case.reference})",
            url=reverse("case_detail", args=[case.pk]),
            data={"case": case.pk, "message": message.pk},
        )
    return message


# --- sending ---------------------------------------------------------------------------------------


def _check_body(body: str) -> str:
    from vigie.inbox.outbox.private import PrivateChannelError

    body = body.strip()
    if not body:
        raise PrivateChannelError({"body": _("Le message est vide.")}, code="empty")
    if len(body) > MAX_DM_CHARS:
        raise PrivateChannelError({"body": _("Le message est trop long.")}, code="too_long")
    return body


@transaction.atomic
def do_send_direct_message(
    case: Case, body: str, *, actor: User | None, reply: Reply | None = None
) -> PrivateMessage:
    """Queue ``body`` as a direct message to the case's customer; the job sends it once."""
    from vigie.inbox.outbox.private import PrivateChannelError

    body = _check_body(body)
    if not platform_facts(case.mention.source.platform).direct_messages:
        raise PrivateChannelError(
            _("Cette plateforme ne permet pas d'envoyer un message privé depuis Vigie : écrivez par e-mail."),
            code="no_direct_messages",
        )
    thread = _thread(case, actor=actor)
    message = PrivateMessage.objects.create(
        organisation=case.organisation,
        thread=thread,
        direction=MessageDirection.OUTBOUND,
        state=MessageState.QUEUED,
        # Replaced by the platform's id once sent; unique meanwhile.
        message_id=f"dm-out:{secrets.token_hex(12)}",
        body=body,
        author=actor,
        reply=reply,
    )
    DIRECT_MESSAGE.enqueue_send(message.pk)
    do_record_audit_event(
        case.organisation,
        "case.private_message_queued",
        actor=actor,
        obj=case,
        data={"thread": thread.pk, "message": message.pk},
    )
    if case.is_open and case.status != CaseStatus.WAITING_CUSTOMER:
        do_set_case_status(case, CaseStatus.WAITING_CUSTOMER, actor=actor)
    return message


def do_send_reply_by_direct_message(reply: Reply, *, actor: User | None) -> Publication:
    """The outbox of a reply on the ``direct_message`` channel: one publication row, one message."""
    case = reply.case
    with transaction.atomic():
        publication = Publication.objects.create(
            organisation=reply.organisation,
            reply=reply,
            platform=case.mention.source.platform,
            state=PublicationState.QUEUED,
            queued_by=actor,
        )
        do_send_direct_message(case, reply.body, actor=actor, reply=reply)
    return publication


def _target(case: Case) -> Mention:
    """What the connector answers: the customer's latest private message on this case's source
    (its window and its sender), else the case's own item (a private reply to a comment)."""
    mention = case.mention
    latest = (
        Mention.objects.filter(
            organisation_id=case.organisation_id,
            source_id=mention.source_id,
            author_id=mention.author_id,
            kind=MentionKind.PRIVATE_MESSAGE,
            deleted_at__isnull=True,
        )
        .select_related("source", "author")
        .order_by("-created_at", "-pk")
        .first()
    )
    return latest if latest is not None and mention.author_id is not None else mention


def _claim(message_pk: int) -> PrivateMessage | None:
    # One left "sending" by a worker that died may have left, and no platform here deduplicates.
    return DIRECT_MESSAGE.claim(
        message_pk,
        related=("thread__case__mention__source", "thread__case__mention__author", "author", "reply"),
        interrupted=_("Envoi interrompu : vérifiez sur la plateforme avant de renvoyer."),
    )


def send_queued_direct_message(message_pk: int) -> str:
    """Body of the job ``inbox.send_direct_message``: send one queued message once.

    Returns the message's state afterwards, or ``"skipped"`` when it was not ours to send.
    """
    from vigie.inbox.outbox.publishing import mention_in, surely_not_sent

    message = _claim(message_pk)
    if message is None:
        return "skipped"
    case = message.thread.case
    key = str(message.reply.idempotency_key) if message.reply is not None else message.message_id
    try:
        connector = build_connector(case.mention.source)
        result = connector.send_direct_message(mention_in(_target(case)), message.body, idempotency_key=key)
    except (SourceConfigError, UnknownPlatform, EgressRefused, ValueError) as exc:
        return _record_dm_error(message, str(exc), retry=False)
    except ConnectorError as exc:
        # Retried only when the platform surely did not take it (refused connection, 429).
        retry = not exc.permanent and surely_not_sent(exc)
        delay = exc.retry_after if isinstance(exc, RateLimited) else None
        return _record_dm_error(message, exc.message, retry=retry, delay=delay)
    now = timezone.now()
    platform_id = (
        f"dm:{case.mention.source.platform}:{result.external_id}"[:255] if result.external_id else ""
    )
    with transaction.atomic():
        message_values: dict[str, object] = {}
        if (
            platform_id
            and not PrivateMessage.objects.filter(
                organisation_id=message.organisation_id, message_id=platform_id
            ).exists()
        ):
            message_values["message_id"] = platform_id
        DIRECT_MESSAGE.record_sent(
            message,
            now=now,
            message_values=message_values,
            publication_values={"url": result.url[:1000]},
            reply_values={"external_id": result.external_id[:255]},
        )
        if case.mention.kind == MentionKind.PRIVATE_MESSAGE:
            # A private message is answered privately: that answer is the case's first response.
            Case.objects.filter(pk=case.pk, first_response_at__isnull=True).update(
                first_response_at=now, updated_at=now
            )
        do_record_audit_event(
            case.organisation,
            "case.private_message_sent",
            obj=case,
            data={"thread": message.thread_id, "message": message.pk, "external_id": result.external_id},
        )
    return MessageState.SENT


def _record_dm_error(message: PrivateMessage, reason: str, *, retry: bool, delay: float | None = None) -> str:
    return DIRECT_MESSAGE.record_error(
        message, reason, retry=retry, delay=delay, notice_title=gettext_lazy("Message privé non envoyé")
    )


def requeue_direct_message(message: PrivateMessage) -> None:
    """Send a failed direct message again (after a person checked it did not leave)."""
    PrivateMessage.objects.filter(pk=message.pk).update(state=MessageState.QUEUED, attempts=0, error="")
    DIRECT_MESSAGE.enqueue_send(message.pk, "resend")


def sweep_direct_messages() -> int:
    """Hand back to the job every direct message whose job was lost; returns how many."""
    cutoff = timezone.now() - DM_LEASE
    stuck = list(
        PrivateMessage.objects.filter(
            direction=MessageDirection.OUTBOUND,
            thread__channel=PrivateChannel.DIRECT_MESSAGE,
            state=MessageState.QUEUED,
            created_at__lt=cutoff,
        ).values_list("pk", flat=True)
    ) + list(
        PrivateMessage.objects.filter(
            direction=MessageDirection.OUTBOUND,
            thread__channel=PrivateChannel.DIRECT_MESSAGE,
            state=MessageState.SENDING,
            claimed_at__lt=cutoff,
        ).values_list("pk", flat=True)
    )
    for pk in stuck:
        DIRECT_MESSAGE.enqueue_send(pk, "sweep")
    return len(stuck)
