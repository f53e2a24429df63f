"""Every write about alerts: alerts and their life, notification settings and deliveries. Each
function runs in one transaction and records an audit event. Crisis rooms and post-mortems are
written by ``vigie.alerts.crisis.actions``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigie.alerts.detection.explanations import MAX_SHOWN_RATIO, elapsed, number_en, number_fr
from vigie.alerts.detection.history import HourlyHistory
from vigie.alerts.models import (
    ONGOING_STATUSES,
    SERIES_RULES,
    Alert,
    AlertRule,
    AlertSeriesSetting,
    AlertSettings,
    AlertStatus,
    ChannelKind,
    Delivery,
    DeliveryStatus,
    Incident,
    IncidentStatus,
    KeptHistory,
    NotificationChannel,
    NotificationPreference,
    Severity,
    severity_rank,
)
from vigie.alerts.queries import Breakdown, in_quiet_hours, incident_breakdown, preference_for
from vigie.connectors.credentials import encrypt_secrets
from vigie.core import egress, jobs
from vigie.core.actions import do_notify, do_record_audit_event
from vigie.core.models import Membership, Organisation, User
from vigie.core.roles import Role
from vigie.core.tenancy import scoped

logger = logging.getLogger(__name__)

DELIVER_JOB = "alerts.deliver"
# Rules whose episode ends by itself: after this long without firing, the alert is resolved.
SERIES_QUIET_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Finding:
    """What a detector or a single-item rule found, ready to become (or update) an alert."""

    key: str
    rule: str
    title: str
    severity: str
    title_en: str = ""
    explanation: str = ""
    explanation_en: str = ""
    observed: float = 0.0
    expected: float = 0.0
    score: float = 0.0
    since: datetime | None = None
    scope_label: str = ""
    scope_label_en: str = ""  # blank when it reads the same in English (a single item's source)
    mention_id: int | None = None


def _alert_url(alert: Alert) -> str:
    return reverse("alert_detail", args=[alert.pk])


@transaction.atomic
def do_record_finding(
    organisation: Organisation, finding: Finding, *, now: datetime | None = None, announce: bool = True
) -> tuple[Alert, bool]:
    """Open an alert for ``finding``, or update the ongoing one with the same key.

    Returns ``(alert, created)``. Only a new alert is notified; a repeated detection of the same
    episode refreshes the figures. A snoozed alert stays quiet until its snooze ends.
    """
    now = now or timezone.now()
    values = {
        "rule": finding.rule,
        "title": finding.title[:300],
        "title_en": finding.title_en[:300],
        "explanation": finding.explanation,
        "explanation_en": finding.explanation_en,
        "observed": finding.observed,
        "expected": finding.expected,
        "score": finding.score,
        "scope_label": finding.scope_label[:200],
        "scope_label_en": finding.scope_label_en[:200],
        "last_seen_at": now,
    }
    ongoing = (
        Alert.objects.select_for_update()
        .filter(organisation=organisation, key=finding.key, status__in=ONGOING_STATUSES)
        .first()
    )
    if ongoing is None:
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    organisation=organisation,
                    key=finding.key,
                    severity=finding.severity,
                    since=finding.since,
                    mention_id=finding.mention_id,
                    opened_at=now,
                    **values,
                )
        except IntegrityError:
            # Another worker opened it between our read and our insert: update theirs.
            ongoing = Alert.objects.select_for_update().get(
                organisation=organisation, key=finding.key, status__in=ONGOING_STATUSES
            )
        else:
            do_record_audit_event(
                organisation, "alert.opened", obj=alert, data={"key": alert.key, "severity": alert.severity}
            )
            if alert.rule not in SERIES_RULES:
                do_dispatch_alert(alert, "alert.opened")
                return alert, True
            # A series alert is one face of an incident: people hear of the incident once.
            incident, opened = _join_incident(organisation, alert, now)
            raised = do_refresh_incident(incident, now)
            if announce:
                do_announce_incidents(organisation, now)
            if raised and not opened and incident.announced_at is not None:
                _dispatch_incident(incident, "alert.severity_raised")
            return alert, True
    raised = severity_rank(finding.severity) > severity_rank(ongoing.severity)
    for name, value in values.items():
        setattr(ongoing, name, value)
    ongoing.detections += 1
    if raised:
        ongoing.severity = finding.severity
    ongoing.save()
    if raised:
        do_record_audit_event(
            organisation, "alert.severity_raised", obj=ongoing, data={"severity": ongoing.severity}
        )
    if ongoing.incident_id is not None:
        incident = Incident.objects.select_for_update().get(pk=ongoing.incident_id)
        if incident.status == IncidentStatus.OPEN and do_refresh_incident(incident, now):
            _dispatch_incident(incident, "alert.severity_raised")
    elif raised:
        do_dispatch_alert(ongoing, "alert.severity_raised")
    return ongoing, False


# --- incidents -------------------------------------------------------------------------------


def _join_incident(organisation: Organisation, alert: Alert, now: datetime) -> tuple[Incident, bool]:
    """Attach ``alert`` to the organisation's open incident, opening one when there is none.

    Returns ``(incident, opened)``; the alert that opens an incident leads it (it carries the
    incident's notifications, acknowledgement and escalation).
    """
    incident = (
        Incident.objects.select_for_update()
        .filter(organisation=organisation, status=IncidentStatus.OPEN)
        .first()
    )
    opened = False
    if incident is None:
        try:
            with transaction.atomic():
                incident = Incident.objects.create(
                    organisation=organisation,
                    severity=alert.severity,
                    title=alert.title,
                    title_en=alert.title_en,
                    since=alert.since,
                    opened_at=now,
                    last_seen_at=now,
                )
                opened = True
        except IntegrityError:
            incident = Incident.objects.select_for_update().get(
                organisation=organisation, status=IncidentStatus.OPEN
            )
    alert.incident = incident
    alert.leads_incident = opened
    alert.save(update_fields=["incident", "leads_incident"])
    if opened:
        do_record_audit_event(organisation, "incident.opened", obj=incident, data={"alert": alert.pk})
    else:
        do_record_audit_event(
            organisation, "incident.grew", obj=incident, data={"alert": alert.pk, "key": alert.key}
        )
    return incident, opened


def _french_number(value: float, decimals: int = 1) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",")


def incident_headline(lead: Alert, minutes: int) -> tuple[str, str]:
    """What happened, in figures: "+420 % de mentions négatives en 45 min" (and in English)."""
    observed, expected = lead.observed, lead.expected
    nouns: dict[str, tuple[str, str]] = {
        AlertRule.NEGATIVE_VOLUME.value: ("mentions négatives", "negative mentions"),
        AlertRule.TOTAL_VOLUME.value: ("mentions", "mentions"),
    }
    during = elapsed(minutes)
    if lead.rule in nouns:
        noun, noun_en = nouns[lead.rule]
        if expected > 0:
            rise = round((observed / expected - 1) * 100)
            return (
                f"+{number_fr(rise, 0)} % de {noun} en {during}",
                f"+{number_en(rise, 0)}% {noun_en} in {during}",
            )
        count = round(observed)
        return f"{number_fr(count, 0)} {noun} en {during}", f"{number_en(count, 0)} {noun_en} in {during}"
    if lead.rule == AlertRule.REACH and expected > 0:
        factor = observed / expected
        if factor >= MAX_SHOWN_RATIO:
            # The precise multiple of a tiny usual reach is noise (as in the alerts' explanations).
            return (
                f"Audience estimée plus de ×{MAX_SHOWN_RATIO} en {during}",
                f"Estimated reach over ×{MAX_SHOWN_RATIO} in {during}",
            )
        return (
            f"Audience estimée ×{_french_number(factor)} en {during}",
            f"Estimated reach ×{factor:.1f} in {during}",
        )
    if lead.rule == AlertRule.AVERAGE_RATING:
        return (
            f"Note moyenne à {_french_number(observed)} au lieu de {_french_number(expected)}",
            f"Average rating at {observed:.1f} instead of {expected:.1f}",
        )
    if lead.rule == AlertRule.ONE_STAR_SHARE:
        return (
            f"Avis 1★ : {round(observed * 100)} % au lieu de {round(expected * 100)} %",
            f"1★ reviews: {round(observed * 100)}% instead of {round(expected * 100)}%",
        )
    return lead.title, lead.title_en or lead.title


def incident_explanation(headline: tuple[str, str], breakdown: Breakdown, alerts: int) -> tuple[str, str]:
    """The headline, then what dominates: "…, surtout Remboursements, à Lyon, surtout sur Facebook"."""
    french, english = headline
    if breakdown.theme:
        french += f", surtout {breakdown.theme}"
        english += f", mostly {breakdown.theme_en or breakdown.theme}"
    if breakdown.location:
        french += f", à {breakdown.location}"
        english += f", in {breakdown.location}"
    if breakdown.platform:
        french += f", surtout sur {breakdown.platform}"
        english += f", mostly on {breakdown.platform}"
    if alerts > 1:
        french += f" ({alerts} séries en hausse regroupées)"
        english += f" ({alerts} rising series grouped)"
    return french + ".", english + "."


def do_refresh_incident(incident: Incident, now: datetime) -> bool:
    """Recompute the incident from its alerts: severity, start, headline and explanation.

    Returns True when its severity rose (people are told once per aggravation).
    """
    members = list(incident.alerts.filter(status__in=ONGOING_STATUSES))
    if not members:
        return False
    # The organisation's negative volume says the most; otherwise the strongest deviation.
    lead = min(
        members,
        key=lambda alert: (
            alert.key != f"{AlertRule.NEGATIVE_VOLUME}:org",
            alert.key.count(":"),
            -alert.score,
        ),
    )
    starts = [alert.since for alert in members if alert.since is not None]
    since = min(starts) if starts else incident.opened_at
    minutes = max(5, round((now - since).total_seconds() / 60 / 5) * 5)
    headline = incident_headline(lead, minutes)
    breakdown = incident_breakdown(incident.organisation, since, now)
    explanation = incident_explanation(headline, breakdown, len(members))
    severity = max((alert.severity for alert in members), key=severity_rank)
    raised = severity_rank(severity) > severity_rank(incident.severity)
    # The title names what moved (the lead series); the explanation gives the figures and what
    # the negative mentions have in common.
    incident.title, incident.title_en = lead.title, lead.title_en or lead.title
    incident.explanation, incident.explanation_en = explanation
    incident.severity = severity
    incident.since = since
    incident.last_seen_at = now
    incident.save()
    if raised:
        do_record_audit_event(
            incident.organisation, "incident.severity_raised", obj=incident, data={"severity": severity}
        )
    return raised


def _incident_lead(incident: Incident) -> Alert | None:
    return incident.alerts.filter(leads_incident=True).first()


def _dispatch_incident(incident: Incident, event: str) -> None:
    lead = _incident_lead(incident)
    if lead is not None:
        do_dispatch_alert(lead, event, dedupe_suffix=f"{incident.severity}")


@transaction.atomic
def do_announce_incidents(organisation: Organisation, now: datetime) -> int:
    """Tell people about the incidents opened and not announced yet, once each; returns how many.

    The detection job records every series of a run first, then announces: the notice then says
    everything that moved together, not just the first series found.
    """
    count = 0
    pending = Incident.objects.select_for_update().filter(
        organisation=organisation, status=IncidentStatus.OPEN, announced_at__isnull=True
    )
    for incident in pending:
        do_refresh_incident(incident, now)
        incident.announced_at = now
        incident.save(update_fields=["announced_at"])
        lead = _incident_lead(incident)
        if lead is not None:
            do_dispatch_alert(lead, "alert.opened")
        count += 1
    return count


@transaction.atomic
def do_close_quiet_incidents(organisation: Organisation, now: datetime) -> int:
    """Close the open incidents none of whose alerts is still ongoing; returns how many."""
    quiet = (
        Incident.objects.select_for_update()
        .filter(organisation=organisation, status=IncidentStatus.OPEN)
        .exclude(alerts__status__in=ONGOING_STATUSES)
    )
    count = 0
    for incident in quiet:
        incident.status = IncidentStatus.CLOSED
        incident.closed_at = now
        incident.save(update_fields=["status", "closed_at"])
        do_record_audit_event(organisation, "incident.closed", obj=incident)
        count += 1
    return count


@transaction.atomic
def do_resolve_quiet_alerts(organisation: Organisation, firing_keys: Iterable[str], now: datetime) -> int:
    """End the episodes of series alerts that stopped firing a while ago; returns how many."""
    firing = set(firing_keys)
    series_rules = [
        AlertRule.NEGATIVE_VOLUME,
        AlertRule.TOTAL_VOLUME,
        AlertRule.REACH,
        AlertRule.AVERAGE_RATING,
        AlertRule.ONE_STAR_SHARE,
    ]
    quiet = scoped(Alert, organisation).filter(
        status__in=ONGOING_STATUSES, rule__in=series_rules, last_seen_at__lt=now - SERIES_QUIET_AFTER
    )
    count = 0
    for alert in quiet:
        if alert.key in firing:
            continue
        alert.status = AlertStatus.RESOLVED
        alert.resolved_at = now
        alert.save(update_fields=["status", "resolved_at"])
        do_record_audit_event(organisation, "alert.resolved", obj=alert, data={"automatic": True})
        count += 1
    do_close_quiet_incidents(organisation, now)
    return count


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


@transaction.atomic
def do_acknowledge_alert(alert: Alert, *, actor: User) -> Alert:
    """Someone takes the alert in hand: it stops escalating."""
    alert = _locked(alert)
    if alert.status not in ONGOING_STATUSES:
        raise ValidationError(_("Cette alerte est terminée."))
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.snoozed_until = None
    alert.save()
    do_record_audit_event(alert.organisation, "alert.acknowledged", actor=actor, obj=alert)
    if alert.incident_id is not None and alert.leads_incident:
        # Taking the incident in hand takes every series of it in hand.
        others = (
            Alert.objects.select_for_update()
            .filter(incident_id=alert.incident_id, status=AlertStatus.OPEN)
            .exclude(pk=alert.pk)
        )
        for other in others:
            other.status = AlertStatus.ACKNOWLEDGED
            other.acknowledged_by = actor
            other.acknowledged_at = alert.acknowledged_at
            other.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
            do_record_audit_event(alert.organisation, "alert.acknowledged", actor=actor, obj=other)
    return alert


@transaction.atomic
def do_snooze_alert(alert: Alert, *, actor: User, until: datetime) -> Alert:
    """Silence an alert until ``until``; it comes back (open, notified) afterwards if still there."""
    if until <= timezone.now():
        raise ValidationError(_("La fin de la mise en sommeil doit être dans le futur."))
    alert = _locked(alert)
    if alert.status not in ONGOING_STATUSES:
        raise ValidationError(_("Cette alerte est terminée."))
    alert.status = AlertStatus.SNOOZED
    alert.snoozed_until = until
    alert.save()
    do_record_audit_event(
        alert.organisation, "alert.snoozed", actor=actor, obj=alert, data={"until": until.isoformat()}
    )
    return alert


@transaction.atomic
def do_wake_snoozed_alerts(now: datetime) -> int:
    """Reopen alerts whose snooze ended, and tell people again."""
    count = 0
    for alert in Alert.objects.select_for_update().filter(status=AlertStatus.SNOOZED, snoozed_until__lte=now):
        alert.status = AlertStatus.OPEN
        alert.snoozed_until = None
        alert.save()
        do_record_audit_event(alert.organisation, "alert.woken", obj=alert)
        do_dispatch_alert(alert, "alert.woken", dedupe_suffix=now.isoformat())
        count += 1
    return count


@transaction.atomic
def do_escalate_alert(alert: Alert, *, actor: User | None = None) -> Alert:
    """Hand the alert to managers and admins: by a person, or by the job when nobody acknowledged it."""
    alert = _locked(alert)
    if alert.status not in ONGOING_STATUSES:
        raise ValidationError(_("Cette alerte est terminée."))
    if alert.escalated_at is not None:
        return alert
    alert.escalated_at = timezone.now()
    alert.save(update_fields=["escalated_at"])
    do_record_audit_event(
        alert.organisation, "alert.escalated", actor=actor, obj=alert, data={"automatic": actor is None}
    )
    managers = Membership.objects.filter(
        organisation=alert.organisation,
        is_active=True,
        user__is_active=True,
        role__in=[Role.MANAGER, Role.ADMIN],
    ).select_related("user", "organisation")
    do_dispatch_alert(alert, "alert.escalated", memberships=list(managers), force=True)
    return alert


@transaction.atomic
def do_resolve_alert(alert: Alert, *, actor: User) -> Alert:
    """Declare the episode over."""
    alert = _locked(alert)
    if alert.status == AlertStatus.RESOLVED:
        return alert
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = timezone.now()
    alert.save()
    do_record_audit_event(alert.organisation, "alert.resolved", actor=actor, obj=alert)
    if alert.incident_id is not None:
        do_close_quiet_incidents(alert.organisation, alert.resolved_at)
    return alert


# --- notification delivery ----------------------------------------------------------------------


def _notice_payload(alert: Alert, event: str) -> dict[str, Any]:
    prefix, prefix_en = {
        "alert.escalated": ("[Escalade] ", "[Escalated] "),
        "alert.severity_raised": ("[Aggravation] ", "[Worse] "),
        "alert.woken": ("[Rappel] ", "[Reminder] "),
    }.get(event, ("", ""))
    title, title_en, body, body_en = (
        alert.title,
        alert.title_in("en"),
        alert.explanation,
        alert.explanation_en,
    )
    severity = alert.severity
    incident = alert.incident if alert.leads_incident else None
    if incident is not None:
        # The alert that leads an incident speaks for it: one notice for the whole episode.
        title, title_en = f"Incident : {incident.title}", f"Incident: {incident.title_in('en')}"
        body, body_en = incident.explanation, incident.explanation_in("en")
        severity = incident.severity
    return {
        "title": f"{prefix}{title}",
        "title_en": f"{prefix_en}{title_en}",
        "body": body,
        "body_en": body_en,
        "url": settings.BASE_URL + _alert_url(alert),
        "severity": severity,
        "event": event,
        "data": {
            "alert_id": alert.pk,
            "key": alert.key,
            "rule": alert.rule,
            "observed": alert.observed,
            "expected": alert.expected,
            "since": alert.since.isoformat() if alert.since else None,
            "organisation": alert.organisation.slug,
            "incident_id": alert.incident_id,
        },
    }


def _wants(events: list[str], minimum: str, event: str, severity: str) -> bool:
    if events and event not in events and not (event.startswith("alert.") and "alert.*" in events):
        return False
    return severity_rank(severity) >= severity_rank(minimum)


def _french_or_english(french: str, english: str) -> Callable[[], str]:
    """An alert's text in the active language: its English version in English (when it has one)."""
    return lambda: english or french if (get_language() or "").startswith("en") else french


def do_dispatch_alert(
    alert: Alert,
    event: str,
    *,
    memberships: list[Membership] | None = None,
    force: bool = False,
    dedupe_suffix: str = "",
) -> list[Delivery]:
    """Tell people and channels about ``alert``: in-app for each member whose preferences accept
    it, e-mail deliveries (held until the end of quiet hours unless critical), and the
    organisation's chat and webhook channels. ``force`` skips members' event and severity filters
    (escalations reach managers whatever they chose). Deliveries run as jobs after commit."""
    organisation = alert.organisation
    payload = _notice_payload(alert, event)
    now = timezone.now()
    created: list[Delivery] = []
    if memberships is None:
        memberships = list(
            Membership.objects.filter(
                organisation=organisation, is_active=True, user__is_active=True
            ).select_related("user", "organisation")
        )
    suffix = f":{dedupe_suffix}" if dedupe_suffix else ""
    for membership in memberships:
        preference = preference_for(membership)
        if not force and not _wants(
            preference.events, preference.minimum_severity, event, payload["severity"]
        ):
            continue
        # In the member's language, as their e-mail is (``tasks._send``); given in both languages,
        # so that the list follows the member's language if they switch it.
        do_notify(
            organisation,
            membership.user,
            event,
            _french_or_english(payload["title"], payload["title_en"]),
            body=_french_or_english(payload["body"], payload["body_en"]),
            url=_alert_url(alert),
            data={"alert_id": alert.pk},
        )
        if not (preference.email and membership.user.email):
            continue
        not_before = now
        quiet_end = in_quiet_hours(preference, now)
        if quiet_end is not None and payload["severity"] != Severity.CRITICAL:
            not_before = quiet_end
        delivery = _create_delivery(
            organisation,
            f"{event}:{alert.pk}:user:{membership.user_id}{suffix}",
            event,
            payload,
            alert=alert,
            recipient=membership.user,
            not_before=not_before,
        )
        if delivery is not None:
            created.append(delivery)
    for channel in scoped(NotificationChannel, organisation).filter(enabled=True):
        if not _wants(channel.events, channel.minimum_severity, event, payload["severity"]):
            continue
        delivery = _create_delivery(
            organisation,
            f"{event}:{alert.pk}:channel:{channel.pk}{suffix}",
            event,
            payload,
            alert=alert,
            channel=channel,
            not_before=now,
        )
        if delivery is not None:
            created.append(delivery)
    return created


def _create_delivery(
    organisation: Organisation,
    dedupe_key: str,
    event: str,
    payload: dict[str, Any],
    *,
    alert: Alert | None = None,
    channel: NotificationChannel | None = None,
    recipient: User | None = None,
    not_before: datetime,
) -> Delivery | None:
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                organisation=organisation,
                dedupe_key=dedupe_key[:200],
                event=event,
                alert=alert,
                channel=channel,
                recipient=recipient,
                notice=payload,
                not_before=not_before,
            )
    except IntegrityError:
        return None  # already dispatched: never send twice
    delay = max(not_before - timezone.now(), timedelta(0))
    pk = delivery.pk
    transaction.on_commit(lambda: jobs.enqueue(DELIVER_JOB, {"delivery_id": pk}, delay=delay or None))
    return delivery


