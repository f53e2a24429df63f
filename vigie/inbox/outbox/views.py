"""Pages of the outbox and the private channel, under /inbox/cases/<pk>/…, and the inbound-mail
webhook.

The two partials (``inbox/_publication_status.html``, ``inbox/_private_channel.html``) are served
as HTMX fragments by ``case_publication`` and ``case_private``, and can be included in the case
page with ``publication_context`` / ``private_channel_context``. Each POST answers an HTMX request
with the refreshed fragment and a plain form post with a redirect to the case page.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from vigie.connectors.platforms import item_url
from vigie.core.decorators import current_membership, member_required
from vigie.core.models import Membership
from vigie.core.queries import audit_events_for
from vigie.core.roles import HANDLE_CASES, READ
from vigie.core.tenancy import get_in_org, scoped
from vigie.inbox.actions import ReplyRefused
from vigie.inbox.models import (
    CallbackLog,
    CallbackOutcome,
    Case,
    ExternalTicket,
    PrivateChannel,
    PrivateMessage,
    PrivateThread,
    Publication,
    PublicationState,
    Reply,
)
from vigie.inbox.outbox.direct_messages import do_send_direct_message
from vigie.inbox.outbox.private import (
    InboundEmail,
    InboundError,
    IngestOutcome,
    direct_messages_available,
    do_link_external_ticket,
    do_log_callback,
    do_open_email_thread,
    do_resend_email,
    do_send_email,
    ingest_email,
    parse_email,
)
from vigie.inbox.outbox.publishing import (
    can_delete,
    can_edit,
    do_confirm_posted_by_hand,
    do_delete_published_reply,
    do_edit_published_reply,
    do_resolve_unknown_publication,
    do_retry_publication,
)
from vigie.inbox.queries import get_case
from vigie.inbox.views.case import findings_context
from vigie.inbox.views.conversation import event_actor_name

SIGNATURE_HEADER = "X-Vigie-Signature"


def _safe_url(url: str) -> str:
    # A platform's or an agent's link must never run script.
    return url if url.lower().startswith(("https://", "http://")) else ""


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- publication status ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationRow:
    """One reply with its outbox row and what a person may do with it."""

    reply: Reply
    publication: Publication
    url: str
    can_edit: bool
    can_delete: bool
    # The text a person tried to put instead, with the gate's findings on it, when it was refused.
    edit: dict[str, Any] | None = None
    # Who confirmed a reply posted by hand ("" otherwise): the card says who and when.
    posted_by: str = ""


@dataclass(frozen=True)
class RefusedEdit:
    """A refused change of a published reply: the text tried and why it was refused."""

    reply_pk: int
    body: str
    refused: ReplyRefused
    confirmed: list[str]


def _on_platform(publication: Publication) -> bool:
    """A public reply published by Vigie (a private message sent is neither edited nor deleted)."""
    return publication.state == PublicationState.PUBLISHED and publication.reply.channel == "public"


def _posted_by_hand_by(case: Case, publication: Publication) -> str:
    """The name of whoever confirmed ``publication`` posted by hand, from the case's audit log."""
    if publication.state != PublicationState.POSTED_BY_HAND:
        return ""
    event = (
        audit_events_for(case.organisation, publication.reply._meta.label_lower, str(publication.reply_id))
        .filter(verb="reply.posted_by_hand")
        .select_related("actor")
        .last()
    )
    return event_actor_name(event) if event is not None else ""


def publication_context(
    case: Case,
    membership: Membership,
    *,
    error: str = "",
    refused_edit: RefusedEdit | None = None,
    posted: Mapping[str, Any] | None = None,
    failed: str = "",
    failed_pk: int | None = None,
) -> dict[str, Any]:
    """What ``inbox/_publication_status.html`` needs for ``case``; after a refused step, what was
    typed (``posted``) and which form failed (``failed``), so the message shows beside it."""
    publications = scoped(Publication, case.organisation).filter(reply__case=case).select_related("reply")
    rows = [
        PublicationRow(
            reply=publication.reply,
            publication=publication,
            url=_safe_url(publication.url),
            can_edit=_on_platform(publication) and can_edit(publication.platform),
            can_delete=_on_platform(publication) and can_delete(publication.platform),
            posted_by=_posted_by_hand_by(case, publication),
            edit=(
                {
                    "body": refused_edit.body,
                    **findings_context(
                        refused_edit.refused.findings, refused_edit.body, refused_edit.confirmed
                    ),
                }
                if refused_edit is not None and refused_edit.reply_pk == publication.reply_id
                else None
            ),
        )
        for publication in publications.order_by("created_at", "pk")
    ]
    return {
        "case": case,
        "publication_rows": rows,
        "mention_url": _safe_url(item_url(case.mention.source.platform, case.mention)),
        "can_handle": membership.can(HANDLE_CASES),
        "publication_error": error,
        "states": PublicationState,
        "posted": posted or {},
        "failed": failed,
        "failed_pk": failed_pk,
    }


