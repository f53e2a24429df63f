"""GET /api/v1/sources: live sources with their health, never a credential or a config."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source, do_remove_source
from vigie.core.models import Membership

SECRET = "api-test-secret-0123456789"


def test_sources_never_carry_credentials_and_removed_ones_are_gone(
    tenant: Tenant, api_client: Callable[[Membership], Client]
) -> None:
    do_create_source(tenant.organisation, platform="webhook", name="Hook", config={"secret": SECRET})
    gone = do_create_source(
        tenant.organisation, platform="feed", name="Old", config={"url": "https://x.example"}
    )
    do_remove_source(gone, keep_mentions=True)
    response = api_client(tenant.manager).get("/api/v1/sources")
    assert response.status_code == 200
    assert [s["name"] for s in response.json()] == ["Hook"]
    body = response.content.decode()
    assert SECRET not in body
    assert "credentials" not in body
    assert "config" not in body
