"""API routes of the inbox: the case lists of the inbox's views, one case, and changing a case."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StrictBool

from vigie.analysis.queries import theme_choices
from vigie.core.api_auth import membership, require
from vigie.core.api_schemas import (
    READ_ERRORS,
    WEB_LINK,
    WRITE_ERRORS,
    ApiDateTime,
    ErrorOut,
    ObjectId,
    Offset,
    TeamRef,
    UserRef,
    ValidationErrorOut,
    from_django_validation_error,
    invalid,
)
from vigie.core.models import Membership, User
from vigie.core.roles import HANDLE_CASES, MANAGE
from vigie.core.tenancy import get_in_org
from vigie.inbox.actions import (
    BulkAction,
    ReplyRefused,
    do_add_note,
    do_approve_reply,
    do_assign_case,
    do_bulk_update_cases,
    do_create_reply,
    do_send_back_reply,
    do_set_case_status,
    do_submit_reply,
    do_update_reply,
)
from vigie.inbox.handling import (
    Closing,
    Moderation,
    do_close_case,
    do_correct_case_analysis,
    do_moderate_case,
)
from vigie.inbox.models import Case, CaseStatus, NoAnswerReason, Note, Reply, ReplyChannel, ReplyStatus
from vigie.inbox.quality.api import FindingOut
from vigie.inbox.queries import (
    CaseFilters,
    InboxView,
    SlaState,
    assignable_members,
    case_detail,
    case_notes,
    cases,
    get_case,
    open_draft,
)
from vigie.inbox.templating.queries import templates_for
from vigie.mentions.models import MentionType, Sentiment
from vigie.mentions.schemas import MAX_LIMIT, MentionOut

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    reference: str = Field(examples=["C-000042"])
    status: CaseStatus
    priority: int
    needs_answer: bool
    no_answer_reason: NoAnswerReason | None = Field(
        None, description="Why no answer is due (troll, spam, answered elsewhere…); null when one is."
    )
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


def _no_answer_reason(case: Case) -> NoAnswerReason | None:
    if case.needs_answer and case.status != CaseStatus.NO_ANSWER:
        return None
    if case.no_answer_reason in NoAnswerReason.values:
        return NoAnswerReason(case.no_answer_reason)
    if case.mention.mention_type in (MentionType.TROLL, MentionType.SPAM):
        return NoAnswerReason(case.mention.mention_type)
    return NoAnswerReason.CHARTER


def case_fields(case: Case, state: str) -> dict[str, Any]:
    """The values of ``CaseOut`` for one case (mention, source, author, team, assignee joined)."""
    return {
        "id": case.pk,
        "reference": case.reference,
        "status": CaseStatus(case.status),
        "priority": case.priority,
        "needs_answer": case.needs_answer,
        "no_answer_reason": _no_answer_reason(case),
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

    view: InboxView = Field(
        InboxView.TODO,
        description="Which inbox view; `todo` holds the open cases whose next move is the team's (new or in progress).",
    )
    platform: str = ""
    location: ObjectId | None = None
    sentiment: Sentiment | None = None
    type: MentionType | None = None
    status: CaseStatus | None = None
    # Lengths capped as the inbox's search box caps them: a longer value only made SQLite refuse
    # the LIKE pattern (a 500 past 50,000 characters).
    assignee: str = Field(
        "", max_length=254, description="An assignee's e-mail, or `none` for unassigned cases."
    )
    team: ObjectId | None = None
    theme: str = ""
    sla: SlaState | None = None
    q: str = Field(
        "",
        max_length=200,
        description=(
            "Words to find in the mention (full-text) or its author's name, or a case reference "
            "(C-000575, or its number)."
        ),
    )
    source: ObjectId | None = None
    stars: int | None = Field(None, ge=1, le=5, description="Rating rounded down, 1 to 5.")
    language: str = ""
    since: ApiDateTime | None = Field(None, description="Mentions published at or after this time.")
    until: ApiDateTime | None = Field(None, description="Mentions published before this time.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class CasePatch(Schema):
    """Fields to change; leave a field out to keep it. `assignee_email: null` unassigns."""

    status: CaseStatus | None = Field(None, description="The new status; left out or null keeps it.")
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
            source_id=filters.source,
            stars=filters.stars,
            language=filters.language,
            since=filters.since,
            until=filters.until,
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


# --- Notes, bulk actions, replies and approval ------------------------------------------------------


class NoteIn(Schema):
    body: str = Field(min_length=1, max_length=5000, description="`@email` notifies that member.")


class NoteOut(Schema):
    id: int
    author: UserRef | None
    body: str
    mentioned_user_ids: list[int]
    created_at: ApiDateTime

    @staticmethod
    def of(note: Note) -> NoteOut:
        return NoteOut(
            id=note.pk,
            author=UserRef.of(note.author),
            body=note.body,
            mentioned_user_ids=[int(pk) for pk in note.mentioned_user_ids or []],
            created_at=note.created_at,
        )


@router.get("/cases/{case_id}/notes", response={200: list[NoteOut], **READ_ERRORS}, summary="A case's notes")
def list_notes(request: HttpRequest, case_id: int) -> list[NoteOut]:
    case = get_case(membership(request).organisation, case_id)
    return [NoteOut.of(note) for note in case_notes(case)]


@router.post(
    "/cases/{case_id}/notes",
    response={201: NoteOut, **WRITE_ERRORS},
    summary="Add an internal note (agent and above)",
)
def add_note(request: HttpRequest, case_id: int, payload: NoteIn) -> tuple[int, NoteOut]:
    member = require(request, HANDLE_CASES)
    case = get_case(member.organisation, case_id)
    try:
        note = do_add_note(case, payload.body, author=member.user)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return 201, NoteOut.of(note)


class BulkIn(Schema):
    ids: list[ObjectId] = Field(min_length=1, max_length=500)
    action: BulkAction
    assignee_email: str = Field("", max_length=254, description="For `assign`; empty unassigns.")
    tag: str = Field("", max_length=40, description="For `tag`.")


class BulkResultOut(Schema):
    case_id: int
    ok: bool
    message: str


@router.post(
    "/bulk/cases",
    response={200: list[BulkResultOut], **WRITE_ERRORS},
    summary="Apply one action to many cases, with one result per case (agent and above)",
)
def bulk_cases(request: HttpRequest, payload: BulkIn) -> list[BulkResultOut]:
    member = require(request, HANDLE_CASES)
    assignee: User | None = None
    if payload.action == BulkAction.ASSIGN and payload.assignee_email:
        found = (
            assignable_members(member.organisation).filter(user__email__iexact=payload.assignee_email).first()
        )
        if found is None:
            raise invalid(
                ["body", "payload", "assignee_email"],
                "No member who may handle cases has this e-mail address.",
            )
        assignee = found.user
    results = do_bulk_update_cases(
        member.organisation,
        payload.ids,
        payload.action,
        actor=member.user,
        assignee=assignee,
        tag=payload.tag,
    )
    return [BulkResultOut(case_id=r.case_id, ok=r.ok, message=r.message) for r in results]


class ReplyIn(Schema):
    body: str = Field(min_length=1, max_length=10000)
    channel: ReplyChannel = ReplyChannel.PUBLIC
    template_id: int | None = None
    submit: StrictBool = Field(
        False, description="Run the quality gate and send (or ask approval); else a draft."
    )
    overrides: list[str] = Field(default_factory=list, description="Warning codes the author confirms.")
    override_reason: str = Field("", max_length=500)


class RefusedOut(Schema):
    detail: str
    # Empty when the conflict is the reply's state rather than the quality gate's findings.
    findings: list[FindingOut] = Field(default_factory=list)


@router.post(
    "/cases/{case_id}/replies",
    response={201: ReplyOut, **WRITE_ERRORS, 409: RefusedOut},
    summary="Write (and optionally submit) the case's reply (agent and above)",
    description="The case's open draft is updated if there is one. With `submit`, the quality gate "
    "runs: blocking findings, or warnings not listed in `overrides` with a reason, answer 409 with "
    "the findings; otherwise the reply waits for approval or goes to publishing.",
)
def write_reply(request: HttpRequest, case_id: int, payload: ReplyIn) -> tuple[int, ReplyOut | RefusedOut]:
    member = require(request, HANDLE_CASES)
    case = get_case(member.organisation, case_id)
    template = None
    if payload.template_id is not None:
        template = next((t for t in templates_for(case, member) if t.pk == payload.template_id), None)
        if template is None:
            raise invalid(["body", "payload", "template_id"], "Unknown template for this case.")
    try:
        draft = open_draft(case)
        if draft is None:
            draft = do_create_reply(
                case, payload.body, author=member.user, channel=payload.channel, template=template
            )
        else:
            draft = do_update_reply(draft, payload.body, actor=member.user, template=template)
        if payload.submit:
            draft = do_submit_reply(
                draft, actor=member.user, overrides=payload.overrides, override_reason=payload.override_reason
            )
    except ReplyRefused as refused:
        findings = [FindingOut(**f.as_dict()) for f in refused.findings]
        return 409, RefusedOut(detail=" ".join(refused.messages), findings=findings)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return 201, ReplyOut.of(draft)


class SendBackIn(Schema):
    comment: str = Field(min_length=1, max_length=2000)


def _reply(request: HttpRequest, reply_id: int) -> tuple[Membership, Reply]:
    member = require(request, MANAGE)
    return member, get_in_org(Reply, member.organisation, reply_id)


@router.post(
    "/replies/{reply_id}/approve",
    response={200: ReplyOut, **WRITE_ERRORS},
    summary="Approve a reply waiting for a supervisor; it goes to publishing (manager and above)",
)
def approve_reply(request: HttpRequest, reply_id: int) -> ReplyOut:
    member, reply = _reply(request, reply_id)
    try:
        do_approve_reply(reply, actor=member.user)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return ReplyOut.of(reply)


@router.post(
    "/replies/{reply_id}/send-back",
    response={200: ReplyOut, **WRITE_ERRORS},
    summary="Send a reply back to its author with a comment (manager and above)",
)
def send_back_reply(request: HttpRequest, reply_id: int, payload: SendBackIn) -> ReplyOut:
    member, reply = _reply(request, reply_id)
    try:
        do_send_back_reply(reply, actor=member.user, comment=payload.comment)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return ReplyOut.of(reply)


# --- Correcting the analysis, moderating, closing -----------------------------------------------------


class AnalysisCorrectionIn(Schema):
    """The corrected fields; leave a field out to keep the analysis' value."""

    sentiment: Sentiment | None = None
    type: MentionType | None = None
    themes: list[str] | None = Field(None, max_length=20, description="Theme slugs of the taxonomy.")


