"""API routes of the alerts domain: alerts (read, acknowledge, snooze), crises (read) and their
statements (draft, holding statement, approve, publish)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from vigie.alerts.actions import do_acknowledge_alert, do_snooze_alert
from vigie.alerts.crisis import actions as crisis_actions
from vigie.alerts.crisis.statements import blocked
from vigie.alerts.models import (
    Alert,
    AlertRule,
    AlertStatus,
    Crisis,
    CrisisStatus,
    Severity,
    Statement,
    StatementPublication,
)
from vigie.alerts.queries import alerts, can_approve_statement, crises
from vigie.core.api_auth import membership, require
from vigie.core.api_schemas import READ_ERRORS, WRITE_ERRORS, ApiDateTime, invalid
from vigie.core.models import Membership
from vigie.core.roles import HANDLE_CASES, MANAGE
from vigie.core.tenancy import get_in_org

router = Router(tags=["alerts"])

MAX_LIMIT = 200

LANGUAGE_NOTE = (
    "In the reader's language (see `language`): the one an `Accept-Language` header asks for (fr or en), "
    "else the token's user's interface language, else the organisation's."
)


def reader_language(request: HttpRequest) -> str:
    """The language an alert is read in through the API, as the pages choose it for their reader
    (the user's choice, else the organisation's), except that an explicit ``Accept-Language``
    header of a supported language wins: an API call says what it wants with it."""
    cached = getattr(request, "_alerts_language", None)
    if cached is not None:
        return str(cached)
    language = _asked_language(request.headers.get("Accept-Language", ""))
    if not language:
        member = membership(request)
        language = member.user.language or member.organisation.language or settings.LANGUAGE_CODE
    request._alerts_language = language  # type: ignore[attr-defined]
    return language


def _asked_language(header: str) -> str:
    """The first supported language of an ``Accept-Language`` header, by preference; "" if none."""
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            continue
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return ""


def _speak(request: HttpRequest, response: HttpResponse) -> None:
    """Say in ``Content-Language`` which language the alerts come in."""
    response["Content-Language"] = reader_language(request)


def _language(context: Any) -> str:
    request = (context or {}).get("request")
    return reader_language(request) if request is not None else settings.LANGUAGE_CODE


class AlertOut(Schema):
    id: int
    key: str = Field(examples=["negative_volume:org"])
    rule: AlertRule
    severity: Severity
    status: AlertStatus
    language: str = Field(examples=["fr"], description="The language of `title`, `explanation` and `scope`.")
    title: str = Field(description=LANGUAGE_NOTE)
    title_fr: str = Field(description="The title in French, whatever the reader's language.")
    title_en: str = Field(description="The title in English (the French one when none was written).")
    explanation: str = Field(description=LANGUAGE_NOTE)
    explanation_en: str
    scope: str = Field(
        examples=["Thème Remboursements"],
        description="What the alert watches (a series, a source, a location). " + LANGUAGE_NOTE,
    )
    observed: float
    expected: float
    since: ApiDateTime | None
    opened_at: ApiDateTime
    last_seen_at: ApiDateTime
    detections: int
    mention_id: int | None
    acknowledged_at: ApiDateTime | None
    snoozed_until: ApiDateTime | None
    escalated_at: ApiDateTime | None

    @staticmethod
    def resolve_language(obj: Alert, context: Any) -> str:
        return _language(context)

    @staticmethod
    def resolve_title(obj: Alert, context: Any) -> str:
        return obj.title_in(_language(context))

    @staticmethod
    def resolve_title_fr(obj: Alert) -> str:
        return obj.title

    @staticmethod
    def resolve_title_en(obj: Alert) -> str:
        return obj.title_in("en")

    @staticmethod
    def resolve_explanation(obj: Alert, context: Any) -> str:
        return obj.explanation_in(_language(context))

    @staticmethod
    def resolve_scope(obj: Alert, context: Any) -> str:
        return obj.scope_label_in(_language(context))


class AlertQuery(Schema):
    ongoing: bool | None = Field(default=None, description="true: open, acknowledged or snoozed only.")
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class SnoozeIn(Schema):
    hours: int = Field(ge=1, le=168)


class CrisisOut(Schema):
    id: int
    title: str
    severity: Severity
    status: CrisisStatus
    keywords: list[str]
    themes: list[str]
    started_at: ApiDateTime
    closed_at: ApiDateTime | None
    alert_id: int | None


@router.get("/alerts", response={200: list[AlertOut], **READ_ERRORS}, summary="Latest alerts")
def list_alerts(request: HttpRequest, response: HttpResponse, filters: Query[AlertQuery]) -> list[Alert]:
    _speak(request, response)
    return list(alerts(membership(request).organisation, ongoing=filters.ongoing)[: filters.limit])


@router.get("/alerts/{alert_id}", response={200: AlertOut, **READ_ERRORS}, summary="One alert")
def get_alert(request: HttpRequest, response: HttpResponse, alert_id: int) -> Alert:
    _speak(request, response)
    return get_in_org(Alert, membership(request).organisation, alert_id)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="Acknowledge an alert (agent and above): it stops escalating",
)
def acknowledge_alert(request: HttpRequest, response: HttpResponse, alert_id: int) -> Alert:
    member = require(request, HANDLE_CASES)
    _speak(request, response)
    alert = get_in_org(Alert, member.organisation, alert_id)
    try:
        return do_acknowledge_alert(alert, actor=member.user)
    except ValidationError as exc:
        raise invalid(["path", "alert_id"], " ".join(exc.messages)) from None


@router.post(
    "/alerts/{alert_id}/snooze",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="Snooze an alert for 1 to 168 hours (agent and above)",
)
def snooze_alert(request: HttpRequest, response: HttpResponse, alert_id: int, payload: SnoozeIn) -> Alert:
    member = require(request, HANDLE_CASES)
    _speak(request, response)
    alert = get_in_org(Alert, member.organisation, alert_id)
    try:
        return do_snooze_alert(
            alert, actor=member.user, until=timezone.now() + timedelta(hours=payload.hours)
        )
    except ValidationError as exc:
        raise invalid(["path", "alert_id"], " ".join(exc.messages)) from None


@router.get("/crises", response={200: list[CrisisOut], **READ_ERRORS}, summary="Crises, open ones first")
def list_crises(request: HttpRequest) -> list[Crisis]:
    return list(crises(membership(request).organisation)[:MAX_LIMIT])


# --- Crisis statements: drafted (from a template or the playbook's holding statement) and checked
# by the quality gate, approved by the spokesperson, published through the statements' outbox. ---


class FindingOut(Schema):
    code: str
    severity: str = Field(examples=["block"])
    message: str
    needs_approval: bool = False


class PublicationOut(Schema):
    id: int
    source_id: int
    platform: str
    status: str = Field(
        examples=["published"], description="pending, sending, published, failed, by_hand, posted_by_hand"
    )
    url: str
    error: str
    published_at: ApiDateTime | None


class StatementOut(Schema):
    id: int
    crisis_id: int
    body: str
    status: str = Field(
        examples=["draft"],
        description="draft, approved or published (published: a platform or a person confirmed it; "
        "handing it to the outbox leaves it approved)",
    )
    state: str = Field(
        examples=["sending"],
        description="draft, approved, sending, by_hand, failed (every sending failed: not public), "
        "partial (public, but some place failed or waits to be posted by hand) or published",
    )
    template_id: int | None
    findings: list[FindingOut]
    blocked: bool
    created_at: ApiDateTime
    approved_at: ApiDateTime | None
    published_at: ApiDateTime | None
    published_where: str
    publications: list[PublicationOut]

    @staticmethod
    def resolve_state(obj: Statement) -> str:
        return str(obj.state.value)

    @staticmethod
    def resolve_blocked(obj: Statement) -> bool:
        return blocked(obj.findings)

    @staticmethod
    def resolve_publications(obj: Statement) -> list[StatementPublication]:
        return list(obj.publications.all())


class StatementIn(Schema):
    body: str = Field(min_length=1, max_length=5000)
    template_id: int | None = None


class PublishIn(Schema):
    source_ids: list[int] = Field(
        default_factory=list, max_length=50, description="Connected accounts to post on."
    )
    where: str = Field(default="", max_length=300, description="Where else it was said (website, press).")


def _crisis(member: Membership, crisis_id: int) -> Crisis:
    return get_in_org(Crisis, member.organisation, crisis_id)


def _statement(member: Membership, crisis_id: int, statement_id: int) -> Statement:
    crisis = _crisis(member, crisis_id)
    statement = get_in_org(Statement, member.organisation, statement_id)
    if statement.crisis_id != crisis.pk:
        raise HttpError(404, "Not Found")
    return statement


@router.get(
    "/crises/{crisis_id}/statements",
    response={200: list[StatementOut], **READ_ERRORS},
    summary="A crisis' statements, newest first, with their quality findings and publications",
)
def list_statements(request: HttpRequest, crisis_id: int) -> list[Statement]:
    crisis = _crisis(membership(request), crisis_id)
    return list(crisis.statements.prefetch_related("publications"))


@router.post(
    "/crises/{crisis_id}/statements",
    response={201: StatementOut, **WRITE_ERRORS},
    summary="Draft a statement (agent and above); the quality gate's findings come back with it",
)
def draft_statement(request: HttpRequest, crisis_id: int, payload: StatementIn) -> Status[StatementOut]:
    from vigie.inbox.models import Template

    member = require(request, HANDLE_CASES)
    crisis = _crisis(member, crisis_id)
    template = get_in_org(Template, member.organisation, payload.template_id) if payload.template_id else None
    try:
        statement = crisis_actions.do_draft_statement(
            crisis, payload.body, actor=member.user, template=template, membership=member
        )
    except ValidationError as exc:
        raise invalid(["body", "payload", "body"], " ".join(exc.messages)) from None
    return Status(201, StatementOut.from_orm(statement))


@router.post(
    "/crises/{crisis_id}/statements/holding",
    response={201: StatementOut, **WRITE_ERRORS},
    summary="Draft the playbook's holding statement in one call (agent and above)",
)
def draft_holding_statement(request: HttpRequest, crisis_id: int) -> Status[StatementOut]:
    member = require(request, HANDLE_CASES)
    crisis = _crisis(member, crisis_id)
    try:
        statement = crisis_actions.do_draft_holding_statement(crisis, actor=member.user, membership=member)
    except ValidationError as exc:
        raise invalid(["path", "crisis_id"], " ".join(exc.messages)) from None
    return Status(201, StatementOut.from_orm(statement))


@router.post(
    "/crises/{crisis_id}/statements/{statement_id}/approve",
    response={200: StatementOut, **WRITE_ERRORS},
    summary="Approve a draft (the crisis' spokesperson or an admin); refused while the gate blocks it",
)
def approve_statement(request: HttpRequest, crisis_id: int, statement_id: int) -> Statement:
    member = membership(request)
    statement = _statement(member, crisis_id, statement_id)
    if not can_approve_statement(statement.crisis, member):
        raise HttpError(403, "Only the crisis' spokesperson or an admin approves statements.")
    try:
        return crisis_actions.do_approve_statement(statement, actor=member.user)
    except ValidationError as exc:
        raise invalid(["path", "statement_id"], " ".join(exc.messages)) from None


@router.post(
    "/crises/{crisis_id}/statements/{statement_id}/publish",
    response={200: StatementOut, **WRITE_ERRORS},
    summary="Publish an approved statement on connected accounts, once each (spokesperson or manager)",
)
def publish_statement(
    request: HttpRequest, crisis_id: int, statement_id: int, payload: PublishIn
) -> Statement:
    member = membership(request)
    statement = _statement(member, crisis_id, statement_id)
    if not (member.can(MANAGE) or can_approve_statement(statement.crisis, member)):
        raise HttpError(403, "Only the crisis' spokesperson or a manager publishes statements.")
    try:
        return crisis_actions.do_publish_statement(
            statement, actor=member.user, where=payload.where, source_ids=payload.source_ids
        )
    except ValidationError as exc:
        raise invalid(["body", "payload", "source_ids"], " ".join(exc.messages)) from None
