"""API routes of the publishing outbox: what became of a case's replies, and the steps a person
takes when a platform has no reply API or an outcome is uncertain."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import StrictBool

from vigie.core.api_auth import require
from vigie.core.api_schemas import (
    EMAIL,
    NON_BLANK,
    PHONE,
    READ_ERRORS,
    WEB_LINK,
    WRITE_ERRORS,
    ApiDateTime,
    from_django_validation_error,
    invalid,
)
from vigie.core.models import Membership
from vigie.core.roles import HANDLE_CASES, READ
from vigie.core.tenancy import get_in_org, scoped
from vigie.inbox.actions import ReplyRefused
from vigie.inbox.models import (
    CallbackLog,
    CallbackOutcome,
    ExternalTicket,
    MessageDirection,
    MessageState,
    PrivateChannel,
    PrivateMessage,
    PrivateThread,
    Publication,
    PublicationState,
    Reply,
    ReplyChannel,
)
from vigie.inbox.outbox.private import (
    do_link_external_ticket,
    do_log_callback,
    do_open_email_thread,
    do_send_email,
)
from vigie.inbox.outbox.publishing import (
    do_confirm_posted_by_hand,
    do_delete_published_reply,
    do_edit_published_reply,
    do_resolve_unknown_publication,
    do_retry_publication,
)
from vigie.inbox.quality.api import FindingOut
from vigie.inbox.queries import get_case

router = Router(tags=["publishing"])


class PublicationOut(Schema):
    reply_id: int
    channel: ReplyChannel
    platform: str = Field(examples=["google_business"], description="'email' for a reply sent by e-mail.")
    state: PublicationState
    attempts: int
    last_error: str = Field(description="The platform's own message when it refused or failed.")
    url: str = Field(description="Where the reply can be seen, when known.")
    updated_at: ApiDateTime


class PostedByHandIn(Schema):
    url: str = Field(
        default="",
        max_length=1000,
        pattern=WEB_LINK,
        description="Link to the reply posted by hand (optional).",
    )


class CheckIn(Schema):
    found: StrictBool = Field(
        description="True: the reply is on the platform. False: it is not; send it again."
    )


def _out(publication: Publication) -> PublicationOut:
    return PublicationOut(
        reply_id=publication.reply_id,
        channel=ReplyChannel(publication.reply.channel),
        platform=publication.platform,
        state=PublicationState(publication.state),
        attempts=publication.attempts,
        last_error=publication.last_error,
        url=publication.url,
        updated_at=publication.updated_at,
    )


def _publication(reply: Reply) -> Publication:
    return Publication.objects.select_related("reply").get(reply=reply)


@router.get(
    "/cases/{case_id}/publications",
    operation_id="vigie_inbox_api_publishing_list_publications",
    response={200: list[PublicationOut], **READ_ERRORS},
    summary="Where each reply of a case stands in the outbox",
)
def list_publications(request: HttpRequest, case_id: int) -> list[PublicationOut]:
    member = require(request, READ)
    case = get_case(member.organisation, case_id)
    rows = scoped(Publication, member.organisation).filter(reply__case=case).select_related("reply")
    return [_out(publication) for publication in rows.order_by("created_at", "pk")]


def _reply(request: HttpRequest, reply_id: int) -> tuple[Membership, Reply]:
    member = require(request, HANDLE_CASES)
    return member, get_in_org(Reply, member.organisation, reply_id)


@router.post(
    "/replies/{reply_id}/posted-by-hand",
    operation_id="vigie_inbox_api_publishing_posted_by_hand",
    response={200: PublicationOut, **WRITE_ERRORS},
    summary="Confirm a reply was posted on the platform by hand (agent and above)",
)
def posted_by_hand(request: HttpRequest, reply_id: int, payload: PostedByHandIn) -> PublicationOut:
    member, reply = _reply(request, reply_id)
    url = payload.url.strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise invalid(["body", "payload", "url"], "Expected an http(s) link.")
    try:
        do_confirm_posted_by_hand(reply, actor=member.user, url=url)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return _out(_publication(reply))


@router.post(
    "/replies/{reply_id}/retry",
    operation_id="vigie_inbox_api_publishing_retry",
    response={200: PublicationOut, **WRITE_ERRORS},
    summary="Queue a failed publication again (agent and above)",
)
def retry(request: HttpRequest, reply_id: int) -> PublicationOut:
    member, reply = _reply(request, reply_id)
    try:
        do_retry_publication(reply, actor=member.user)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return _out(_publication(reply))


@router.post(
    "/replies/{reply_id}/check",
    operation_id="vigie_inbox_api_publishing_check",
    response={200: PublicationOut, **WRITE_ERRORS},
    summary="Say whether an uncertain publication is on the platform (agent and above)",
)
def check(request: HttpRequest, reply_id: int, payload: CheckIn) -> PublicationOut:
    member, reply = _reply(request, reply_id)
    try:
        do_resolve_unknown_publication(reply, actor=member.user, found=payload.found)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return _out(_publication(reply))


# --- editing and deleting a published reply -----------------------------------------------------------


class EditIn(Schema):
    body: str = Field(min_length=1, max_length=10_000)
    overrides: list[str] = Field(default_factory=list, max_length=20, description="Warning codes accepted.")
    override_reason: str = Field("", max_length=500)


class EditRefusedOut(Schema):
    detail: str
    # Empty when the conflict is the reply's state rather than the quality gate's findings.
    findings: list[FindingOut] = Field(default_factory=list)


@router.post(
    "/replies/{reply_id}/edit",
    operation_id="vigie_inbox_api_publishing_edit",
    response={200: PublicationOut, **WRITE_ERRORS, 409: EditRefusedOut},
    summary="Change the text of a reply published through the platform's API (agent and above)",
    description="The new text passes the quality gate; 409 with its findings when it is refused.",
)
def edit(request: HttpRequest, reply_id: int, payload: EditIn) -> PublicationOut | tuple[int, EditRefusedOut]:
    member, reply = _reply(request, reply_id)
    try:
        do_edit_published_reply(
            reply,
            payload.body,
            actor=member.user,
            overrides=payload.overrides,
            override_reason=payload.override_reason,
        )
    except ReplyRefused as refused:
        findings = [FindingOut(**finding.as_dict()) for finding in refused.findings]
        return 409, EditRefusedOut(detail=" ".join(refused.messages), findings=findings)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return _out(_publication(reply))


@router.post(
    "/replies/{reply_id}/delete-on-platform",
    operation_id="vigie_inbox_api_publishing_delete",
    response={200: PublicationOut, **WRITE_ERRORS},
    summary="Delete a published reply from the platform, where it allows (agent and above)",
)
def delete(request: HttpRequest, reply_id: int) -> PublicationOut:
    member, reply = _reply(request, reply_id)
    try:
        do_delete_published_reply(reply, actor=member.user)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return _out(_publication(reply))


# --- the private channel ------------------------------------------------------------------------------


class PrivateMessageOut(Schema):
    id: int
    direction: MessageDirection
    state: MessageState
    sender: str
    body: str
    error: str
    created_at: ApiDateTime
    sent_at: ApiDateTime | None


class PrivateThreadOut(Schema):
    id: int
    channel: PrivateChannel
    address: str
    subject: str
    created_at: ApiDateTime
    messages: list[PrivateMessageOut]


class CallbackOut(Schema):
    id: int
    outcome: CallbackOutcome
    notes: str
    called_at: ApiDateTime


class TicketOut(Schema):
    id: int
    reference: str
    url: str
    created_at: ApiDateTime


class PrivateOut(Schema):
    threads: list[PrivateThreadOut]
    callbacks: list[CallbackOut] = Field(description="The phone number called is never returned.")
    tickets: list[TicketOut]


def _thread_out(thread: PrivateThread) -> PrivateThreadOut:
    return PrivateThreadOut(
        id=thread.pk,
        channel=PrivateChannel(thread.channel),
        address=thread.address,
        subject=thread.subject,
        created_at=thread.created_at,
        messages=[
            PrivateMessageOut(
                id=message.pk,
                direction=MessageDirection(message.direction),
                state=MessageState(message.state),
                sender=message.sender,
                body=message.body,
                error=message.error,
                created_at=message.created_at,
                sent_at=message.sent_at,
            )
            for message in PrivateMessage.objects.filter(thread=thread).order_by("created_at", "pk")
        ],
    )


@router.get(
    "/cases/{case_id}/private",
    operation_id="vigie_inbox_api_private_get",
    response={200: PrivateOut, **READ_ERRORS},
    summary="A case's private channel: e-mail threads, callbacks, external tickets",
)
def private(request: HttpRequest, case_id: int) -> PrivateOut:
    member = require(request, READ)
    case = get_case(member.organisation, case_id)
    org = member.organisation
    return PrivateOut(
        threads=[_thread_out(t) for t in scoped(PrivateThread, org).filter(case=case).order_by("pk")],
        callbacks=[
            CallbackOut(id=c.pk, outcome=CallbackOutcome(c.outcome), notes=c.notes, called_at=c.called_at)
            for c in scoped(CallbackLog, org).filter(case=case)
        ],
        tickets=[
            TicketOut(id=t.pk, reference=t.reference, url=t.url, created_at=t.created_at)
            for t in scoped(ExternalTicket, org).filter(case=case)
        ],
    )


class EmailIn(Schema):
    address: str = Field(
        max_length=254, description="The customer's e-mail address.", json_schema_extra=EMAIL
    )
    subject: str = Field("", max_length=200)
    body: str = Field(min_length=1, max_length=50_000, pattern=NON_BLANK)


@router.post(
    "/cases/{case_id}/private/email",
    operation_id="vigie_inbox_api_private_email",
    response={201: PrivateThreadOut, **WRITE_ERRORS},
    summary="Move a case to e-mail: open a thread and send its first message (agent and above)",
)
def private_email(request: HttpRequest, case_id: int, payload: EmailIn) -> tuple[int, PrivateThreadOut]:
    member = require(request, HANDLE_CASES)
    case = get_case(member.organisation, case_id)
    try:
        thread = do_open_email_thread(
            case, address=payload.address, subject=payload.subject, actor=member.user
        )
        do_send_email(thread, payload.body, actor=member.user)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return 201, _thread_out(thread)


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=50_000)


@router.post(
    "/private-threads/{thread_id}/messages",
    operation_id="vigie_inbox_api_private_send",
    response={201: PrivateThreadOut, **WRITE_ERRORS},
    summary="Send the next e-mail of a private thread (agent and above)",
)
def private_send(request: HttpRequest, thread_id: int, payload: MessageIn) -> tuple[int, PrivateThreadOut]:
    member = require(request, HANDLE_CASES)
    thread = get_in_org(PrivateThread, member.organisation, thread_id)
    if thread.channel != PrivateChannel.EMAIL:
        raise invalid(["path", "thread_id"], "Only e-mail threads can be written to.")
    try:
        do_send_email(thread, payload.body, actor=member.user)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return 201, _thread_out(thread)


class CallbackIn(Schema):
    phone: str = Field(max_length=30, pattern=PHONE, description="Kept private: never shown again in full.")
    outcome: CallbackOutcome
    notes: str = Field("", max_length=5000)


@router.post(
    "/cases/{case_id}/private/callbacks",
    operation_id="vigie_inbox_api_private_callback",
    response={201: CallbackOut, **WRITE_ERRORS},
    summary="Log a phone call back to the customer (agent and above)",
)
def private_callback(request: HttpRequest, case_id: int, payload: CallbackIn) -> tuple[int, CallbackOut]:
    member = require(request, HANDLE_CASES)
    case = get_case(member.organisation, case_id)
    try:
        callback = do_log_callback(
            case, phone=payload.phone, outcome=payload.outcome, notes=payload.notes, actor=member.user
        )
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return 201, CallbackOut(
        id=callback.pk,
        outcome=CallbackOutcome(callback.outcome),
        notes=callback.notes,
        called_at=callback.called_at,
    )


class TicketIn(Schema):
    reference: str = Field(min_length=1, max_length=100, pattern=NON_BLANK)
    url: str = Field("", max_length=1000, pattern=WEB_LINK)


@router.post(
    "/cases/{case_id}/private/tickets",
    operation_id="vigie_inbox_api_private_ticket",
    response={201: TicketOut, **WRITE_ERRORS},
    summary="Link a ticket of another tool to the case (agent and above)",
)
def private_ticket(request: HttpRequest, case_id: int, payload: TicketIn) -> tuple[int, TicketOut]:
    member = require(request, HANDLE_CASES)
    case = get_case(member.organisation, case_id)
    try:
        ticket = do_link_external_ticket(
            case, reference=payload.reference, url=payload.url, actor=member.user
        )
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return 201, TicketOut(
        id=ticket.pk, reference=ticket.reference, url=ticket.url, created_at=ticket.created_at
    )
