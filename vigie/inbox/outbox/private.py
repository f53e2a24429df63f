"""The private channel: e-mail out and in, phone callbacks, platform DMs, external tickets.

E-mail leaves through Django's mail settings (SMTP in production), one message per job run,
claimed with a conditional UPDATE so it is sent once. Each thread has a random token carried in
the Reply-To address (``support+TOKEN@example.com``) and the subject (``[#TOKEN]``); together with
the Message-ID / In-Reply-To / References headers this brings the customer's answer back to its
case, whether it arrives by IMAP polling or through the signed inbound-mail webhook. Messages are
stored once per Message-ID, so polling twice or a webhook retry never duplicates them.
"""

from __future__ import annotations

import email
import email.policy
import enum
import hashlib
import html
import imaplib
import logging
import re
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage as ParsedMessage
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigie.connectors.platforms import platform_facts
from vigie.core.actions import do_notify, do_record_audit_event
from vigie.core.models import User
from vigie.inbox.actions import do_set_case_status
from vigie.inbox.models import (
    CallbackLog,
    CallbackOutcome,
    Case,
    CaseStatus,
    ExternalTicket,
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
from vigie.inbox.outbox.sending import Outbound

logger = logging.getLogger(__name__)

SEND_JOB = "inbox.send_private_email"
MAX_SEND_ATTEMPTS = 4
SEND_RETRY_BASE_SECONDS = 60
SEND_LEASE = timedelta(minutes=10)
MAX_BODY_CHARS = 50_000
EMAIL = Outbound(
    job=SEND_JOB,
    dedupe_prefix="private-email",
    max_attempts=MAX_SEND_ATTEMPTS,
    retry_base_seconds=SEND_RETRY_BASE_SECONDS,
    lease=SEND_LEASE,
    failed_event="case.private_email_failed",
    channel=PrivateChannel.EMAIL,
)

_THREAD_ID_PATTERN = r"[0-9a-f]{16}"
_ADDRESS_TOKEN = re.compile(rf"\+({_THREAD_ID_PATTERN})@", re.IGNORECASE)
_SUBJECT_TOKEN = re.compile(rf"\[#({_THREAD_ID_PATTERN})\]", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_PHONE = re.compile(r"^\+?[0-9 .()\-]{6,30}$")
_WEB_LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)


class PrivateChannelError(ValidationError):
    """A private-channel step that cannot be done; the message says why, for the agent."""


class InboundError(ValueError):
    """An inbound e-mail that cannot be read (no sender, not a message at all)."""


# --- capabilities -------------------------------------------------------------------------------


def direct_messages_available(platform: str) -> bool:
    """True when the platform's connector declares it can send direct messages (Facebook's
    Messenger, Instagram Direct, X); see ``vigie.inbox.outbox.direct_messages``."""
    return platform_facts(platform).direct_messages


# --- threads and outgoing e-mail ------------------------------------------------------------------


def reply_address(thread: PrivateThread) -> str:
    """The address a customer answers to: ``VIGIE_REPLY_ADDRESS`` (else the sender) + the token."""
    base = settings.REPLY_ADDRESS or parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "vigie@localhost"
    local, _sep, domain = base.partition("@")
    return f"{local}+{thread.token}@{domain or 'localhost'}"


def thread_subject(thread: PrivateThread) -> str:
    """The subject line, with the case reference and the token that finds the thread again."""
    return f"{thread.subject} [{thread.case.reference}] [#{thread.token}]"


@transaction.atomic
def do_open_email_thread(case: Case, *, address: str, subject: str, actor: User | None) -> PrivateThread:
    """Start an e-mail conversation with the customer of ``case``.

    The address is validated; the audit log records that a thread was opened, not the address.
    """
    address = address.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise PrivateChannelError({"address": _("Adresse e-mail invalide.")}, code="invalid_email") from None
    subject = " ".join(subject.split())[:150] or _("Suite de votre message")
    thread = PrivateThread.objects.create(
        organisation=case.organisation,
        case=case,
        channel=PrivateChannel.EMAIL,
        address=address,
        subject=subject,
        token=secrets.token_hex(8),
        created_by=actor,
    )
    do_record_audit_event(
        case.organisation, "case.private_thread_opened", actor=actor, obj=case, data={"thread": thread.pk}
    )
    return thread


@transaction.atomic
def do_send_email(
    thread: PrivateThread, body: str, *, actor: User | None, reply: Reply | None = None
) -> PrivateMessage:
    """Queue ``body`` as the next e-mail of ``thread``; the job ``inbox.send_private_email`` sends it.

    The message gets its Message-ID now, so a retry of the job sends the very same message.
    """
    body = body.strip()
    if not body:
        raise PrivateChannelError({"body": _("Le message est vide.")}, code="empty")
    if len(body) > MAX_BODY_CHARS:
        raise PrivateChannelError({"body": _("Le message est trop long.")}, code="too_long")
    if thread.channel != PrivateChannel.EMAIL:
        raise PrivateChannelError(_("Ce fil n'est pas un échange par e-mail."), code="bad_channel")
    last = thread.messages.order_by("-created_at", "-pk").first()
    domain = reply_address(thread).rpartition("@")[2]
    message = PrivateMessage.objects.create(
        organisation=thread.organisation,
        thread=thread,
        direction=MessageDirection.OUTBOUND,
        state=MessageState.QUEUED,
        # Short enough to stay on one header line (folded ids trip some mail clients).
        message_id=f"<{secrets.token_hex(10)}.{thread.token}@{domain}>",
        in_reply_to=last.message_id if last else "",
        sender=parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        subject=thread_subject(thread),
        body=body,
        author=actor,
        reply=reply,
    )
    EMAIL.enqueue_send(message.pk)
    do_record_audit_event(
        thread.organisation,
        "case.private_email_queued",
        actor=actor,
        obj=thread.case,
        data={"thread": thread.pk, "message": message.pk},
    )
    case = thread.case
    if case.is_open and case.status != CaseStatus.WAITING_CUSTOMER:
        do_set_case_status(case, CaseStatus.WAITING_CUSTOMER, actor=actor)
    return message


def do_send_reply_by_email(reply: Reply, *, actor: User | None) -> Publication:
    """Send an approved e-mail reply through the case's latest e-mail thread (outbox of e-mail)."""
    thread = (
        PrivateThread.objects.filter(case_id=reply.case_id, channel=PrivateChannel.EMAIL)
        .order_by("-created_at", "-pk")
        .first()
    )
    if thread is None:
        raise PrivateChannelError(_("Ouvrez d'abord un échange par e-mail avec le client."), code="no_thread")
    with transaction.atomic():
        publication = Publication.objects.create(
            organisation=reply.organisation,
            reply=reply,
            platform="email",
            state=PublicationState.QUEUED,
            queued_by=actor,
        )
        do_send_email(thread, reply.body, actor=actor, reply=reply)
    return publication


def requeue_failed_email(reply: Reply) -> PrivateMessage:
    """Queue again the failed e-mail that carries ``reply`` (same Message-ID: one message)."""
    message = (
        PrivateMessage.objects.filter(
            reply=reply, direction=MessageDirection.OUTBOUND, state=MessageState.FAILED
        )
        .order_by("-pk")
        .first()
    )
    if message is None:
        raise PrivateChannelError(
            _("Aucun e-mail en échec à renvoyer pour cette réponse."), code="nothing_failed"
        )
    if message.body != reply.body:  # the reply was corrected after the failure
        PrivateMessage.objects.filter(pk=message.pk).update(body=reply.body)
    return do_resend_email(message, actor=None)


@transaction.atomic
def do_resend_email(message: PrivateMessage, *, actor: User | None) -> PrivateMessage:
    """Send a failed e-mail again, as the same message (same Message-ID), after a person checked
    it did not leave (an interrupted send) or fixed the cause (a refused address)."""
    current = PrivateMessage.objects.select_for_update().select_related("thread__case").get(pk=message.pk)
    if current.direction != MessageDirection.OUTBOUND or current.state != MessageState.FAILED:
        raise PrivateChannelError(_("Seul un e-mail en échec peut être renvoyé."), code="not_failed")
    if current.thread.channel == PrivateChannel.DIRECT_MESSAGE:
        from vigie.inbox.outbox.direct_messages import requeue_direct_message

        requeue_direct_message(current)
    else:
        PrivateMessage.objects.filter(pk=current.pk).update(state=MessageState.QUEUED, attempts=0, error="")
        EMAIL.enqueue_send(current.pk, "resend")
    if current.reply_id:
        Reply.objects.filter(pk=current.reply_id).update(status=ReplyStatus.APPROVED, error="")
        Publication.objects.filter(reply_id=current.reply_id).update(
            state=PublicationState.QUEUED, last_error="", updated_at=timezone.now()
        )
    case = current.thread.case
    do_record_audit_event(
        case.organisation, "case.private_email_resent", actor=actor, obj=case, data={"message": current.pk}
    )
    current.refresh_from_db()
    return current


def _claim_message(message_pk: int) -> PrivateMessage | None:
    # Only e-mails: a direct message is sent by its own job (vigie.inbox.outbox.direct_messages).
    # One left "sending" may or may not have left: SMTP has no idempotency, a person decides.
    return EMAIL.claim(
        message_pk,
        related=("thread__case", "author", "reply"),
        interrupted="interrupted while sending: check the mailbox before resending",
    )


def send_private_email(message_pk: int) -> str:
    """Body of the job ``inbox.send_private_email``: send one queued e-mail once.

    Returns the message's state afterwards, or ``"skipped"`` when it was not ours to send.
    """
    message = _claim_message(message_pk)
    if message is None:
        return "skipped"
    thread = message.thread
    references = list(
        thread.messages.filter(pk__lt=message.pk)
        .order_by("created_at", "pk")
        .values_list("message_id", flat=True)
    )
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if references:
        headers["References"] = " ".join(references)
    outgoing = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[thread.address],
        reply_to=[reply_address(thread)],
        headers=headers,
    )
    try:
        outgoing.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        return _record_send_error(message, exc)
    with transaction.atomic():
        EMAIL.record_sent(message, now=timezone.now())
        do_record_audit_event(
            thread.organisation,
            "case.private_email_sent",
            obj=thread.case,
            data={"thread": thread.pk, "message": message.pk, "message_id": message.message_id},
        )
    return MessageState.SENT


