"""What the API answers to requests that are well formed but refused, or malformed: the statuses
its OpenAPI documents (400 for a body that is not a JSON object, 409 when the object's state
refuses, 422 for a bad field), and nothing changed."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.models import CaseStatus
from vigie.inbox.tests.factories import make_case

ApiClient = Callable[[Membership], Client]


def _send(client: Client, method: str, url: str, body: object) -> tuple[int, object]:
    response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_a_body_that_is_not_an_object_is_a_400(tenant: Tenant, api_client: ApiClient) -> None:
    case = make_case(tenant.organisation)
    agent = api_client(tenant.agent)
    for body in ([None, None], "close", 3):
        status, _ = _send(agent, "post", f"/api/v1/cases/{case.pk}/close", body)
        assert status == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_linking_the_same_ticket_twice_is_a_409(tenant: Tenant, api_client: ApiClient) -> None:
    case = make_case(tenant.organisation)
    agent = api_client(tenant.agent)
    url = f"/api/v1/cases/{case.pk}/private/tickets"
    # An intranet helpdesk link (no dot in the host) is a fine link.
    assert _send(agent, "post", url, {"reference": "ZD-1", "url": "http://helpdesk/t/1"})[0] == 201
    status, body = _send(agent, "post", url, {"reference": "ZD-1"})
    assert status == 409
    assert "déjà lié" in body["detail"]  # type: ignore[index]


def test_a_null_status_keeps_the_case_status(tenant: Tenant, api_client: ApiClient) -> None:
    case = make_case(tenant.organisation)
    status, body = _send(api_client(tenant.agent), "patch", f"/api/v1/cases/{case.pk}", {"status": None})
    assert status == 200
    assert body["status"] == CaseStatus.NEW  # type: ignore[index]


def test_a_number_is_not_read_as_a_date(tenant: Tenant, api_client: ApiClient) -> None:
    viewer = api_client(tenant.viewer)
    assert viewer.get("/api/v1/cases", {"until": "0.5"}).status_code == 422
    assert viewer.get("/api/v1/mentions", {"to": "0"}).status_code == 422
    assert viewer.get("/api/v1/mentions", {"to": "2026-11-30"}).status_code == 200


def test_control_characters_are_replaced_not_dropped(tenant: Tenant, api_client: ApiClient) -> None:
    status, body = _send(api_client(tenant.admin), "post", "/api/v1/teams", {"name": "\x1a"})
    assert status == 201
    assert body["name"] == "\ufffd"  # type: ignore[index]


def test_every_operation_documents_the_common_errors(tenant: Tenant, api_client: ApiClient) -> None:
    spec = api_client(tenant.viewer).get("/api/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            if operation.get("requestBody"):
                assert {"400", "422"} <= codes, (method, path)
            if method != "get":
                assert {"403", "409"} <= codes, (method, path)
