from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.mentions.tests.factories import make_location, make_source

ApiClient = Callable[[Membership], Client]


def test_sources_are_listed_with_their_health_and_never_their_secrets(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient
) -> None:
    lyon = make_location(tenant.organisation, "Lyon")
    make_source(
        tenant.organisation,
        "google",
        name="Google Lyon",
        location=lyon,
        credentials_encrypted="gAAAA-SECRET-CIPHERTEXT",
        config={"api_key": "SECRET-KEY"},
        cursor={"page_token": "SECRET-CURSOR"},
        last_error="HTTP 500",
    )
    make_source(other_tenant.organisation, "facebook", name="Globex page")

    response = api_client(tenant.manager).get("/api/v1/sources")
    assert response.status_code == 200
    body = response.json()
    assert [s["name"] for s in body] == ["Google Lyon"]
    assert body[0]["platform"] == "google"
    assert body[0]["location_id"] == lyon.pk
    assert body[0]["state"] == "ok"
    assert body[0]["last_error"] == "HTTP 500"
    assert b"SECRET" not in response.content
    assert not {"credentials_encrypted", "config", "cursor", "credentials"} & set(body[0])


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_below_manager_cannot_list_sources(tenant: Tenant, api_client: ApiClient, role: str) -> None:
    response = api_client(tenant.member(role)).get("/api/v1/sources")
    assert response.status_code == 403
    assert response.json()["detail"]
