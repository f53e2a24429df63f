"""API routes of the alerts domain: alerts (read, acknowledge, snooze) and crises (read)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from vigie.alerts.actions import do_acknowledge_alert, do_snooze_alert
from vigie.alerts.models import Alert, AlertRule, AlertStatus, Crisis, CrisisStatus, Severity
from vigie.alerts.queries import alerts, crises
from vigie.core.api_auth import membership, require
from vigie.core.api_schemas import READ_ERRORS, WRITE_ERRORS, ApiDateTime, invalid
from vigie.core.roles import HANDLE_CASES
from vigie.core.tenancy import get_in_org

router = Router(tags=["alerts"])

MAX_LIMIT = 200


class AlertOut(Schema):
    id: int
    key: str = Field(examples=["negative_volume:org"])
    rule: AlertRule
    severity: Severity
    status: AlertStatus
    title: str
    explanation: str
    explanation_en: str
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
def list_alerts(request: HttpRequest, filters: Query[AlertQuery]) -> list[Alert]:
    return list(alerts(membership(request).organisation, ongoing=filters.ongoing)[: filters.limit])


@router.get("/alerts/{alert_id}", response={200: AlertOut, **READ_ERRORS}, summary="One alert")
def get_alert(request: HttpRequest, alert_id: int) -> Alert:
    return get_in_org(Alert, membership(request).organisation, alert_id)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="Acknowledge an alert (agent and above): it stops escalating",
)
def acknowledge_alert(request: HttpRequest, alert_id: int) -> Alert:
    member = require(request, HANDLE_CASES)
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
def snooze_alert(request: HttpRequest, alert_id: int, payload: SnoozeIn) -> Alert:
    member = require(request, HANDLE_CASES)
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