def sweep_private_emails(now: datetime | None = None) -> int:
    """Hand back to the job every e-mail whose job was lost; returns how many.

    Queued messages long past their time are enqueued again; messages left ``sending`` past the
    lease are enqueued so the claim marks them failed (SMTP cannot tell whether they left).
    """
    cutoff = (now or timezone.now()) - SEND_LEASE
    emails = PrivateMessage.objects.filter(
        direction=MessageDirection.OUTBOUND, thread__channel=PrivateChannel.EMAIL
    )
    stuck = list(
        emails.filter(state=MessageState.QUEUED, created_at__lt=cutoff).values_list("pk", flat=True)
    ) + list(emails.filter(state=MessageState.SENDING, claimed_at__lt=cutoff).values_list("pk", flat=True))
    for pk in stuck:
        EMAIL.enqueue_send(pk, "sweep")
    return len(stuck)


def _record_send_error(message: PrivateMessage, exc: Exception) -> str:
    # The server's answer names the problem (refused recipient, auth); it holds no secret.
    reason = f"{type(exc).__name__}: {exc}"
    permanent = isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPAuthenticationError)
    return EMAIL.record_error(
        message, reason, retry=not permanent, notice_title=gettext_lazy("E-mail non envoyé")
    )


# --- incoming e-mail ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundEmail:
    """An e-mail received from a customer, reduced to what the case needs."""

    message_id: str
    sender: str
    subject: str
    body: str
    recipients: tuple[str, ...] = ()
    in_reply_to: str = ""
    references: tuple[str, ...] = field(default_factory=tuple)


