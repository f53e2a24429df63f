"""The alerts API: tokens of every role read, agents and up acknowledge or snooze, another
organisation's alert answers 404."""

from __future__ import annotations

import pytest
from django.test import Client

from vigie.alerts.actions import Finding, do_record_finding
from vigie.alerts.crisis.actions import do_open_crisis
from vigie.alerts.models import Alert, AlertStatus
from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language


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


def _series_alert(tenant: Tenant) -> Alert:
    alert, _ = do_record_finding(
        tenant.organisation,
        Finding(
            key="negative_volume:theme:refunds",
            rule="negative_volume",
            title="Pic d'avis négatifs · Thème Remboursements",
            title_en="Spike in negative feedback · Theme Refunds",
            explanation="30 avis négatifs au lieu de 3.",
            explanation_en="30 negative items instead of 3.",
            scope_label="Thème Remboursements",
            scope_label_en="Theme Refunds",
            severity="warning",
            observed=30,
            expected=3,
        ),
    )
    return alert


def test_an_english_reader_gets_the_english_title(tenant: Tenant, api_client) -> None:  # type: ignore[no-untyped-def]
    """A French reader keeps the French title; a user who chose English, or a client asking for
    English with Accept-Language, reads the English one, and both versions stay available."""
    alert = _series_alert(tenant)
    french = api_client(tenant.viewer).get(f"/api/v1/alerts/{alert.pk}").json()
    assert french["language"] == "fr"
    assert french["title"] == "Pic d'avis négatifs · Thème Remboursements"
    assert french["scope"] == "Thème Remboursements"
    assert french["explanation"] == "30 avis négatifs au lieu de 3."
    assert french["title_en"] == "Spike in negative feedback · Theme Refunds"
    assert french["explanation_en"] == "30 negative items instead of 3."

    asking = api_client(tenant.viewer).get("/api/v1/alerts", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").json()
    assert asking[0]["language"] == "en"
    assert asking[0]["title"] == "Spike in negative feedback · Theme Refunds"
    assert asking[0]["scope"] == "Theme Refunds"
    assert asking[0]["explanation"] == "30 negative items instead of 3."
    assert asking[0]["title_fr"] == "Pic d'avis négatifs · Thème Remboursements"

    do_set_user_language(tenant.agent.user, "en")
    english = api_client(tenant.agent)
    read = english.get(f"/api/v1/alerts/{alert.pk}")
    assert read.json()["title"] == "Spike in negative feedback · Theme Refunds"
    assert read.headers["Content-Language"] == "en"  # though the client sent no Accept-Language
    acknowledged = english.post(f"/api/v1/alerts/{alert.pk}/acknowledge").json()
    assert acknowledged["title"] == "Spike in negative feedback · Theme Refunds"
    # An explicit header wins over the user's choice; an unsupported one is ignored.
    assert english.get(f"/api/v1/alerts/{alert.pk}", HTTP_ACCEPT_LANGUAGE="fr").json()["language"] == "fr"
    assert english.get(f"/api/v1/alerts/{alert.pk}", HTTP_ACCEPT_LANGUAGE="de").json()["language"] == "en"


def test_an_alert_without_english_title_falls_back_to_french(tenant: Tenant, api_client) -> None:  # type: ignore[no-untyped-def]
    alert = _alert(tenant)
    read = api_client(tenant.viewer).get(f"/api/v1/alerts/{alert.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert read["title"] == read["title_en"] == read["title_fr"] == "Pic"
