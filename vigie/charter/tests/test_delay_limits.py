"""A delay of a billion hours was accepted by the charter (form and API) and by a routing rule:
each delay now lies in its documented range (a first answer: 15 minutes to 30 days of 24 hours),
refused outside with the range in the reader's language."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vigie.charter.models import CharterVersion
from vigie.charter.queries import current_charter
from vigie.charter.tests.test_views import sla_form
from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language
from vigie.core.models import Membership
from vigie.inbox.models import RoutingRule

Login = Callable[[Membership], Client]
ApiClient = Callable[[Membership], Client]
FRENCH = "Indiquez un délai entre 0,25 et 720 heures."
ENGLISH = "Give a delay between 0.25 and 720 hours."


def _put(client: Client, document: dict[str, Any]) -> Any:
    return client.put("/api/v1/charter", json.dumps({"document": document}), content_type="application/json")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("sla", "first_response_hours"), 1e9),
        (("sla", "first_response_hours"), 0.1),
        (("responses", 0, "first_response_hours"), 721),
        (("sla", "per_platform_hours", "facebook"), 1e9),
        (("kpi_targets", "first_response_hours"), 1e9),
    ],
)
def test_the_api_refuses_a_first_answer_delay_out_of_range_and_says_the_range(
    tenant: Tenant, api_client: ApiClient, path: tuple[str | int, ...], value: float
) -> None:
    client = api_client(tenant.admin)
    document = client.get("/api/v1/charter").json()["document"]
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    response = _put(client, document)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "payload", "document", *path]
    assert error["msg"] == FRENCH
    assert not CharterVersion.objects.exists()


def test_the_api_says_the_range_in_the_language_the_client_asks_for(
    tenant: Tenant, api_client: ApiClient
) -> None:
    client = api_client(tenant.admin)
    document = client.get("/api/v1/charter").json()["document"]
    document["sla"]["first_response_hours"] = 1e9
    response = client.put(
        "/api/v1/charter",
        json.dumps({"document": document}),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == ENGLISH


def test_the_api_takes_the_bounds_themselves_and_states_them_in_its_schema(
    tenant: Tenant, api_client: ApiClient
) -> None:
    client = api_client(tenant.admin)
    document = client.get("/api/v1/charter").json()["document"]
    document["sla"]["first_response_hours"] = 720
    document["responses"][0]["first_response_hours"] = 0.25
    document["sla"]["per_platform_hours"] = {"facebook": 720}
    assert _put(client, document).status_code == 200
    assert current_charter(tenant.organisation).sla.first_response_hours == 720
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    delay = schemas["SlaPolicy"]["properties"]["first_response_hours"]
    assert (delay["minimum"], delay["maximum"]) == (0.25, 720)
    assert schemas["SlaPolicy"]["properties"]["resolution_hours"]["maximum"] == 2160


def test_the_charter_form_refuses_a_per_platform_delay_out_of_range(tenant: Tenant, login: Login) -> None:
    client = login(tenant.admin)
    edit = reverse("charter_edit", args=["sla"])
    refused = client.post(
        edit, sla_form(per_platform_hours="facebook = 1000000000", first_response_hours="1e9")
    )
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert f"facebook = 1000000000 : {FRENCH}" in errors["per_platform_hours"]
    assert FRENCH in errors["first_response_hours"]
    assert not CharterVersion.objects.exists()

    do_set_user_language(tenant.admin.user, "en")
    refused = login(tenant.admin).post(edit, sla_form(first_response_hours="1e9"))
    assert ENGLISH in refused.context["form"].errors["first_response_hours"]


def test_a_routing_rule_refuses_a_delay_out_of_range(tenant: Tenant, login: Login) -> None:
    client = login(tenant.manager)
    form = {
        "name": "Presse",
        "enabled": "on",
        "assign": "none",
        "toxic": "",
        "legal_risk": "",
        "sla_hours": "1e9",
    }
    refused = client.post(reverse("routing_rule_create"), form)
    assert refused.status_code == 400
    assert FRENCH in refused.context["form"].errors["sla_hours"]
    assert FRENCH in refused.content.decode()
    assert not RoutingRule.objects.filter(name="Presse").exists()
    assert client.post(reverse("routing_rule_create"), {**form, "sla_hours": "720"}).status_code == 302

    do_set_user_language(tenant.manager.user, "en")
    refused = login(tenant.manager).post(reverse("routing_rule_create"), {**form, "sla_hours": "0.1"})
    assert ENGLISH in refused.context["form"].errors["sla_hours"]