def _ids(value: str) -> tuple[str, ...]:
    return tuple(_MESSAGE_ID.findall(value or ""))


def _text_body(message: ParsedMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # unknown charset or broken transfer encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        content = html.unescape(strip_tags(content))
    return content.strip()[:MAX_BODY_CHARS]


def parse_email(raw: bytes) -> InboundEmail:
    """Read a raw RFC 822 message; raises ``InboundError`` when it has no sender address.

    A message without a Message-ID gets one derived from its bytes, so the same message posted
    twice is still recognised.
    """
    if not raw.strip():
        raise InboundError("empty message")
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(parsed, ParsedMessage):
        raise InboundError("not an e-mail message")
    try:
        sender = parseaddr(str(parsed.get("From", "")))[1]
        recipient_headers = [
            str(value)
            for name in ("To", "Cc", "Delivered-To", "X-Original-To")
            for value in parsed.get_all(name, [])
        ]
        subject = str(parsed.get("Subject", ""))
        message_ids = _ids(str(parsed.get("Message-ID", "")))
        in_reply_to = _ids(str(parsed.get("In-Reply-To", "")))
        references = _ids(str(parsed.get("References", "")))
    except (ValueError, TypeError, IndexError) as exc:  # malformed header values
        raise InboundError(f"unreadable headers ({type(exc).__name__})") from None
    if "@" not in sender:
        raise InboundError("no sender address (From)")
    message_id = message_ids[0] if message_ids else f"<{hashlib.sha256(raw).hexdigest()[:40]}@inbound.vigie>"
    return InboundEmail(
        message_id=message_id[:255],
        sender=sender[:254],
        subject=subject[:300],
        body=_text_body(parsed),
        recipients=tuple(address for _name, address in getaddresses(recipient_headers) if address),
        in_reply_to=in_reply_to[0][:255] if in_reply_to else "",
        references=references,
    )


class IngestOutcome(enum.StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    UNMATCHED = "unmatched"


@dataclass(frozen=True)
class IngestResult:
    outcome: IngestOutcome
    message: PrivateMessage | None = None


def find_thread(inbound: InboundEmail) -> PrivateThread | None:
    """The thread an inbound e-mail belongs to: by the token in its address or subject, else by
    the message it answers."""
    tokens = [m.group(1).lower() for r in inbound.recipients if (m := _ADDRESS_TOKEN.search(r))]
    subject_token = _SUBJECT_TOKEN.search(inbound.subject)
    if subject_token:
        tokens.append(subject_token.group(1).lower())
    for token in tokens:
        thread = PrivateThread.objects.filter(token=token).select_related("case").first()
        if thread is not None:
            return thread
    answered = [inbound.in_reply_to, *reversed(inbound.references)]
    known = (
        PrivateMessage.objects.filter(message_id__in=[i for i in answered if i])
        .select_related("thread__case")
        .first()
    )
    return known.thread if known is not None else None


def ingest_email(inbound: InboundEmail) -> IngestResult:
    """Store an inbound e-mail in its thread once; the case goes back to the agent."""
    thread = find_thread(inbound)
    if thread is None:
        return IngestResult(IngestOutcome.UNMATCHED)
    existing = PrivateMessage.objects.filter(
        organisation=thread.organisation, message_id=inbound.message_id
    ).first()
    if existing is not None:
        return IngestResult(IngestOutcome.DUPLICATE, existing)
    try:
        return IngestResult(IngestOutcome.STORED, _store_inbound(thread, inbound))
    except IntegrityError:  # the same message arrived by another path at the same moment
        existing = PrivateMessage.objects.get(organisation=thread.organisation, message_id=inbound.message_id)
        return IngestResult(IngestOutcome.DUPLICATE, existing)


@transaction.atomic
def _store_inbound(thread: PrivateThread, inbound: InboundEmail) -> PrivateMessage:
    now = timezone.now()
    message = PrivateMessage.objects.create(
        organisation=thread.organisation,
        thread=thread,
        direction=MessageDirection.INBOUND,
        state=MessageState.RECEIVED,
        message_id=inbound.message_id,
        in_reply_to=inbound.in_reply_to,
        sender=inbound.sender,
        subject=inbound.subject,
        body=inbound.body,
        created_at=now,
    )
    PrivateThread.objects.filter(pk=thread.pk).update(last_message_at=now)
    case = thread.case
    do_record_audit_event(
        case.organisation,
        "case.private_email_received",
        obj=case,
        data={"thread": thread.pk, "message": message.pk},
    )
    # The customer wrote: the case is back with the agent, reopened if it had been resolved.
    if case.status in (CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED):
        do_set_case_status(case, CaseStatus.IN_PROGRESS, actor=None)
    if case.assignee is not None and case.assignee.is_active:
        do_notify(
            case.organisation,
            case.assignee,
            "case.private_email_received",
            lambda: f"{_('Réponse du client par e-mail')} ({case.reference})",
            url=reverse("case_detail", args=[case.pk]),
            data={"case": case.pk, "message": message.pk},
        )
    return message


@dataclass
class PollReport:
    """What one IMAP poll did."""

    stored: int = 0
    duplicates: int = 0
    unmatched: int = 0
    unreadable: int = 0


def poll_imap() -> PollReport:
    """Read the unseen, unflagged messages of the IMAP folder into their threads.

    Stored and duplicate messages are marked seen; messages that match no thread or cannot be
    read are flagged and left in the mailbox, so nothing is lost and the next poll skips them.
    Does nothing when ``VIGIE_IMAP_HOST`` is not set.
    """
    report = PollReport()
    if not settings.IMAP_HOST:
        return report
    client_class = imaplib.IMAP4_SSL if settings.IMAP_SSL else imaplib.IMAP4
    client = client_class(settings.IMAP_HOST, settings.IMAP_PORT, timeout=30)
    try:
        client.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
        client.select(settings.IMAP_FOLDER)
        _status, data = client.uid("SEARCH", "UNSEEN", "UNFLAGGED")
        for raw_uid in (data[0] or b"").split():
            uid = raw_uid.decode("ascii")
            _status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in parts if isinstance(part, tuple)), b"")
            try:
                outcome = ingest_email(parse_email(raw)).outcome
            except InboundError:
                report.unreadable += 1
                client.uid("STORE", uid, "+FLAGS", "(\\Flagged)")
                continue
            if outcome == IngestOutcome.UNMATCHED:
                report.unmatched += 1
                client.uid("STORE", uid, "+FLAGS", "(\\Flagged)")
                continue
            if outcome == IngestOutcome.STORED:
                report.stored += 1
            else:
                report.duplicates += 1
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.warning("IMAP logout failed")
    if report.unmatched or report.unreadable:
        logger.warning(
            "IMAP poll: %s message(s) match no case and %s cannot be read; they are flagged in %s",
            report.unmatched,
            report.unreadable,
            settings.IMAP_FOLDER,
        )
    return report