def claim_delivery(delivery_id: int) -> Delivery | None:
    """Take a pending, due delivery for sending (conditional UPDATE: two workers never both send)."""
    now = timezone.now()
    taken = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, not_before__lte=now
    ).update(status=DeliveryStatus.SENDING)
    if not taken:
        return None
    return Delivery.objects.select_related("channel", "recipient", "organisation").get(pk=delivery_id)


def do_requeue_stale_deliveries(now: datetime) -> list[int]:
    """Deliveries a lost job left behind: due and still pending five minutes later, or claimed
    ("sending") half an hour ago by a worker that died. Returns the ids to enqueue again; a
    duplicate job is harmless since sending claims the row first."""
    Delivery.objects.filter(
        status=DeliveryStatus.SENDING, not_before__lte=now - timedelta(minutes=30)
    ).update(status=DeliveryStatus.PENDING)
    stale = Delivery.objects.filter(status=DeliveryStatus.PENDING, not_before__lte=now - timedelta(minutes=5))
    return list(stale.values_list("pk", flat=True)[:500])


def do_finish_delivery(
    delivery: Delivery, *, error: str = "", permanent: bool = False, max_attempts: int = 5
) -> str:
    """Record the outcome of one sending attempt; returns the new status."""
    attempts = delivery.attempts + 1
    if not error:
        status = DeliveryStatus.SENT
    elif permanent or attempts >= max_attempts:
        status = DeliveryStatus.FAILED
    else:
        status = DeliveryStatus.PENDING
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=status,
        attempts=attempts,
        error=error[:2000],
        sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
    )
    return status