@member_required(READ)
@require_GET
def case_publication(request: HttpRequest, pk: int) -> HttpResponse:
    """The outbox state of the case's replies (fragment)."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    return render(request, "inbox/_publication_status.html", publication_context(case, member))


def _reply_of(member: Membership, pk: int, reply_pk: int) -> tuple[Case, Reply]:
    case = get_case(member.organisation, pk)
    reply = get_in_org(Reply, member.organisation, reply_pk)
    if reply.case_id != case.pk:
        raise Http404
    return case, reply


def _after_step(
    request: HttpRequest,
    member: Membership,
    case: Case,
    done: str,
    error: ValidationError | None,
    *,
    partial: str,
    context_of: Callable[..., dict[str, Any]],
    form: str = "",
    form_pk: int | None = None,
) -> HttpResponse:
    """HTMX gets the refreshed ``partial`` (400 on error, swapped all the same: htmx-config in
    base.html), with the message beside ``form`` and what was typed in it; a plain form post gets
    a message and the case page."""
    if _is_htmx(request):
        if error is None:
            return render(request, partial, context_of(case, member), status=200)
        context = context_of(
            case, member, error=_error_text(error), posted=request.POST, failed=form, failed_pk=form_pk
        )
        return render(request, partial, context, status=400)
    if error is not None:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, done)
    return redirect("case_detail", pk=case.pk)


def _after_publication_step(
    request: HttpRequest,
    member: Membership,
    case: Case,
    done: str,
    error: ValidationError | None,
    form: str = "",
    form_pk: int | None = None,
) -> HttpResponse:
    return _after_step(
        request,
        member,
        case,
        done,
        error,
        partial="inbox/_publication_status.html",
        context_of=publication_context,
        form=form,
        form_pk=form_pk,
    )


@member_required(HANDLE_CASES)
@require_POST
def reply_retry(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    """Queue a failed publication again."""
    member = current_membership(request)
    case, reply = _reply_of(member, pk, reply_pk)
    try:
        do_retry_publication(reply, actor=member.user)
    except ValidationError as error:
        return _after_publication_step(request, member, case, "", error)
    return _after_publication_step(request, member, case, _("Publication relancée."), None)


@member_required(HANDLE_CASES)
@require_POST
def reply_posted_by_hand(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    """Confirm that the reply was posted on the platform by hand ("copy and open")."""
    member = current_membership(request)
    case, reply = _reply_of(member, pk, reply_pk)
    url = request.POST.get("url", "").strip()[:1000]
    try:
        if url and not _safe_url(url):
            raise ValidationError(_("Adresse web invalide."))
        do_confirm_posted_by_hand(reply, actor=member.user, url=url)
    except ValidationError as error:
        return _after_publication_step(request, member, case, "", error, form="by-hand", form_pk=reply.pk)
    response = _after_publication_step(
        request, member, case, _("Réponse marquée comme publiée à la main."), None
    )
    if _is_htmx(request):
        # The case's status, its conversation and its composer (folded while the reply waited)
        # change with it: the whole page is read again.
        response["HX-Refresh"] = "true"
    return response


@member_required(HANDLE_CASES)
@require_POST
def reply_check(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    """Say what was found on the platform for a reply whose publication is uncertain."""
    member = current_membership(request)
    case, reply = _reply_of(member, pk, reply_pk)
    found = request.POST.get("found")
    try:
        if found not in ("yes", "no"):
            raise ValidationError(_("Indiquez si la réponse est présente sur la plateforme."))
        do_resolve_unknown_publication(reply, actor=member.user, found=found == "yes")
    except ValidationError as error:
        return _after_publication_step(request, member, case, "", error)
    done = _("Publication confirmée.") if found == "yes" else _("Réponse remise en file de publication.")
    return _after_publication_step(request, member, case, done, None)


@member_required(HANDLE_CASES)
@require_POST
def reply_edit(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    """Change the text of a reply already published through the platform's API."""
    member = current_membership(request)
    case, reply = _reply_of(member, pk, reply_pk)
    body = request.POST.get("body", "")[:10_000]
    overrides = request.POST.getlist("overrides")
    try:
        do_edit_published_reply(
            reply,
            body,
            actor=member.user,
            overrides=overrides,
            override_reason=request.POST.get("override_reason", "")[:500],
        )
    except ReplyRefused as refused:
        if _is_htmx(request):
            attempt = RefusedEdit(reply.pk, body, refused, overrides)
            context = publication_context(case, member, error=_error_text(refused), refused_edit=attempt)
            return render(request, "inbox/_publication_status.html", context, status=400)
        messages.error(request, " ".join([*refused.messages, *(f.message for f in refused.findings)]))
        return redirect("case_detail", pk=case.pk)
    except ValidationError as error:
        return _after_publication_step(request, member, case, "", error)
    return _after_publication_step(request, member, case, _("Réponse modifiée sur la plateforme."), None)


