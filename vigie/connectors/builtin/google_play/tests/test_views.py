"""A manager adds a Google Play source from the sources page; the connection test says the API
keeps only a week of reviews."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.connectors.actions import source_config
from vigie.connectors.builtin.google_play.tests.conftest import load
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.models import Membership

Login = Callable[[Membership], Client]


def test_a_manager_adds_an_app_and_reads_the_one_week_warning(
    tenant: Tenant,
    login: Login,
    platform: FakePlatform,
    service_account: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    platform.add("POST", "/token", json=load("token.json"))
    platform.add(
        "GET",
        "/androidpublisher/v3/applications/fr.exemple.boutique/reviews",
        json=load("reviews_page2.json"),
    )
    response = login(tenant.manager).post(
        reverse("source_add", args=["google_play"]),
        {
            "source-name": "Appli Android",
            "source-test_after_save": "on",
            "config-package_name": "fr.exemple.boutique",
            "config-service_account_json": service_account,
            "config-base_url": platform.url,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Connexion réussie pour « Appli Android »" in page
    assert "ne garde que les avis des 7 derniers jours" in page
    source = Source.objects.get(name="Appli Android")
    assert "service_account_json" not in source.config
    assert source_config(source).package_name == "fr.exemple.boutique"  # type: ignore[attr-defined]
    # The key never comes back to the page.
    assert "PRIVATE KEY" not in page


def test_a_pasted_key_that_is_not_a_service_account_is_refused_on_its_field(
    tenant: Tenant, login: Login
) -> None:
    response = login(tenant.manager).post(
        reverse("source_add", args=["google_play"]),
        {
            "source-name": "Appli Android",
            "config-package_name": "fr.exemple.boutique",
            "config-service_account_json": '{"type": "authorized_user"}',
        },
    )
    assert response.status_code == 400
    assert "client_email and private_key" in response.content.decode()
    assert not Source.objects.filter(name="Appli Android").exists()
