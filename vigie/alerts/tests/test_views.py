"""The Alerts page: open to every member, honest about the engine not being there yet."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import PASSWORD, Tenant
from vigie.core.models import User


def test_anonymous_visitors_are_sent_to_login(db: None) -> None:
    response = Client().get(reverse("alerts"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('alerts')}"


@pytest.mark.parametrize("role", ["viewer", "agent", "manager", "admin"])
def test_every_member_sees_the_alerts_page(tenant: Tenant, login, role: str) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.member(role)).get(reverse("alerts"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Les alertes apparaîtront ici" in content
    assert "pas encore disponible" in content


def test_someone_without_an_organisation_is_refused(db: None) -> None:
    client = Client()
    client.force_login(User.objects.create_user("nobody@example.org", PASSWORD))
    assert client.get(reverse("alerts")).status_code == 403


def test_the_page_shows_the_members_own_organisation(tenant: Tenant, other_tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    content = login(tenant.viewer).get(reverse("alerts")).content.decode()
    assert "Acme" in content
    assert "Globex" not in content