# --- settings -----------------------------------------------------------------------------------


@transaction.atomic
def do_update_alert_settings(
    organisation: Organisation,
    *,
    actor: User,
    escalate_after_minutes: int,
    one_star_reviews: bool,
    influencer_followers: int,
) -> AlertSettings:
    """Change the organisation's escalation delay and single-item rules."""
    row, _created = AlertSettings.objects.get_or_create(organisation=organisation)
    row.escalate_after_minutes = escalate_after_minutes
    row.one_star_reviews = one_star_reviews
    row.influencer_followers = influencer_followers
    row.save()
    do_record_audit_event(
        organisation,
        "alert.settings_updated",
        actor=actor,
        obj=row,
        data={
            "escalate_after_minutes": escalate_after_minutes,
            "one_star_reviews": one_star_reviews,
            "influencer_followers": influencer_followers,
        },
    )
    return row


@transaction.atomic
def do_mark_items_scanned(organisation: Organisation, until: datetime) -> None:
    """Move the single-item scan's watermark (not an audit-worthy change: bookkeeping)."""
    row, _created = AlertSettings.objects.get_or_create(organisation=organisation)
    AlertSettings.objects.filter(pk=row.pk).update(items_scanned_until=until)


@transaction.atomic
def do_set_series_sensitivity(
    organisation: Organisation, key: str, *, sensitivity: float, enabled: bool, actor: User
) -> AlertSeriesSetting:
    """Make one series more (> 1) or less (< 1) sensitive, or switch it off."""
    if not (0.1 <= sensitivity <= 10):
        raise ValidationError(_("La sensibilité doit être comprise entre 0,1 et 10."))
    row, _created = AlertSeriesSetting.objects.update_or_create(
        organisation=organisation, key=key, defaults={"sensitivity": sensitivity, "enabled": enabled}
    )
    do_record_audit_event(
        organisation,
        "alert.series_tuned",
        actor=actor,
        obj=row,
        data={"key": key, "sensitivity": sensitivity, "enabled": enabled},
    )
    return row


