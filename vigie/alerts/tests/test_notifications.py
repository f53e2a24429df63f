"""Alerts reach people: in-app, e-mail through a real SMTP server, chat and signed webhooks through
a real HTTP server; once only; quiet hours respected; failures retried; escalation."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from vigie.alerts.actions import (
    Finding,
    do_acknowledge_alert,
    do_add_channel,
    do_record_finding,
    do_update_preferences,
)
from vigie.alerts.channels import verify_signature
from vigie.alerts.models import Alert, Delivery, DeliveryStatus, NotificationChannel
from vigie.alerts.tasks import detect, escalate
from vigie.alerts.tests.conftest import add_spike, build_history
from vigie.conftest import Tenant
from vigie.connectors.testing import FakePlatform
from vigie.core import jobs
from vigie.core.models import Job, Notification

SECRET = "s3cret-signing-key-0123456789"


def _run_jobs(capture: Any) -> None:
    """Run the jobs enqueued after commit, as `vigie serve`'s workers would."""
    for _round in range(3):
        with capture(execute=True):
            jobs.run_pending()


def _finding(key: str = "negative_volume:org", severity: str = "warning") -> Finding:
    return Finding(
        key=key,
        rule="negative_volume",
        title="Pic de mentions négatives · Organisation",
        severity=severity,
        explanation="42 mentions négatives en 15 min, 3 attendues",
        explanation_en="42 negative mentions in 15 min, 3 expected",
        observed=42,
        expected=3,
    )


def test_a_spike_reaches_the_smtp_server_and_the_signed_webhook_once(
    tenant: Tenant,
    now: datetime,
    smtp_server: Any,
    webhook_server: FakePlatform,
    django_capture_on_commit_callbacks: Any,
) -> None:
    organisation = tenant.organisation
    do_add_channel(
        organisation,
        actor=tenant.admin.user,
        kind="webhook",
        name="SI",
        url=f"{webhook_server.url}/hook",
        secret=SECRET,
    )
    do_add_channel(
        organisation, actor=tenant.admin.user, kind="slack", name="Slack", url=f"{webhook_server.url}/chat"
    )
    source = build_history(organisation, now)
    add_spike(organisation, source, now)
    with django_capture_on_commit_callbacks(execute=True):
        detect(organisation.pk)
    _run_jobs(django_capture_on_commit_callbacks)

    alert = Alert.objects.get(organisation=organisation, key="negative_volume:org")
    recipients = {
        m["X-Rcpt-To"]
        for m in smtp_server.messages
        if str(alert.pk) in m.get_payload() or "négatives" in m["Subject"]
    }
    assert {
        "admin@acme.example",
        "manager@acme.example",
        "agent@acme.example",
        "viewer@acme.example",
    } <= recipients
    hooks = [r for r in webhook_server.requests if r.path == "/hook"]
    chats = [r for r in webhook_server.requests if r.path == "/chat"]
    assert len(chats) >= 1
    hook_bodies = [r.body.decode() for r in hooks]
    assert any("negative_volume:org" in body for body in hook_bodies)
    assert all(verify_signature(SECRET, r.headers["x-vigie-signature"], r.body) for r in hooks)
    assert Notification.objects.filter(organisation=organisation, data__alert_id=alert.pk).count() == 4
    opened = set(Alert.objects.filter(organisation=organisation).values_list("key", flat=True))
    assert f"negative_volume:source:{source.pk}" not in opened, "the source makes all the spike: one alert"
    assert "total_volume:org" not in opened, "the negative spike explains the total one"

    sent_before = (len(smtp_server.messages), len(webhook_server.requests))
    with django_capture_on_commit_callbacks(execute=True):
        detect(organisation.pk)
    _run_jobs(django_capture_on_commit_callbacks)
    assert (len(smtp_server.messages), len(webhook_server.requests)) == sent_before, "never twice"


def test_channel_urls_are_stored_encrypted_and_never_logged(tenant: Tenant) -> None:
    channel = do_add_channel(
        tenant.organisation,
        actor=tenant.admin.user,
        kind="slack",
        name="Slack",
        url="https://hooks.slack.example/services/T000/B000/XXXXSECRETTOKEN",
    )
    stored = NotificationChannel.objects.get(pk=channel.pk)
    assert "XXXXSECRETTOKEN" not in stored.secrets_encrypted
    assert "XXXXSECRETTOKEN" not in stored.url_hint
    from vigie.core.models import AuditEvent

    assert all(
        "XXXXSECRETTOKEN" not in json.dumps(e.data)
        for e in AuditEvent.objects.filter(organisation=tenant.organisation)
    )


