"""The "connect Google account" pages: roles, tenancy, the state check and the stored token."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.google_business.tests.conftest import load
from vigie.connectors.credentials import decrypt_secrets
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.models import Organisation
from vigie.mentions.tests.factories import make_source

CLIENT_SECRET = "GOCSPX-client-SECRET"


def google_source(organisation: Organisation, platform: FakePlatform, name: str = "Avis Google") -> Source:
    return do_create_source(
        organisation,
        platform="google_business",
        name=name,
        config={
            "base_url": platform.url,
            "token_url": f"{platform.url}/token",
            "auth_url": f"{platform.url}/auth",
            "account_id": "1122334455",
            "location_ids": ["9988776655"],
            "client_id": "123-abc.apps.googleusercontent.com",
            "client_secret": CLIENT_SECRET,
        },
    )


def start(client: Client, source: Source) -> str:
    """POST the connect form; return the state sent to Google."""
    response = client.post(reverse("google_business_connect", args=[source.pk]))
    assert response.status_code == 302
    return parse_qs(urlsplit(response.url).query)["state"][0]


def test_anonymous_visitors_are_sent_to_login(db: None, platform: FakePlatform, tenant: Tenant) -> None:
    source = google_source(tenant.organisation, platform)
    response = Client().get(reverse("google_business_connect", args=[source.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_viewers_and_agents_are_refused(
    tenant: Tenant, platform: FakePlatform, login: Any, role: str
) -> None:
    source = google_source(tenant.organisation, platform)
    client = login(tenant.member(role))
    assert client.get(reverse("google_business_connect", args=[source.pk])).status_code == 403
    assert client.post(reverse("google_business_connect", args=[source.pk])).status_code == 403
    assert client.get(reverse("google_business_callback"), {"state": "x", "code": "y"}).status_code == 403


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_the_page_with_the_redirect_uri(
    tenant: Tenant, platform: FakePlatform, login: Any, role: str
) -> None:
    source = google_source(tenant.organisation, platform)
    response = login(tenant.member(role)).get(reverse("google_business_connect", args=[source.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Avis Google" in content
    assert "http://testserver/sources/google/callback/" in content
    assert "Aucun compte connecté" in content
    assert CLIENT_SECRET not in content


def test_another_organisations_source_is_not_found(
    tenant: Tenant, other_tenant: Tenant, platform: FakePlatform, login: Any
) -> None:
    theirs = google_source(other_tenant.organisation, platform, name="Avis Globex")
    client = login(tenant.manager)
    assert client.get(reverse("google_business_connect", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("google_business_connect", args=[theirs.pk])).status_code == 404


def test_a_source_of_another_platform_is_not_found(tenant: Tenant, login: Any) -> None:
    feed = make_source(tenant.organisation, platform="feed", name="Flux")
    assert login(tenant.manager).get(reverse("google_business_connect", args=[feed.pk])).status_code == 404


def test_connecting_sends_the_manager_to_google_consent(
    tenant: Tenant, platform: FakePlatform, login: Any
) -> None:
    source = google_source(tenant.organisation, platform)
    response = login(tenant.manager).post(reverse("google_business_connect", args=[source.pk]))
    assert response.status_code == 302
    target = urlsplit(response.url)
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{platform.url}/auth"
    assert query["client_id"] == ["123-abc.apps.googleusercontent.com"]
    assert query["redirect_uri"] == ["http://testserver/sources/google/callback/"]
    assert query["access_type"] == ["offline"]
    assert len(query["state"][0]) >= 32


def test_the_callback_stores_the_refresh_token_encrypted(
    tenant: Tenant, platform: FakePlatform, login: Any
) -> None:
    platform.add("POST", "/token", json=load("token_with_refresh.json"))
    source = google_source(tenant.organisation, platform)
    client = login(tenant.manager)
    state = start(client, source)
    response = client.get(reverse("google_business_callback"), {"state": state, "code": "4/0Adeu5B"})
    assert response.status_code == 302
    # On to the source's form, where the account's locations are now listed to choose.
    assert response.url == reverse("source_edit", args=[source.pk])
    source.refresh_from_db()
    stored = decrypt_secrets(source.credentials_encrypted)
    assert stored["refresh_token"] == "1//0gFAKErefresh-new"
    assert stored["client_secret"] == CLIENT_SECRET  # other secrets are kept
    assert "1//0gFAKErefresh-new" not in str(source.config)
    exchange = platform.requests_to("POST", "/token")[0].form()
    assert exchange["code"] == "4/0Adeu5B"
    assert exchange["redirect_uri"] == "http://testserver/sources/google/callback/"
    page = client.get(reverse("google_business_connect", args=[source.pk])).content.decode()
    assert "Compte connecté" in page


def test_a_callback_with_a_wrong_state_stores_nothing(
    tenant: Tenant, platform: FakePlatform, login: Any
) -> None:
    source = google_source(tenant.organisation, platform)
    client = login(tenant.manager)
    start(client, source)
    response = client.get(reverse("google_business_callback"), {"state": "forged", "code": "4/0Adeu5B"})
    assert response.status_code == 400
    assert platform.requests == []
    source.refresh_from_db()
    assert "refresh_token" not in decrypt_secrets(source.credentials_encrypted)


def test_a_pending_grant_for_another_organisations_source_is_not_found(
    tenant: Tenant, other_tenant: Tenant, platform: FakePlatform, login: Any
) -> None:
    platform.add("POST", "/token", json=load("token_with_refresh.json"))
    ours = google_source(tenant.organisation, platform)
    intruder = login(other_tenant.manager)
    # Even with a valid state in its session, another organisation's manager cannot reach our source.
    session = intruder.session
    session["google_business_oauth"] = {"state": "s" * 43, "source_id": ours.pk}
    session.save()
    response = intruder.get(reverse("google_business_callback"), {"state": "s" * 43, "code": "c"})
    assert response.status_code == 404
    assert platform.requests == []
    ours.refresh_from_db()
    assert "refresh_token" not in decrypt_secrets(ours.credentials_encrypted)


def test_a_refusal_at_google_is_shown_and_stores_nothing(
    tenant: Tenant, platform: FakePlatform, login: Any
) -> None:
    source = google_source(tenant.organisation, platform)
    client = login(tenant.manager)
    state = start(client, source)
    response = client.get(reverse("google_business_callback"), {"state": state, "error": "access_denied"})
    assert response.status_code == 400
    assert "access_denied" in response.content.decode()
    assert platform.requests == []


def test_a_failed_code_exchange_shows_googles_message(
    tenant: Tenant, platform: FakePlatform, login: Any
) -> None:
    platform.add(
        "POST", "/token", status=400, json={"error": "invalid_grant", "error_description": "Bad Request"}
    )
    source = google_source(tenant.organisation, platform)
    client = login(tenant.manager)
    state = start(client, source)
    response = client.get(reverse("google_business_callback"), {"state": state, "code": "stale"})
    content = response.content.decode()
    assert response.status_code == 502
    assert "invalid_grant: Bad Request" in content
    assert CLIENT_SECRET not in content


def test_a_token_address_the_policy_refuses_is_said_not_a_server_error(
    tenant: Tenant, platform: FakePlatform, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = google_source(tenant.organisation, platform)
    client = login(tenant.manager)
    state = start(client, source)
    monkeypatch.delenv("VIGIE_EGRESS_ALLOW", raising=False)  # the token address is on loopback
    response = client.get(reverse("google_business_callback"), {"state": state, "code": "4/0Adeu5B"})
    assert response.status_code == 502
    assert "Échec de la connexion : adresse non autorisée" in response.content.decode()
    assert platform.requests == []
