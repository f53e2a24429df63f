"""Alert channels go through the egress policy: an internal address is never posted to."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError

from vigie.alerts.actions import do_add_channel
from vigie.alerts.channels import DeliveryError, Notice, send_slack, send_webhook
from vigie.alerts.models import NotificationChannel
from vigie.conftest import Tenant
from vigie.connectors.testing import FakePlatform

NOTICE = Notice(title="Pic", body="23 mentions", url=None, severity="warning", event="alert.opened")


@pytest.fixture
def internal() -> Iterator[FakePlatform]:
    """A service on loopback that answers something no user may read."""
    with FakePlatform() as server:
        server.add("POST", "/hook", body="root:x:0:0 internal answer", status=500)
        yield server


def test_a_channel_pointing_inside_is_refused_and_nothing_is_sent(
    internal: FakePlatform, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("VIGIE_EGRESS_ALLOW")
    caplog.set_level(logging.DEBUG)
    for send in (
        lambda: send_slack(NOTICE, f"{internal.url}/hook"),
        lambda: send_webhook(NOTICE, f"{internal.url}/hook", "whsec_0123456789abcdef"),
        lambda: send_slack(NOTICE, "http://169.254.169.254/latest/meta-data/"),
        lambda: send_slack(NOTICE, "http://127.0.0.1:1/closed"),
    ):
        with pytest.raises(DeliveryError) as refused:
            send()
        assert refused.value.permanent
        assert str(refused.value).endswith(": adresse non autorisée")
    assert internal.requests == []
    assert "internal answer" not in caplog.text


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "https://localhost/hooks/x",
        "http://169.254.169.254/latest/",
        "http://10.0.0.5/hook",
    ],
)
def test_a_channel_pointing_inside_is_refused_when_it_is_added(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """Found in the demo: such channels were "added" and listed as working, then never delivered."""
    monkeypatch.delenv("VIGIE_EGRESS_ALLOW")
    with pytest.raises(ValidationError, match="Adresse non autorisée"):
        do_add_channel(tenant.organisation, actor=tenant.manager.user, kind="slack", name="Interne", url=url)
    assert not NotificationChannel.objects.exists()


def test_a_channel_on_a_name_not_resolvable_from_here_is_kept_for_its_sending(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIGIE_EGRESS_ALLOW")
    do_add_channel(
        tenant.organisation,
        actor=tenant.manager.user,
        kind="slack",
        name="Slack",
        url="https://hooks.slack.example/T0/B0/x",
    )
    assert NotificationChannel.objects.count() == 1