# --- phone, tickets -------------------------------------------------------------------------------


@transaction.atomic
def do_log_callback(
    case: Case, *, phone: str, outcome: str, notes: str = "", actor: User | None
) -> CallbackLog:
    """Record a call back to the customer. The number stays on this row: never in the audit log."""
    phone = phone.strip()
    if not _PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 6:
        raise PrivateChannelError({"phone": _("Numéro de téléphone invalide.")}, code="invalid_phone")
    try:
        outcome = CallbackOutcome(outcome)
    except ValueError:
        raise PrivateChannelError({"outcome": _("Issue d'appel inconnue.")}, code="invalid_outcome") from None
    callback = CallbackLog.objects.create(
        organisation=case.organisation,
        case=case,
        phone=phone,
        outcome=outcome,
        notes=notes.strip()[:5000],
        called_by=actor,
    )
    do_record_audit_event(
        case.organisation,
        "case.callback_logged",
        actor=actor,
        obj=case,
        data={"callback": callback.pk, "outcome": outcome.value},
    )
    return callback


@transaction.atomic
def do_link_external_ticket(
    case: Case, *, reference: str, url: str = "", actor: User | None
) -> ExternalTicket:
    """Link a ticket of another tool (helpdesk, CRM) to ``case``; a reference is linked once."""
    reference = reference.strip()[:100]
    url = url.strip()
    if not reference:
        raise PrivateChannelError({"reference": _("Indiquez la référence du ticket.")}, code="empty")
    # A helpdesk's links are often on an intranet host without a dot ("http://helpdesk/t/12"),
    # which Django's URLValidator refuses: an http(s) link without spaces is enough here.
    if url and not _WEB_LINK.match(url):
        raise PrivateChannelError({"url": _("Adresse web invalide.")}, code="invalid_url")
    if ExternalTicket.objects.filter(case=case, reference=reference).exists():
        raise PrivateChannelError(
            {"reference": ValidationError(_("Ce ticket est déjà lié au dossier."), code="duplicate")}
        )
    ticket = ExternalTicket.objects.create(
        organisation=case.organisation, case=case, reference=reference, url=url, linked_by=actor
    )
    do_record_audit_event(
        case.organisation,
        "case.external_ticket_linked",
        actor=actor,
        obj=case,
        data={"reference": reference, "url": url},
    )
    return ticket
