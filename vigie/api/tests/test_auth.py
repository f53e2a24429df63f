from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from vigie.conftest import Tenant
from vigie.core.actions import do_create_api_token, do_revoke_api_token, do_set_member_active
from vigie.core.models import ApiToken, Membership

ROUTES = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/organisation"),
    ("get", "/api/v1/teams"),
    ("post", "/api/v1/teams"),
    ("get", "/api/v1/locations"),
    ("post", "/api/v1/locations"),
    ("get", "/api/v1/members"),
    ("get", "/api/v1/sources"),
    ("get", "/api/v1/mentions"),
    ("get", "/api/v1/mentions/1"),
    ("get", "/api/v1/cases"),
    ("get", "/api/v1/cases/1"),
    ("patch", "/api/v1/cases/1"),
    ("get", "/api/v1/kpis"),
]


def call(client: Client, method: str, path: str) -> tuple[int, dict[str, object]]:
    response = getattr(client, method)(path, data={}, content_type="application/json")
    return response.status_code, response.json()


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_refuses_a_request_without_a_token(db: None, method: str, path: str) -> None:
    response = getattr(Client(), method)(path, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_refuses_a_revoked_token(tenant: Tenant, method: str, path: str) -> None:
    token, secret = do_create_api_token(tenant.admin, "revoked")
    do_revoke_api_token(token)
    status, _ = call(Client(headers={"Authorization": f"Bearer {secret}"}), method, path)
    assert status == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer vigie_00000000_nonsense",
        "Bearer not-a-vigie-token",
        "Token whatever",
        "Bearer ",
    ],
)
def test_a_bad_or_malformed_token_is_refused(tenant: Tenant, header: str) -> None:
    assert Client(headers={"Authorization": header}).get("/api/v1/me").status_code == 401


def test_a_token_with_a_wrong_secret_but_a_real_prefix_is_refused(tenant: Tenant) -> None:
    _token, secret = do_create_api_token(tenant.admin, "t")
    forged = secret[:-4] + ("aaaa" if not secret.endswith("aaaa") else "bbbb")
    assert Client(headers={"Authorization": f"Bearer {forged}"}).get("/api/v1/me").status_code == 401


def test_a_suspended_members_token_stops_working(
    tenant: Tenant, api_client: Callable[[Membership], Client]
) -> None:
    client = api_client(tenant.agent)
    assert client.get("/api/v1/me").status_code == 200
    do_set_member_active(tenant.agent, False)
    assert client.get("/api/v1/me").status_code == 401


def test_a_signed_in_browser_session_is_not_enough(
    tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    assert login(tenant.admin).get("/api/v1/me").status_code == 401


def test_using_a_token_records_when_it_was_last_used(tenant: Tenant) -> None:
    token, secret = do_create_api_token(tenant.viewer, "t")
    assert token.last_used_at is None
    Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/me")
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_the_openapi_schema_and_docs_are_served(db: None) -> None:
    client = Client()
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for _, path in ROUTES:
        templated = path.replace("/mentions/1", "/mentions/{mention_id}").replace(
            "/cases/1", "/cases/{case_id}"
        )
        assert templated in paths, templated
    assert "BearerAuth" in schema.json()["components"]["securitySchemes"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"openapi.json" in docs.content
    # The documentation must work offline: its scripts come from our own static files, no CDN.
    assert b"cdn." not in docs.content
    assert b'src="https://' not in docs.content