@router.post(
    "/cases/{case_id}/analysis",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="Correct a case's analysis; the case is re-decided (agent and above)",
    description=(
        "Each change is kept as a training label (`vigie retrain`) and audited; priority, deadline, "
        "team and whether an answer is due are decided again."
    ),
)
def correct_analysis(request: HttpRequest, case_id: int, payload: AnalysisCorrectionIn) -> CaseDetailOut:
    member = require(request, HANDLE_CASES)
    case = get_case(member.organisation, case_id)
    mention = case.mention
    changes: list[tuple[str, Any]] = []
    if payload.sentiment is not None and payload.sentiment != mention.sentiment:
        changes.append(("sentiment", payload.sentiment.value))
    if payload.type is not None and payload.type != mention.mention_type:
        changes.append(("type", payload.type.value))
    if payload.themes is not None:
        known = {slug for slug, _label in theme_choices(member.organisation, extra=mention.themes)}
        unknown = sorted(set(payload.themes) - known)
        if unknown:
            raise invalid(["body", "payload", "themes"], f"Unknown themes: {', '.join(unknown)}.")
        if sorted(set(payload.themes)) != sorted(mention.themes or []):
            changes.append(("themes", list(payload.themes)))
    do_correct_case_analysis(case, changes, actor=member.user)
    return _detail(request, case.pk)


