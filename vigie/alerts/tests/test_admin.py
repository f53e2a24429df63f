"""The operators' admin lists alerts, deliveries, channels and crises; a channel's encrypted URL
and secret never appear there."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from vigie.alerts.actions import do_add_channel
from vigie.alerts.models import NotificationChannel
from vigie.conftest import PASSWORD, Tenant
from vigie.core.models import User


def test_the_admin_shows_channels_without_their_secrets(tenant: Tenant) -> None:
    channel = do_add_channel(
        tenant.organisation,
        actor=tenant.admin.user,
        kind="slack",
        name="Slack",
        url="https://chat.example/hook/SECRET123",
    )
    operator = User.objects.create_superuser("ops@example.org", PASSWORD)
    client = Client()
    client.force_login(operator)
    for model in ("alert", "delivery", "notificationchannel", "crisis"):
        assert client.get(reverse(f"admin:alerts_{model}_changelist")).status_code == 200
    page = client.get(reverse("admin:alerts_notificationchannel_change", args=[channel.pk])).content.decode()
    stored = NotificationChannel.objects.get(pk=channel.pk).secrets_encrypted
    assert "SECRET123" not in page
    assert stored not in page