@member_required(HANDLE_CASES)
@require_POST
def reply_delete(request: HttpRequest, pk: int, reply_pk: int) -> HttpResponse:
    """Delete a published reply from the platform."""
    member = current_membership(request)
    case, reply = _reply_of(member, pk, reply_pk)
    try:
        do_delete_published_reply(reply, actor=member.user)
    except ValidationError as error:
        return _after_publication_step(request, member, case, "", error)
    return _after_publication_step(request, member, case, _("Réponse supprimée de la plateforme."), None)


# --- private channel --------------------------------------------------------------------------------


def _masked(phone: str) -> str:
    digits = [ch for ch in phone if ch.isdigit()]
    return "•• •• " + "".join(digits[-2:])


def private_channel_context(
    case: Case,
    membership: Membership,
    *,
    error: str = "",
    posted: Mapping[str, Any] | None = None,
    failed: str = "",
    failed_pk: int | None = None,
) -> dict[str, Any]:
    """What ``inbox/_private_channel.html`` needs for ``case``; after a refused step, what was
    typed (``posted``) and which form failed (``failed``), so the message shows beside it."""
    org = case.organisation
    threads = list(
        scoped(PrivateThread, org).filter(case=case).prefetch_related("messages").order_by("created_at", "pk")
    )
    callbacks = [
        (callback, _masked(callback.phone))
        for callback in scoped(CallbackLog, org).filter(case=case).select_related("called_by")
    ]
    tickets = [(ticket, _safe_url(ticket.url)) for ticket in scoped(ExternalTicket, org).filter(case=case)]
    return {
        "case": case,
        "threads": threads,
        "callbacks": callbacks,
        "tickets": tickets,
        "outcomes": CallbackOutcome.choices,
        "platform": case.mention.source.platform,
        "dm_available": direct_messages_available(case.mention.source.platform),
        "can_handle": membership.can(HANDLE_CASES),
        "private_error": error,
        "posted": posted or {},
        "failed": failed,
        "failed_pk": failed_pk,
    }


@member_required(READ)
@require_GET
def case_private(request: HttpRequest, pk: int) -> HttpResponse:
    """The private channel of the case: e-mail threads, callbacks, external tickets (fragment)."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    return render(request, "inbox/_private_channel.html", private_channel_context(case, member))


def _after_private_step(
    request: HttpRequest,
    member: Membership,
    case: Case,
    done: str,
    error: ValidationError | None,
    form: str = "",
    form_pk: int | None = None,
) -> HttpResponse:
    return _after_step(
        request,
        member,
        case,
        done,
        error,
        partial="inbox/_private_channel.html",
        context_of=private_channel_context,
        form=form,
        form_pk=form_pk,
    )


@member_required(HANDLE_CASES)
@require_POST
def private_email_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open an e-mail thread with the customer and send its first message."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    try:
        thread = do_open_email_thread(
            case,
            address=request.POST.get("address", "")[:254],
            subject=request.POST.get("subject", "")[:200],
            actor=member.user,
        )
        do_send_email(thread, request.POST.get("body", ""), actor=member.user)
    except ValidationError as error:
        return _after_private_step(request, member, case, "", error, form="email")
    return _after_private_step(request, member, case, _("E-mail en cours d'envoi."), None)


@member_required(HANDLE_CASES)
@require_POST
def private_email_send(request: HttpRequest, pk: int, thread_pk: int) -> HttpResponse:
    """Send the next e-mail of an open thread."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    thread = get_in_org(PrivateThread, member.organisation, thread_pk)
    if thread.case_id != case.pk or thread.channel != PrivateChannel.EMAIL:
        raise Http404
    try:
        do_send_email(thread, request.POST.get("body", ""), actor=member.user)
    except ValidationError as error:
        return _after_private_step(request, member, case, "", error, form="thread", form_pk=thread.pk)
    return _after_private_step(request, member, case, _("E-mail en cours d'envoi."), None)


@member_required(HANDLE_CASES)
@require_POST
def private_direct_message_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Write to the customer privately on the platform (Messenger, Instagram Direct, X)."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    try:
        do_send_direct_message(case, request.POST.get("body", ""), actor=member.user)
    except ValidationError as error:
        return _after_private_step(request, member, case, "", error, form="direct-message")
    return _after_private_step(request, member, case, _("Message privé en cours d'envoi."), None)


