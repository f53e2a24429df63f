"""API of the charter and the comment-handling scheme: tenancy, roles, what each route returns."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client

from vigie.charter.models import CharterVersion
from vigie.charter.queries import current_charter
from vigie.conftest import Tenant
from vigie.core.models import AuditEvent, Membership
from vigie.inbox.models import Case
from vigie.inbox.routing.actions import do_seed_default_routing
from vigie.mentions.models import MentionType
from vigie.mentions.tests.factories import make_mention

Api = Callable[[Membership], Client]


def test_a_viewer_reads_the_charter_defaults(tenant: Tenant, api_client: Api) -> None:
    response = api_client(tenant.viewer).get("/api/v1/charter")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] is None
    assert body["document"]["sla"]["first_response_hours"] == 24


def test_only_an_admin_replaces_the_charter(tenant: Tenant, api_client: Api) -> None:
    document = current_charter(tenant.organisation).model_dump(mode="json")
    document["sla"]["first_response_hours"] = 8
    payload = json.dumps({"document": document, "comment": "une journée"})
    refused = api_client(tenant.manager).put("/api/v1/charter", payload, content_type="application/json")
    assert refused.status_code == 403
    assert not CharterVersion.objects.exists()
    response = api_client(tenant.admin).put("/api/v1/charter", payload, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert current_charter(tenant.organisation).sla.first_response_hours == 8


def test_an_invalid_charter_is_refused_with_the_field(tenant: Tenant, api_client: Api) -> None:
    document = current_charter(tenant.organisation).model_dump(mode="json")
    document["sla"]["first_response_hours"] = -1
    response = api_client(tenant.admin).put(
        "/api/v1/charter", json.dumps({"document": document}), content_type="application/json"
    )
    assert response.status_code == 422
    assert "first_response_hours" in json.dumps(response.json())
    assert not CharterVersion.objects.exists()


def test_each_organisation_reads_its_own_charter_and_rules(
    tenant: Tenant, other_tenant: Tenant, api_client: Api
) -> None:
    do_seed_default_routing(other_tenant.organisation)
    assert api_client(tenant.viewer).get("/api/v1/routing/rules").json() == []
    rules = api_client(other_tenant.viewer).get("/api/v1/routing/rules").json()
    assert [r["name"] for r in rules][:3] == ["Menaces et diffamation possible", "Insultes", "Spam"]
    assert rules[2]["conditions"] == {"types": ["spam"]}


def test_the_dry_run_explains_and_writes_nothing(
    tenant: Tenant, other_tenant: Tenant, api_client: Api
) -> None:
    do_seed_default_routing(tenant.organisation)
    mention = make_mention(tenant.organisation, text="Horaires ?", mention_type=MentionType.QUESTION)
    theirs = make_mention(other_tenant.organisation, text="Secret")
    client = api_client(tenant.viewer)
    events = AuditEvent.objects.count()
    response = client.get(f"/api/v1/routing/dry-run/{mention.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["rule"] == "Question"
    assert body["needs_answer"] is True
    assert [r["matched"] for r in body["rules"]].count(True) == 1
    assert client.get(f"/api/v1/routing/dry-run/{theirs.pk}").status_code == 404
    assert AuditEvent.objects.count() == events
    assert not Case.objects.exists()


def test_the_routes_need_a_token(tenant: Tenant) -> None:
    assert Client().get("/api/v1/charter").status_code == 401
    assert Client().get("/api/v1/routing/rules").status_code == 401