def _validate_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(_("Adresse invalide : une URL http ou https est attendue."))
    # Refused when it is added, not only when an alert would be sent: a channel pointing inside
    # (loopback, private, link-local such as 169.254.169.254) was listed as working and never
    # delivered. A name that does not resolve from here now is checked again at each sending.
    try:
        egress.check_url(url.strip())
    except egress.EgressRefused as exc:
        if exc.reason != egress.NOT_FOUND:
            raise ValidationError(
                _("Adresse non autorisée : les canaux ne peuvent pas viser une adresse interne ou privée.")
            ) from exc
    return url.strip()


@transaction.atomic
def do_add_channel(
    organisation: Organisation,
    *,
    actor: User,
    kind: str,
    name: str,
    url: str,
    secret: str = "",
    minimum_severity: str = Severity.WARNING,
    events: list[str] | None = None,
) -> NotificationChannel:
    """Add a chat or webhook channel; its URL and secret are stored encrypted, never shown back."""
    if kind not in ChannelKind.values:
        raise ValidationError(_("Type de canal inconnu."))
    if minimum_severity not in Severity.values:
        raise ValidationError(_("Gravité inconnue."))
    url = _validate_url(url)
    if kind == ChannelKind.WEBHOOK and len(secret) < 16:
        raise ValidationError(_("Un webhook signé demande un secret d'au moins 16 caractères."))
    parts = urlsplit(url)
    channel = NotificationChannel.objects.create(
        organisation=organisation,
        kind=kind,
        name=name.strip()[:100] or kind,
        url_hint=f"{parts.scheme}://{parts.netloc}/…",
        secrets_encrypted=encrypt_secrets({"url": url, "secret": secret}),
        minimum_severity=minimum_severity,
        events=events or [],
    )
    # The audit event names the channel, never its URL (it embeds a token).
    do_record_audit_event(
        organisation,
        "alert.channel_added",
        actor=actor,
        obj=channel,
        data={"kind": kind, "name": channel.name},
    )
    return channel