@member_required(HANDLE_CASES)
@require_POST
def private_email_resend(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    """Send a failed e-mail again (same message)."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    message = get_in_org(PrivateMessage, member.organisation, message_pk)
    if message.thread.case_id != case.pk:
        raise Http404
    try:
        do_resend_email(message, actor=member.user)
    except ValidationError as error:
        return _after_private_step(request, member, case, "", error, form="resend", form_pk=message.pk)
    return _after_private_step(request, member, case, _("E-mail en cours d'envoi."), None)


@member_required(HANDLE_CASES)
@require_POST
def private_callback(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a phone call back to the customer."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    try:
        do_log_callback(
            case,
            phone=request.POST.get("phone", "")[:40],
            outcome=request.POST.get("outcome", ""),
            notes=request.POST.get("notes", ""),
            actor=member.user,
        )
    except ValidationError as error:
        return _after_private_step(request, member, case, "", error, form="callback")
    return _after_private_step(request, member, case, _("Appel enregistré."), None)


@member_required(HANDLE_CASES)
@require_POST
def private_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a ticket of another tool to the case."""
    member = current_membership(request)
    case = get_case(member.organisation, pk)
    try:
        do_link_external_ticket(
            case,
            reference=request.POST.get("reference", ""),
            url=request.POST.get("url", "")[:1000],
            actor=member.user,
        )
    except ValidationError as error:
        return _after_private_step(request, member, case, "", error, form="ticket")
    return _after_private_step(request, member, case, _("Ticket lié au dossier."), None)


# --- inbound e-mail webhook --------------------------------------------------------------------------


class InboundJson(BaseModel):
    """The JSON form of the webhook: the whole message in ``raw``, or its parts."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)

    raw: str = ""
    sender: str = Field(default="", alias="from", max_length=254)
    to: list[str] = Field(default_factory=list, max_length=50)
    subject: str = Field(default="", max_length=300)
    text: str = Field(default="", max_length=200_000)
    message_id: str = Field(default="", max_length=255)
    in_reply_to: str = Field(default="", max_length=255)
    references: list[str] = Field(default_factory=list, max_length=100)


def _inbound_from_json(body: bytes) -> InboundEmail:
    try:
        payload = InboundJson.model_validate(json.loads(body))
    except (ValueError, PydanticValidationError) as exc:
        raise InboundError("the JSON body does not match the expected fields") from exc
    if payload.raw:
        return parse_email(payload.raw.encode("utf-8"))
    if "@" not in payload.sender:
        raise InboundError("no sender address (from)")
    if not payload.message_id:
        raise InboundError("message_id is required without raw")
    return InboundEmail(
        message_id=payload.message_id,
        sender=payload.sender,
        subject=payload.subject,
        body=payload.text.strip(),
        recipients=tuple(payload.to),
        in_reply_to=payload.in_reply_to,
        references=tuple(payload.references),
    )


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def inbound_email_webhook(request: HttpRequest) -> HttpResponse:
    """Receive a customer's e-mail from a mail provider's inbound hook.

    The body is raw RFC 822 (``message/rfc822``) or JSON; it is signed with HMAC-SHA256 over the
    exact body with ``VIGIE_INBOUND_EMAIL_SECRET`` in ``X-Vigie-Signature: sha256=<hex>``.
    Answers 201 stored, 200 already stored (same Message-ID), 400 unreadable, 401 bad signature,
    422 no thread matches (the provider keeps or bounces it: nothing is lost silently).
    """
    secret = settings.INBOUND_EMAIL_SECRET
    if not secret:
        raise Http404
    body = request.body
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(request.headers.get(SIGNATURE_HEADER, ""), expected):
        return _json_error("bad or missing signature", 401)
    content_type = request.content_type or ""
    if not body.strip():
        return _json_error("unreadable message: empty body", 400)
    try:
        if content_type == "application/json":
            inbound = _inbound_from_json(body)
        elif content_type in ("message/rfc822", "text/plain", "application/octet-stream"):
            inbound = parse_email(body)
        else:
            return _json_error("send message/rfc822 or application/json", 415)
    except InboundError as exc:
        return _json_error(f"unreadable message: {exc}", 400)
    result = ingest_email(inbound)
    if result.outcome == IngestOutcome.UNMATCHED:
        return _json_error("no conversation matches this message", 422)
    status = 201 if result.outcome == IngestOutcome.STORED else 200
    return JsonResponse({"status": result.outcome.value, "message_id": inbound.message_id}, status=status)
