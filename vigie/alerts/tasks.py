"""Jobs of the alerts domain.

* ``alerts.detect`` (every 5 minutes, or for one organisation on demand): builds each series from
  the mentions of the last 8 days and the hourly history kept from earlier runs (eight weeks in
  all, ``history_keeping.py``), asks the detector which ones are abnormal, opens or updates
  one alert per episode, and looks at newly analysed mentions for single-item alerts (viral post,
  influential author, legal risk or threat, optional 1★ review).
* ``alerts.escalate`` (every minute): escalates alerts nobody acknowledged in time, wakes
  snoozed alerts whose snooze ended, and re-queues deliveries a lost job left behind.
* ``alerts.deliver``: sends one delivery (e-mail, chat, webhook), retrying transient failures.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max
from django.utils import timezone

from vigie.alerts import channels
from vigie.alerts.actions import (
    DELIVER_JOB,
    Finding,
    claim_delivery,
    do_announce_incidents,
    do_escalate_alert,
    do_finish_delivery,
    do_mark_items_scanned,
    do_record_finding,
    do_requeue_stale_deliveries,
    do_resolve_quiet_alerts,
    do_wake_snoozed_alerts,
)
from vigie.alerts.detection import Detection, influential_author, viral_check
from vigie.alerts.detection.explanations import number_en, number_fr
from vigie.alerts.history_keeping import detect_organisation
from vigie.alerts.models import AlertRule, ChannelKind, Delivery, Severity
from vigie.alerts.queries import (
    WatchedSeries,
    alert_settings,
    alerts_to_escalate,
    legal_risk_mention_ids,
)
from vigie.connectors.credentials import CredentialsError, decrypt_secrets, redact
from vigie.core import jobs
from vigie.core.models import Organisation
from vigie.core.tenancy import scoped
from vigie.mentions.models import Mention, MentionKind, Sentiment

logger = logging.getLogger(__name__)

DETECT_JOB = "alerts.detect"
CRITICAL_SCORE = 10.0
RETRY_DELAYS = (30, 120, 600, 1800)

# Alert titles are stored in French and English (they go into e-mails and chat messages).
TITLES: dict[str, tuple[str, str]] = {
    AlertRule.NEGATIVE_VOLUME: ("Pic de mentions négatives", "Spike of negative mentions"),
    AlertRule.TOTAL_VOLUME: ("Pic de mentions", "Spike of mentions"),
    AlertRule.REACH: ("Hausse de l'audience", "Reach rising"),
    AlertRule.AVERAGE_RATING: ("Baisse de la note moyenne", "Average rating falling"),
    AlertRule.ONE_STAR_SHARE: ("Hausse des avis 1★", "More 1★ reviews"),
}


def _series_finding(series: WatchedSeries, detection: Detection) -> Finding:
    critical = detection.score >= CRITICAL_SCORE and series.rule in (
        AlertRule.NEGATIVE_VOLUME,
        AlertRule.REACH,
    )
    return Finding(
        key=series.config.key,
        rule=series.rule,
        title=f"{TITLES[series.rule][0]} · {series.scope_label}",
        title_en=f"{TITLES[series.rule][1]} · {series.scope_label_en or series.scope_label}",
        severity=Severity.CRITICAL if critical else Severity.WARNING,
        explanation=detection.explanation,
        explanation_en=detection.explanation_en,
        observed=detection.observed,
        expected=detection.expected,
        score=detection.score,
        since=detection.since,
        scope_label=series.scope_label,
        scope_label_en=series.scope_label_en,
    )


def _redundant(key: str, detection: Detection, firing: dict[str, tuple[WatchedSeries, Detection]]) -> bool:
    """One spike moves several series at once; open the alert that says the most.

    A rise of the total volume is not reported where the negative volume of the same scope rose
    too, and a source, location or theme whose rise makes most of the organisation's rise of the
    same metric is not reported apart from it.
    """
    metric, _sep, scope = key.partition(":")
    if metric == AlertRule.TOTAL_VOLUME and f"{AlertRule.NEGATIVE_VOLUME}:{scope}" in firing:
        return True
    if scope != "org":
        whole = firing.get(f"{metric}:org")
        if whole is not None and metric in (
            AlertRule.NEGATIVE_VOLUME,
            AlertRule.TOTAL_VOLUME,
            AlertRule.REACH,
        ):
            return detection.observed >= 0.8 * whole[1].observed
        if whole is not None:
            return True
    return False


def detect_series(organisation: Organisation, now: datetime) -> list[str]:
    """Run the detector over every series of ``organisation``; returns the keys that fired."""
    watched, detections = detect_organisation(organisation, now)
    if not watched:
        return []
    firing = {s.config.key: (s, d) for s, d in zip(watched, detections, strict=True) if d.fired}
    fired = []
    for key, (series, detection) in firing.items():
        if not _redundant(key, detection, firing):
            do_record_finding(organisation, _series_finding(series, detection), now=now, announce=False)
        fired.append(key)
    # Every series of this run has joined its incident: people hear of it once, with all of it.
    do_announce_incidents(organisation, now)
    do_resolve_quiet_alerts(organisation, fired, now)
    return fired


def _item_findings(organisation: Organisation, mention: Mention, legal: bool, now: datetime) -> list[Finding]:
    settings = alert_settings(organisation)
    author = str(mention.author) if mention.author else "?"
    excerpt = (mention.title or mention.text)[:160]
    label = f"{mention.source.name}" if mention.source_id else ""
    findings = []
    if legal:
        findings.append(
            Finding(
                key=f"legal_risk:mention:{mention.pk}",
                rule=AlertRule.LEGAL_RISK,
                title=f"Message à risque juridique ou menaçant · {author}",
                title_en=f"Legal risk or threatening message · {author}",
                severity=Severity.CRITICAL,
                explanation=f"« {excerpt} »",
                explanation_en=f"“{excerpt}”",
                mention_id=mention.pk,
                scope_label=label,
                since=mention.created_at,
            )
        )
    followers = mention.author.followers_count if mention.author else None
    if influential_author(followers, settings.influencer_followers):
        negative = mention.sentiment == Sentiment.NEGATIVE
        findings.append(
            Finding(
                key=f"influencer:mention:{mention.pk}",
                rule=AlertRule.INFLUENCER,
                title=f"Auteur influent ({number_fr(followers or 0, 0)} abonnés) · {author}",
                title_en=f"Influential author ({number_en(followers or 0, 0)} followers) · {author}",
                severity=Severity.WARNING if negative else Severity.INFO,
                explanation=f"{number_fr(followers or 0, 0)} abonnés : « {excerpt} »",
                explanation_en=f"{number_en(followers or 0, 0)} followers: “{excerpt}”",
                observed=float(followers or 0),
                expected=float(settings.influencer_followers),
                mention_id=mention.pk,
                scope_label=label,
                since=mention.created_at,
            )
        )
    engagement = mention.likes + mention.shares + mention.replies_count
    # No engagement history is kept per mention: the publication time (0 interactions) and now
    # make the two snapshots, i.e. the average pace since it was posted.
    seen = min(max(mention.updated_at, mention.fetched_at), now)
    if engagement and seen > mention.created_at:
        viral = viral_check(
            [(mention.created_at, 0.0), (seen, float(engagement))],
            mention.reach or None,
            now,
            key=f"viral:mention:{mention.pk}",
        )
        if viral is not None and viral.fired:
            findings.append(
                Finding(
                    key=viral.series_key,
                    rule=AlertRule.VIRAL,
                    title=f"Publication virale · {author}",
                    title_en=f"Viral post · {author}",
                    severity=Severity.CRITICAL
                    if mention.sentiment == Sentiment.NEGATIVE
                    else Severity.WARNING,
                    explanation=viral.explanation,
                    explanation_en=viral.explanation_en,
                    observed=viral.observed,
                    expected=viral.expected,
                    score=viral.score,
                    since=viral.since,
                    mention_id=mention.pk,
                    scope_label=label,
                )
            )
    if (
        settings.one_star_reviews
        and mention.kind == MentionKind.REVIEW
        and mention.rating is not None
        and mention.rating <= 1
    ):
        where = mention.location.name if mention.location_id and mention.location else label
        findings.append(
            Finding(
                key=f"one_star_review:mention:{mention.pk}",
                rule=AlertRule.ONE_STAR_REVIEW,
                title=f"Avis 1★ · {where}",
                title_en=f"1★ review · {where}",
                severity=Severity.INFO,
                explanation=f"« {excerpt} »",
                explanation_en=f"“{excerpt}”",
                mention_id=mention.pk,
                scope_label=where,
                since=mention.created_at,
            )
        )
    return findings


def scan_items(organisation: Organisation, now: datetime) -> int:
    """Single-item rules on the mentions analysed since the last scan; returns alerts opened."""
    from vigie.analysis.models import AnalysisResult

    since = alert_settings(organisation).items_scanned_until
    analysed = scoped(AnalysisResult, organisation).filter(analysed_at__lte=now)
    analysed = (
        analysed.filter(analysed_at__gt=since)
        if since
        else analysed.filter(analysed_at__gt=now - timedelta(hours=1))
    )
    ids = list(analysed.values_list("mention_id", flat=True).distinct())
    latest = analysed.aggregate(latest=Max("analysed_at"))["latest"]
    opened = 0
    legal = legal_risk_mention_ids(organisation, ids)
    mentions = scoped(Mention, organisation).filter(pk__in=ids, deleted_at__isnull=True)
    for mention in mentions.select_related("author", "source", "location").iterator(chunk_size=500):
        for finding in _item_findings(organisation, mention, mention.pk in legal, now):
            _alert, created = do_record_finding(organisation, finding, now=now)
            opened += int(created)
    if latest is not None:
        do_mark_items_scanned(organisation, latest)
    return opened


@jobs.periodic(DETECT_JOB, every=timedelta(minutes=5))
def detect(organisation_id: int | None = None) -> dict[str, Any]:
    """Series and single-item detection for one organisation, or all of them."""
    now = timezone.now()
    organisations = Organisation.objects.all()
    if organisation_id is not None:
        organisations = organisations.filter(pk=organisation_id)
    report: dict[str, Any] = {}
    for organisation in organisations:
        fired = detect_series(organisation, now)
        report[organisation.slug] = {"fired": fired, "items": scan_items(organisation, now)}
    return report


@jobs.periodic("alerts.escalate", every=timedelta(minutes=1))
def escalate() -> int:
    """Escalate unacknowledged alerts and wake snoozed ones; returns how many changed."""
    now = timezone.now()
    count = do_wake_snoozed_alerts(now)
    for alert in alerts_to_escalate(now):
        do_escalate_alert(alert)
        count += 1
    for delivery_id in do_requeue_stale_deliveries(now):
        jobs.enqueue(DELIVER_JOB, {"delivery_id": delivery_id}, dedupe_key=f"alerts.deliver:{delivery_id}")
    return count


def _send(delivery: Delivery) -> None:
    notice_data = dict(delivery.notice)
    own = delivery.recipient.language if delivery.recipient is not None else ""
    language = own or delivery.organisation.language or "fr"
    body = (
        notice_data.get("body_en")
        if language == "en" and notice_data.get("body_en")
        else notice_data.get("body", "")
    )
    title = (
        notice_data.get("title_en")
        if language == "en" and notice_data.get("title_en")
        else notice_data.get("title")
    )
    notice = channels.Notice(
        title=title or "",
        body=body or "",
        url=notice_data.get("url", ""),
        severity=notice_data.get("severity", Severity.WARNING),
        event=delivery.event,
        data=notice_data.get("data", {}),
    )
    if delivery.recipient is not None:
        channels.send_email(notice, [delivery.recipient.email], language)
        return
    channel = delivery.channel
    if channel is None:
        raise channels.DeliveryError("the channel was removed", permanent=True)
    secrets = decrypt_secrets(channel.secrets_encrypted)
    url = secrets["url"]
    if channel.kind == ChannelKind.SLACK:
        channels.send_slack(notice, url, language)
    elif channel.kind == ChannelKind.MATTERMOST:
        channels.send_mattermost(notice, url, language)
    elif channel.kind == ChannelKind.TEAMS:
        channels.send_teams(notice, url, language)
    else:
        # The delivery's id is stable across retries, so the receiver can drop duplicates.
        channels.send_webhook(notice, url, secrets.get("secret", ""), delivery_id=f"vigie-{delivery.pk}")


@jobs.job(DELIVER_JOB, max_attempts=1)
def deliver(delivery_id: int) -> str:
    """Send one delivery. Transient failures are retried later by a new job; a permanent one (bad
    URL, 4xx) is recorded as failed. The error stored never contains the channel's URL."""
    delivery = claim_delivery(delivery_id)
    if delivery is None:
        return "skipped"
    try:
        _send(delivery)
    except (channels.DeliveryError, CredentialsError, OSError) as exc:
        permanent = isinstance(exc, CredentialsError) or bool(getattr(exc, "permanent", False))
        secrets: dict[str, Any] = {}
        if delivery.channel is not None:
            try:
                secrets = decrypt_secrets(delivery.channel.secrets_encrypted)
            except CredentialsError:
                secrets = {}
        error = redact(f"{type(exc).__name__}: {exc}", secrets)
        status = do_finish_delivery(
            delivery, error=error, permanent=permanent, max_attempts=len(RETRY_DELAYS) + 1
        )
        logger.warning("delivery %s failed (%s): %s", delivery.pk, status, error)
        if status == "pending":
            delay = timedelta(seconds=RETRY_DELAYS[min(delivery.attempts, len(RETRY_DELAYS) - 1)])
            jobs.enqueue(DELIVER_JOB, {"delivery_id": delivery.pk}, delay=delay)
        return status
    return do_finish_delivery(delivery)


@jobs.job("alerts.publish_statement", max_attempts=1)
def publish_statement(publication_id: int) -> str:
    """Send one approved crisis statement to one connected account (the statements' outbox)."""
    from vigie.alerts.crisis.publishing import run_statement_publication

    return run_statement_publication(publication_id, jobs.worker_id())
