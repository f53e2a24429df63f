"""Groups of locations ("Région Sud-Est", "Franchisés"): the settings page and the API, tenancy and
roles."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.actions import do_create_location, do_create_location_group
from vigie.core.models import Location, LocationGroup, Membership
from vigie.core.queries import audit_events, group_location_ids

Login = Callable[[Membership], Client]


def places(tenant: Tenant, *names: str) -> list[Location]:
    return [do_create_location(tenant.organisation, name) for name in names]


def test_a_manager_creates_changes_and_deletes_a_group(tenant: Tenant, login: Login) -> None:
    nice, marseille, lille = places(tenant, "Agence Nice", "Agence Marseille", "Agence Lille")
    client = login(tenant.manager)
    response = client.post(
        reverse("settings_location_group_create"),
        {"name": "Région Sud-Est", "locations": [nice.pk, marseille.pk]},
    )
    assert response.status_code == 302
    group = LocationGroup.objects.get(organisation=tenant.organisation, name="Région Sud-Est")
    assert group_location_ids(group) == tuple(sorted((nice.pk, marseille.pk)))
    page = client.get(reverse("settings")).content.decode()
    assert "Région Sud-Est" in page
    assert reverse("settings_location_group_update", args=[group.pk]) in page

    response = client.post(
        reverse("settings_location_group_update", args=[group.pk]), {f"g{group.pk}-locations": [lille.pk]}
    )
    assert response.status_code == 302
    assert group_location_ids(group) == (lille.pk,)

    assert client.post(reverse("settings_location_group_delete", args=[group.pk])).status_code == 302
    assert not LocationGroup.objects.filter(pk=group.pk).exists()
    assert Location.objects.filter(pk=lille.pk).exists()  # the locations stay
    verbs = set(audit_events(tenant.organisation).values_list("verb", flat=True))
    assert {"location_group.created", "location_group.changed", "location_group.deleted"} <= verbs


def test_a_group_name_is_unique_and_required(tenant: Tenant, login: Login) -> None:
    do_create_location_group(tenant.organisation, "Franchisés", [])
    client = login(tenant.manager)
    response = client.post(reverse("settings_location_group_create"), {"name": "Franchisés"})
    assert response.status_code == 400
    assert 'id="group_name_error"' in response.content.decode()
    response = client.post(reverse("settings_location_group_create"), {"name": "   "})
    assert response.status_code == 400
    assert LocationGroup.objects.filter(organisation=tenant.organisation).count() == 1


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_below_manager_nobody_manages_groups(tenant: Tenant, login: Login, role: str) -> None:
    group = do_create_location_group(tenant.organisation, "Franchisés", [])
    client = login(tenant.member(role))
    assert client.post(reverse("settings_location_group_create"), {"name": "X"}).status_code == 403
    assert client.post(reverse("settings_location_group_delete", args=[group.pk])).status_code == 403
    page = client.get(reverse("settings")).content.decode()
    assert "Franchisés" in page  # seen, not changed
    assert reverse("settings_location_group_create") not in page
    assert LocationGroup.objects.filter(pk=group.pk).exists()


def test_another_organisations_groups_and_locations_are_out_of_reach(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    (theirs,) = places(other_tenant, "Agence Globex")
    their_group = do_create_location_group(other_tenant.organisation, "Globex Nord", [theirs])
    (ours,) = places(tenant, "Agence Acme")
    client = login(tenant.admin)
    assert "Globex Nord" not in client.get(reverse("settings")).content.decode()
    update = reverse("settings_location_group_update", args=[their_group.pk])
    assert client.post(update, {f"g{their_group.pk}-locations": [ours.pk]}).status_code == 404
    assert client.post(reverse("settings_location_group_delete", args=[their_group.pk])).status_code == 404
    assert group_location_ids(their_group) == (theirs.pk,)
    # Another organisation's location is not a choice: the form says so and creates nothing.
    response = client.post(
        reverse("settings_location_group_create"), {"name": "Mélange", "locations": [ours.pk, theirs.pk]}
    )
    assert response.status_code == 400
    assert not LocationGroup.objects.filter(name="Mélange").exists()
    with pytest.raises(ValidationError):
        do_create_location_group(tenant.organisation, "Mélange", [ours, theirs])


def test_the_api_lists_and_creates_groups(
    tenant: Tenant, other_tenant: Tenant, api_client: Callable[[Membership], Client]
) -> None:
    nice, marseille = places(tenant, "Agence Nice", "Agence Marseille")
    (theirs,) = places(other_tenant, "Agence Globex")
    do_create_location_group(other_tenant.organisation, "Globex Nord", [theirs])
    manager = api_client(tenant.manager)
    response = manager.post(
        "/api/v1/location-groups",
        {"name": "Région Sud-Est", "locations": [marseille.pk, nice.pk]},
        content_type="application/json",
    )
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "Région Sud-Est"
    assert created["locations"] == sorted([nice.pk, marseille.pk])
    listed = api_client(tenant.viewer).get("/api/v1/location-groups").json()
    assert [g["name"] for g in listed] == ["Région Sud-Est"]  # not Globex's

    again = manager.post(
        "/api/v1/location-groups", {"name": "Région Sud-Est"}, content_type="application/json"
    )
    assert again.status_code == 409
    foreign = manager.post(
        "/api/v1/location-groups",
        {"name": "Mélange", "locations": [theirs.pk]},
        content_type="application/json",
    )
    assert foreign.status_code == 422
    assert foreign.json()["detail"][0]["loc"][-1] == "locations"
    agent = api_client(tenant.agent).post(
        "/api/v1/location-groups", {"name": "Agents"}, content_type="application/json"
    )
    assert agent.status_code == 403
    assert not LocationGroup.objects.filter(name__in=["Mélange", "Agents"]).exists()