@transaction.atomic
def do_delete_channel(channel: NotificationChannel, *, actor: User) -> None:
    """Remove a channel (its pending deliveries go with it)."""
    do_record_audit_event(
        channel.organisation, "alert.channel_deleted", actor=actor, obj=channel, data={"name": channel.name}
    )
    channel.delete()


@transaction.atomic
def do_update_preferences(
    membership: Membership,
    *,
    events: list[str],
    email: bool,
    minimum_severity: str,
    quiet_start: time | None,
    quiet_end: time | None,
) -> NotificationPreference:
    """Save a member's own notification preferences."""
    if minimum_severity not in Severity.values:
        raise ValidationError(_("Gravité inconnue."))
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError(_("Indiquez le début et la fin des heures calmes, ou aucun des deux."))
    row, _created = NotificationPreference.objects.update_or_create(
        membership=membership,
        defaults={
            "organisation": membership.organisation,
            "events": events,
            "email": email,
            "minimum_severity": minimum_severity,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
        },
    )
    do_record_audit_event(
        membership.organisation, "notification.preferences_updated", actor=membership.user, obj=row
    )
    return row


# --- GDPR: retention and erasure (called by vigie.privacy, which audits what it did) -------------------


@transaction.atomic
def do_forget_alert_texts(organisation: Organisation, mention_ids: Iterable[int]) -> dict[str, str]:
    """Clear what alerts about these mentions quote: the author in the title, the excerpt in the
    explanation, and the copies in their deliveries (members' notifications: core's
    ``do_forget_notification_texts``). The alert itself (rule,
    figures, dates, status) stays for the history of the desk. Returns the texts replaced, old to
    new, so the caller can rewrite the copies other apps keep."""
    replaced: dict[str, str] = {}
    alerts = Alert.objects.filter(organisation=organisation, mention_id__in=list(mention_ids))
    for alert in alerts.only("pk", "title", "title_en", "explanation", "explanation_en"):
        title = alert.title.split(" · ")[0]
        title_en = alert.title_en.split(" · ")[0]
        if (title, title_en, alert.explanation) == (alert.title, alert.title_en, ""):
            continue
        Alert.objects.filter(pk=alert.pk).update(
            title=title, title_en=title_en, explanation="", explanation_en=""
        )
        replaced |= {
            alert.title: title,
            alert.title_en: title_en,
            alert.explanation: "",
            alert.explanation_en: "",
        }
        for prefix in ("[Escalade] ", "[Aggravation] ", "[Rappel] "):  # see _notice_payload
            replaced[prefix + alert.title] = prefix + title
        for prefix in ("[Escalated] ", "[Worse] ", "[Reminder] "):  # English members' copies
            replaced[prefix + alert.title_en] = prefix + title_en
        for delivery in Delivery.objects.filter(organisation=organisation, alert_id=alert.pk).only(
            "pk", "notice"
        ):
            # A pending delivery still goes out, with the cleared texts.
            notice = {
                **(delivery.notice or {}),
                "title": title,
                "title_en": title_en,
                "body": "",
                "body_en": "",
            }
            Delivery.objects.filter(pk=delivery.pk).update(notice=notice)
    replaced.pop("", None)
    return replaced


# --- the kept history of the series job ---------------------------------------------------------


@transaction.atomic
def do_store_kept_history(
    organisation: Organisation,
    history: HourlyHistory,
    keys: list[str],
    *,
    last_mention_id: int,
    built_at: datetime,
    expected_version: int | None,
) -> bool:
    """Store the organisation's kept history if nobody did since it was read (``expected_version``,
    None when there was no row): a conditional UPDATE (a unique INSERT for the first one), so two
    workers running the job at once never both extend it. Returns whether this one was stored."""
    fields = {
        "timezone": history.timezone,
        "bucket_seconds": history.bucket_seconds,
        "keys": list(keys),
        "totals": history.to_bytes(),
        "end": history.end,
        "last_mention_id": last_mention_id,
        "built_at": built_at,
    }
    if expected_version is None:
        try:
            with transaction.atomic():
                KeptHistory.objects.create(organisation=organisation, version=1, **fields)
        except IntegrityError:
            return False  # another worker stored its own first
        return True
    claimed = KeptHistory.objects.filter(organisation=organisation, version=expected_version).update(
        version=F("version") + 1, **fields
    )
    return claimed == 1
