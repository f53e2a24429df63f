"""API routes of the inbox: the case lists of the inbox's views, one case, and changing a case."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from vigie.api.auth import membership, require
from vigie.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiDateTime,
    ErrorOut,
    TeamRef,
    UserRef,
    ValidationErrorOut,
    from_django_validation_error,
    invalid,
)
from vigie.core.models import User
from vigie.core.roles import HANDLE_CASES
from vigie.inbox.actions import do_assign_case, do_set_case_status
from vigie.inbox.models import Case, CaseStatus, Reply, ReplyChannel, ReplyStatus
from vigie.inbox.queries import (
    CaseFilters,
    InboxView,
    SlaState,
    assignable_members,
    case_detail,
    cases,
    get_case,
)
from vigie.mentions.api import MAX_LIMIT, MentionOut
from vigie.mentions.models import MentionType, Sentiment

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    reference: str = Field(examples=["C-000042"])
    status: CaseStatus
    priority: int
    needs_answer: bool
    sla_due_at: ApiDateTime | None = Field(description="When the answer is due.")
    sla_state: SlaState | None = Field(description="None for closed cases and cases without a deadline.")
    first_response_at: ApiDateTime | None
    resolved_at: ApiDateTime | None
    created_at: ApiDateTime
    updated_at: ApiDateTime
    tags: list[str]
    team: TeamRef | None
    assignee: UserRef | None
    mention: MentionOut


def case_fields(case: Case, state: str) -> dict[str, Any]:
    """The values of ``CaseOut`` for one case (mention, source, author, team, assignee joined)."""
    return {
        "id": case.pk,
        "reference": case.reference,
        "status": CaseStatus(case.status),
        "priority": case.priority,
        "needs_answer": case.needs_answer,
        "sla_due_at": case.sla_due_at,
        "sla_state": SlaState(state) if state else None,
        "first_response_at": case.first_response_at,
        "resolved_at": case.resolved_at,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "tags": [str(tag) for tag in case.tags or []],
        "team": TeamRef.of(case.team),
        "assignee": UserRef.of(case.assignee),
        "mention": MentionOut.of(case.mention),
    }


class ReplyOut(Schema):
    id: int
    author: UserRef | None
    channel: ReplyChannel
    body: str
    status: ReplyStatus
    external_id: str = Field(description="The reply's id on the platform once published.")
    error: str = Field(description="Why publication failed, if it did.")
    approved_by: UserRef | None
    created_at: ApiDateTime
    submitted_at: ApiDateTime | None
    approved_at: ApiDateTime | None
    published_at: ApiDateTime | None

    @staticmethod
    def of(reply: Reply) -> ReplyOut:
        return ReplyOut(
            id=reply.pk,
            author=UserRef.of(reply.author),
            channel=ReplyChannel(reply.channel),
            body=reply.body,
            status=ReplyStatus(reply.status),
            external_id=reply.external_id,
            error=reply.error,
            approved_by=UserRef.of(reply.approved_by),
            created_at=reply.created_at,
            submitted_at=reply.submitted_at,
            approved_at=reply.approved_at,
            published_at=reply.published_at,
        )


class CaseDetailOut(CaseOut):
    replies: list[ReplyOut]


class CasePage(Schema):
    count: int = Field(description="How many cases match, all pages together.")
    limit: int
    offset: int
    items: list[CaseOut]


class CaseQuery(Schema):
    """The inbox's views and filters."""

    view: InboxView = Field(InboxView.TODO, description="Which inbox view; `todo` holds every open case.")
    platform: str = ""
    location: int | None = None
    sentiment: Sentiment | None = None
    type: MentionType | None = None
    status: CaseStatus | None = None
    assignee: str = Field("", description="An assignee's e-mail, or `none` for unassigned cases.")
    team: int | None = None
    theme: str = ""
    sla: SlaState | None = None
    q: str = Field("", description="Words to find in the mention or its author's name.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class CasePatch(Schema):
    """Fields to change; leave a field out to keep it. `assignee_email: null` unassigns."""

    status: CaseStatus | None = None
    assignee_email: str | None = Field(None, max_length=254, description="A member allowed to handle cases.")


@router.get(
    "/cases",
    response={200: CasePage, 401: ErrorOut, 422: ValidationErrorOut},
    summary="List cases of an inbox view",
)
def list_cases(request: HttpRequest, filters: Query[CaseQuery]) -> CasePage:
    member = membership(request)
    assignee = filters.assignee.strip()
    queryset = cases(
        member,
        filters.view,
        CaseFilters(
            platform=filters.platform,
            location_id=filters.location,
            sentiment=filters.sentiment.value if filters.sentiment else "",
            mention_type=filters.type.value if filters.type else "",
            status=filters.status.value if filters.status else "",
            unassigned=assignee.lower() == "none",
            assignee_email="" if assignee.lower() == "none" else assignee,
            team_id=filters.team,
            theme=filters.theme,
            sla=filters.sla.value if filters.sla else "",
            text=filters.q.strip(),
        ),
    )
    page = queryset[filters.offset : filters.offset + filters.limit]
    return CasePage(
        count=queryset.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[CaseOut(**case_fields(case, getattr(case, "sla_state", ""))) for case in page],
    )


def _detail(request: HttpRequest, case_id: int) -> CaseDetailOut:
    detail = case_detail(membership(request).organisation, case_id)
    return CaseDetailOut(
        **case_fields(detail.case, detail.sla_state),
        replies=[ReplyOut.of(reply) for reply in detail.replies],
    )


@router.get(
    "/cases/{case_id}", response={200: CaseDetailOut, **READ_ERRORS}, summary="One case with its replies"
)
def get_case_detail(request: HttpRequest, case_id: int) -> CaseDetailOut:
    return _detail(request, case_id)


@router.patch(
    "/cases/{case_id}",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="Change a case's status and/or assignee (agent and above)",
)
def update_case(request: HttpRequest, case_id: int, payload: CasePatch) -> CaseDetailOut:
    member = require(request, HANDLE_CASES)
    case = get_case(member.organisation, case_id)
    given = payload.model_fields_set
    if "status" in given and payload.status is None:
        raise invalid(["body", "payload", "status"], "A case always has a status.")
    assignee: User | None = None
    if "assignee_email" in given and payload.assignee_email is not None:
        found = (
            assignable_members(member.organisation).filter(user__email__iexact=payload.assignee_email).first()
        )
        if found is None:
            raise invalid(
                ["body", "payload", "assignee_email"],
                "No member who may handle cases has this e-mail address.",
            )
        assignee = found.user
    try:
        # Both changes or neither: a bad status must not leave a half-applied request behind.
        with transaction.atomic():
            if "assignee_email" in given:
                do_assign_case(case, assignee, actor=member.user)
            if payload.status is not None:
                do_set_case_status(case, payload.status, actor=member.user)
    except ValidationError as error:
        raise from_django_validation_error(error, field_names={"assignee": "assignee_email"}) from None
    return _detail(request, case.pk)