class ModerationIn(Schema):
    action: Moderation = Field(
        description="`spam` or `troll` (the type is corrected, the case re-decided and closed when no "
        "answer is due), or a step done by hand on the platform: `hidden`, `deleted`, `reported`."
    )
    url: str = Field("", max_length=1000, pattern=WEB_LINK)
    note: str = Field("", max_length=500)


@router.post(
    "/cases/{case_id}/moderate",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="Moderate a case's item (agent and above)",
)
def moderate_case(request: HttpRequest, case_id: int, payload: ModerationIn) -> CaseDetailOut:
    member = require(request, HANDLE_CASES)
    case = get_case(member.organisation, case_id)
    try:
        do_moderate_case(case, payload.action, actor=member.user, url=payload.url, note=payload.note)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return _detail(request, case.pk)


class CloseIn(Schema):
    how: Closing = Field(
        Closing.RESOLVED,
        description="`resolved`, `answered_elsewhere` or `no_answer` (the last two say why no answer is due).",
    )


@router.post(
    "/cases/{case_id}/close",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="Close a case, saying how (agent and above)",
)
def close_case(request: HttpRequest, case_id: int, payload: CloseIn) -> CaseDetailOut:
    member = require(request, HANDLE_CASES)
    case = get_case(member.organisation, case_id)
    try:
        do_close_case(case, payload.how, actor=member.user)
    except ValidationError as error:
        raise from_django_validation_error(error) from None
    return _detail(request, case.pk)
