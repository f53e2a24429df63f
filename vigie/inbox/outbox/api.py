"""API routes of the publishing outbox: what became of a case's replies, and the steps a person
takes when a platform has no reply API or an outcome is uncertain."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema

from vigie.core.api_auth import require
from vigie.core.api_schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiDateTime,
    from_django_validation_error,
    invalid,
)
from vigie.core.models import Membership
from vigie.core.roles import HANDLE_CASES, READ
from vigie.core.tenancy import get_in_org, scoped
from vigie.inbox.models import Publication, PublicationState, Reply, ReplyChannel
from vigie.inbox.outbox.publishing import (
    do_confirm_posted_by_hand,
    do_resolve_unknown_publication,
    do_retry_publication,
)
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
    url: str = Field(default="", max_length=1000, description="Link to the reply posted by hand (optional).")


class CheckIn(Schema):
    found: bool = Field(description="True: the reply is on the platform. False: it is not; send it again.")


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
