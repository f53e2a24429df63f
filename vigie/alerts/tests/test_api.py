"""The alerts API: tokens of every role read, agents and up acknowledge or snooze, another
organisation's alert answers 404."""

from __future__ import annotations

import pytest
from django.test import Client

from vigie.alerts.actions import Finding, do_record_finding
from vigie.alerts.crisis.actions import do_open_crisis
from vigie.alerts.models import Alert, AlertStatus
from vigie.conftest import Tenant


def _alert(tenant: Tenant) -> Alert:
    alert, _ = do_record_finding(
        tenant.organisation,
        Finding(
            key="negative_volume:org",
            rule="negative_volume",
            title="Pic",
            severity="warning",
            observed=30,
            expected=3,
        ),
    )
    return alert


def test_unauthenticated_requests_get_401(db: None) -> None:
    assert Client().get("/api/v1/alerts").status_code == 401


@pytest.mark.parametrize("role", ["viewer", "agent", "manager", "admin"])
def test_every_role_lists_alerts_and_crises(tenant: Tenant, api_client, role: str) -> None:  # type: ignore[no-untyped-def]
    alert = _alert(tenant)
    do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Panne")
    client = api_client(tenant.member(role))
    listed = client.get("/api/v1/alerts?ongoing=true").json()
    assert [a["id"] for a in listed] == [alert.pk]
    assert listed[0]["observed"] == 30
    assert client.get(f"/api/v1/alerts/{alert.pk}").json()["key"] == "negative_volume:org"
    assert [c["title"] for c in client.get("/api/v1/crises").json()] == ["Panne"]


def test_a_viewer_cannot_acknowledge_but_an_agent_can(tenant: Tenant, api_client) -> None:  # type: ignore[no-untyped-def]
    alert = _alert(tenant)
    assert api_client(tenant.viewer).post(f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 403
    assert (
        api_client(tenant.viewer)
        .post(f"/api/v1/alerts/{alert.pk}/snooze", {"hours": 2}, content_type="application/json")
        .status_code
        == 403
    )
    response = api_client(tenant.agent).post(f"/api/v1/alerts/{alert.pk}/acknowledge")
    assert response.status_code == 200
    assert response.json()["status"] == AlertStatus.ACKNOWLEDGED


def test_snoozing_validates_the_duration(tenant: Tenant, api_client) -> None:  # type: ignore[no-untyped-def]
    alert = _alert(tenant)
    client = api_client(tenant.agent)
    assert (
        client.post(
            f"/api/v1/alerts/{alert.pk}/snooze", {"hours": 0}, content_type="application/json"
        ).status_code
        == 422
    )
    response = client.post(f"/api/v1/alerts/{alert.pk}/snooze", {"hours": 3}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "snoozed"


def test_another_organisations_alert_is_404(tenant: Tenant, other_tenant: Tenant, api_client) -> None:  # type: ignore[no-untyped-def]
    alert = _alert(tenant)
    client = api_client(other_tenant.admin)
    assert client.get(f"/api/v1/alerts/{alert.pk}").status_code == 404
    assert client.post(f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 404
    assert (
        client.post(
            f"/api/v1/alerts/{alert.pk}/snooze", {"hours": 2}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/api/v1/alerts").json() == []
    assert client.get("/api/v1/crises").json() == []
