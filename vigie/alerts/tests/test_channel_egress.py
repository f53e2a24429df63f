"""Alert channels go through the egress policy: an internal address is never posted to."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from vigie.alerts.channels import DeliveryError, Notice, send_slack, send_webhook
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