def test_quiet_hours_keep_non_critical_mail_until_they_end_but_not_the_in_app_notice(
    tenant: Tenant, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    local_now = timezone.now().astimezone(timezone.get_default_timezone())
    start = (local_now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (local_now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    do_update_preferences(
        tenant.viewer, events=[], email=True, minimum_severity="info", quiet_start=start, quiet_end=end
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_record_finding(tenant.organisation, _finding())
    _run_jobs(django_capture_on_commit_callbacks)
    recipients = {m["X-Rcpt-To"] for m in smtp_server.messages}
    assert "viewer@acme.example" not in recipients
    assert "manager@acme.example" in recipients
    held = Delivery.objects.get(recipient=tenant.viewer.user)
    assert held.status == DeliveryStatus.PENDING
    assert held.not_before > timezone.now() + timedelta(minutes=90)
    assert Notification.objects.filter(recipient=tenant.viewer.user, event="alert.opened").exists()

    with django_capture_on_commit_callbacks(execute=True):
        do_record_finding(tenant.organisation, _finding("legal_risk:mention:1", severity="critical"))
    _run_jobs(django_capture_on_commit_callbacks)
    assert "viewer@acme.example" in {m["X-Rcpt-To"] for m in smtp_server.messages}, (
        "critical goes out at once"
    )


def test_members_can_turn_off_mail_or_raise_the_minimum_severity(
    tenant: Tenant, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    do_update_preferences(
        tenant.agent, events=[], email=False, minimum_severity="warning", quiet_start=None, quiet_end=None
    )
    do_update_preferences(
        tenant.viewer, events=[], email=True, minimum_severity="critical", quiet_start=None, quiet_end=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_record_finding(tenant.organisation, _finding())
    _run_jobs(django_capture_on_commit_callbacks)
    recipients = {m["X-Rcpt-To"] for m in smtp_server.messages}
    assert "agent@acme.example" not in recipients
    assert "viewer@acme.example" not in recipients
    assert Notification.objects.filter(recipient=tenant.agent.user).exists()
    assert not Notification.objects.filter(recipient=tenant.viewer.user).exists()


@pytest.mark.parametrize(("status", "final"), [(503, DeliveryStatus.PENDING), (404, DeliveryStatus.FAILED)])
def test_a_failing_webhook_is_retried_when_transient_and_given_up_when_permanent(
    tenant: Tenant, status: int, final: str, django_capture_on_commit_callbacks: Any
) -> None:
    with FakePlatform() as server:
        server.add("POST", "/hook/TOKEN123456", status=status, body="nope")
        do_add_channel(
            tenant.organisation,
            actor=tenant.admin.user,
            kind="webhook",
            name="SI",
            url=f"{server.url}/hook/TOKEN123456",
            secret=SECRET,
        )
        for membership in (tenant.admin, tenant.manager, tenant.agent, tenant.viewer):
            do_update_preferences(
                membership,
                events=[],
                email=False,
                minimum_severity="warning",
                quiet_start=None,
                quiet_end=None,
            )
        with django_capture_on_commit_callbacks(execute=True):
            do_record_finding(tenant.organisation, _finding())
        with django_capture_on_commit_callbacks(execute=True):
            jobs.run_pending()
        delivery = Delivery.objects.get(channel__isnull=False)
        assert len(server.requests) == 1
    assert delivery.status == final
    assert delivery.attempts == 1
    assert "TOKEN123456" not in delivery.error
    retry_queued = Job.objects.filter(
        name="alerts.deliver", status="queued", run_after__gt=timezone.now()
    ).exists()
    assert retry_queued is (final == DeliveryStatus.PENDING)


def test_an_alert_nobody_acknowledges_is_escalated_to_managers_and_admins(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    alert, _ = do_record_finding(tenant.organisation, _finding(), now=timezone.now() - timedelta(minutes=31))
    escalate()
    alert.refresh_from_db()
    assert alert.escalated_at is not None
    escalated_to = set(
        Notification.objects.filter(event="alert.escalated").values_list("recipient__email", flat=True)
    )
    assert escalated_to == {"manager@acme.example", "admin@acme.example"}
    escalate()
    assert Notification.objects.filter(event="alert.escalated").count() == 2, "escalated once"


def test_an_acknowledged_alert_is_not_escalated(tenant: Tenant) -> None:
    alert, _ = do_record_finding(tenant.organisation, _finding(), now=timezone.now() - timedelta(minutes=31))
    do_acknowledge_alert(alert, actor=tenant.agent.user)
    escalate()
    alert.refresh_from_db()
    assert alert.escalated_at is None


def test_quiet_hours_over_midnight(tenant: Tenant) -> None:
    from vigie.alerts.queries import in_quiet_hours, preference_for

    preference = preference_for(tenant.viewer)
    preference.quiet_start, preference.quiet_end = time(22, 0), time(7, 0)
    paris = timezone.get_default_timezone()
    late = datetime(2026, 3, 3, 23, 30, tzinfo=paris)
    early = datetime(2026, 3, 4, 6, 0, tzinfo=paris)
    day = datetime(2026, 3, 4, 12, 0, tzinfo=paris)
    assert in_quiet_hours(preference, late) == datetime(2026, 3, 4, 7, 0, tzinfo=paris)
    assert in_quiet_hours(preference, early) == datetime(2026, 3, 4, 7, 0, tzinfo=paris)
    assert in_quiet_hours(preference, day) is None


def test_a_delivery_whose_job_was_lost_is_sent_by_the_sweep(
    tenant: Tenant, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    do_record_finding(tenant.organisation, _finding())  # its delivery jobs are never enqueued (no commit)
    Delivery.objects.update(not_before=timezone.now() - timedelta(minutes=10))
    assert not Job.objects.filter(name="alerts.deliver").exists()
    escalate()
    jobs.run_pending()
    assert {m["X-Rcpt-To"] for m in smtp_server.messages} >= {"manager@acme.example", "viewer@acme.example"}
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
    escalate()
    jobs.run_pending()
    assert len(smtp_server.messages) == 4, "each message once"


@pytest.mark.parametrize("kind", ["slack", "mattermost", "teams"])
def test_chat_channels_receive_the_alert(
    tenant: Tenant, kind: str, webhook_server: FakePlatform, django_capture_on_commit_callbacks: Any
) -> None:
    do_add_channel(
        tenant.organisation, actor=tenant.admin.user, kind=kind, name=kind, url=f"{webhook_server.url}/chat"
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_record_finding(tenant.organisation, _finding())
    _run_jobs(django_capture_on_commit_callbacks)
    chats = [r for r in webhook_server.requests if r.path == "/chat"]
    assert len(chats) == 1
    assert "Pic de mentions négatives" in chats[0].body.decode()
    assert Delivery.objects.get(channel__isnull=False).status == DeliveryStatus.SENT
