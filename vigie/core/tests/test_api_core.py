from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from vigie.conftest import Tenant
from vigie.core.actions import do_add_team_member, do_create_location, do_create_team
from vigie.core.models import Location, Membership, Team
from vigie.core.queries import audit_events

ApiClient = Callable[[Membership], Client]


def post(client: Client, path: str, payload: dict[str, object]) -> tuple[int, object]:
    response = client.post(path, payload, content_type="application/json")
    return response.status_code, response.json()


def error_fields(body: object) -> set[str]:
    return {str(item["loc"][-1]) for item in body["detail"]}  # type: ignore[index]


def test_me_tells_the_user_organisation_and_role(tenant: Tenant, api_client: ApiClient) -> None:
    body = api_client(tenant.agent).get("/api/v1/me").json()
    assert body["user"]["email"] == "agent@acme.example"
    assert body["organisation"]["slug"] == "acme"
    assert body["organisation"]["timezone"] == "Europe/Paris"
    assert body["role"] == "agent"
    # Datetimes carry an explicit offset.
    assert body["organisation"]["created_at"].endswith("+00:00")


def test_organisation_is_the_tokens_own(tenant: Tenant, other_tenant: Tenant, api_client: ApiClient) -> None:
    assert api_client(other_tenant.viewer).get("/api/v1/organisation").json()["slug"] == "globex"
    assert api_client(tenant.viewer).get("/api/v1/organisation").json()["name"] == "Acme"


def test_teams_lists_only_the_organisations_teams(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient
) -> None:
    do_create_team(tenant.organisation, "Avis Google", description="Réponses aux avis")
    do_create_team(other_tenant.organisation, "Secret globex")
    body = api_client(tenant.viewer).get("/api/v1/teams").json()
    assert body == [{"id": body[0]["id"], "name": "Avis Google", "description": "Réponses aux avis"}]


def test_a_manager_creates_a_team_and_it_is_recorded(tenant: Tenant, api_client: ApiClient) -> None:
    status, body = post(
        api_client(tenant.manager), "/api/v1/teams", {"name": " Réseaux sociaux ", "description": "x"}
    )
    assert status == 201
    team = Team.objects.get(pk=body["id"])  # type: ignore[index]
    assert team.organisation == tenant.organisation
    assert team.name == "Réseaux sociaux"
    event = audit_events(tenant.organisation).last()
    assert event is not None
    assert (event.verb, event.actor) == ("team.created", tenant.manager.user)


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_below_manager_cannot_create_a_team(tenant: Tenant, api_client: ApiClient, role: str) -> None:
    status, body = post(api_client(tenant.member(role)), "/api/v1/teams", {"name": "Nope"})
    assert status == 403
    assert "detail" in body  # type: ignore[operator]
    assert not Team.objects.filter(name="Nope").exists()


def test_a_team_name_is_required_and_unique(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient
) -> None:
    client = api_client(tenant.manager)
    status, body = post(client, "/api/v1/teams", {"description": "no name"})
    assert status == 422
    assert error_fields(body) == {"name"}
    status, body = post(client, "/api/v1/teams", {"name": ""})
    assert status == 422
    assert error_fields(body) == {"name"}

    do_create_team(tenant.organisation, "Avis")
    status, body = post(client, "/api/v1/teams", {"name": "Avis"})
    assert status == 409  # a duplicate: the request is well formed, the name is taken
    assert "existe déjà" in body["detail"]
    # The same name in another organisation is fine.
    assert post(api_client(other_tenant.manager), "/api/v1/teams", {"name": "Avis"})[0] == 201


def test_locations_list_and_create(tenant: Tenant, other_tenant: Tenant, api_client: ApiClient) -> None:
    do_create_location(other_tenant.organisation, "Globex Lille")
    client = api_client(tenant.manager)
    status, body = post(
        client, "/api/v1/locations", {"name": "Lyon Part-Dieu", "kind": "shop", "city": "Lyon"}
    )
    assert status == 201
    assert body["kind"] == "shop"  # type: ignore[index]
    assert body["timezone"] == "Europe/Paris"  # type: ignore[index]
    listed = api_client(tenant.viewer).get("/api/v1/locations").json()
    assert [loc["name"] for loc in listed] == ["Lyon Part-Dieu"]
    assert Location.objects.get(pk=body["id"]).organisation == tenant.organisation  # type: ignore[index]


def test_creating_a_location_validates_its_fields(tenant: Tenant, api_client: ApiClient) -> None:
    client = api_client(tenant.manager)
    status, body = post(client, "/api/v1/locations", {"name": "X", "kind": "castle"})
    assert status == 422
    assert error_fields(body) == {"kind"}
    status, body = post(client, "/api/v1/locations", {"name": "X", "timezone": "Mars/Olympus"})
    assert status == 422
    assert error_fields(body) == {"timezone"}
    assert post(api_client(tenant.viewer), "/api/v1/locations", {"name": "Y"})[0] == 403


def test_members_are_listed_for_managers_only(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient
) -> None:
    team = do_create_team(tenant.organisation, "Avis")
    do_add_team_member(team, tenant.agent)
    body = api_client(tenant.manager).get("/api/v1/members").json()
    emails = [m["email"] for m in body]
    assert emails == sorted(f"{role}@acme.example" for role in ("admin", "manager", "agent", "viewer"))
    agent = next(m for m in body if m["email"] == "agent@acme.example")
    assert agent["role"] == "agent"
    assert agent["teams"] == [{"id": team.pk, "name": "Avis"}]
    assert api_client(tenant.agent).get("/api/v1/members").status_code == 403
