"""The Sources page: who may see it, what it shows, and that it shows only this organisation's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.connectors.models import SourceState
from vigie.mentions.tests.factories import make_location, make_mention, make_source


def test_anonymous_visitors_are_sent_to_login(db: None) -> None:
    response = Client().get(reverse("sources"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('sources')}"


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_viewers_and_agents_are_refused(tenant: Tenant, login, role: str) -> None:  # type: ignore[no-untyped-def]
    make_source(tenant.organisation, name="Fiche Google Lyon")
    response = login(tenant.member(role)).get(reverse("sources"))
    assert response.status_code == 403
    assert "Fiche Google Lyon" not in response.content.decode()


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_the_sources(tenant: Tenant, login, role: str) -> None:  # type: ignore[no-untyped-def]
    make_source(tenant.organisation, name="Fiche Google Lyon")
    response = login(tenant.member(role)).get(reverse("sources"))
    assert response.status_code == 200
    assert "Fiche Google Lyon" in response.content.decode()


def test_each_source_shows_its_health_and_mention_count(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    lyon = make_location(tenant.organisation, name="Agence Lyon")
    healthy = make_source(
        tenant.organisation,
        platform="google",
        name="Avis Lyon",
        location=lyon,
        last_success_at=timezone.now(),
    )
    make_source(
        tenant.organisation,
        platform="trustpilot",
        name="Trustpilot",
        state=SourceState.FAILING,
        consecutive_failures=1,  # a fetch failed (a failed connection test alone counts none)
        last_error_at=timezone.now(),
        last_error="HTTP 503 du fournisseur",
    )
    for _ in range(3):
        make_mention(tenant.organisation, source=healthy)
    content = login(tenant.manager).get(reverse("sources")).content.decode()
    assert "Agence Lyon" in content
    assert "trustpilot" in content
    assert "Opérationnelle" in content
    assert "En erreur" in content
    assert "HTTP 503 du fournisseur" in content
    assert '<td class="num">3</td>' in content
    assert '<td class="num">0</td>' in content


def test_another_organisations_sources_never_show(tenant: Tenant, other_tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    make_source(tenant.organisation, name="Source Acme")
    make_source(other_tenant.organisation, name="Source Globex")
    content = login(tenant.admin).get(reverse("sources")).content.decode()
    assert "Source Acme" in content
    assert "Source Globex" not in content


def test_error_text_from_a_platform_is_escaped(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    make_source(
        tenant.organisation,
        name="Flux",
        last_error_at=timezone.now(),
        last_error="<img src=x onerror=alert(1)>",
    )
    content = login(tenant.manager).get(reverse("sources")).content.decode()
    assert "<img src=x" not in content
    assert "&lt;img src=x" in content


def test_an_empty_organisation_gets_an_honest_empty_state(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    content = login(tenant.manager).get(reverse("sources")).content.decode()
    assert "Aucune source pour l'instant" in content
    assert "<table" not in content


def test_the_page_is_read_only(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    assert login(tenant.admin).post(reverse("sources")).status_code == 405
