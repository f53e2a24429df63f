"""The layout every page shares, the organisation switcher, the access gate and the language."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.actions import do_create_member, do_set_user_language
from vigie.core.decorators import member_required
from vigie.core.middleware import SESSION_ORG_KEY
from vigie.core.models import Membership, Organisation
from vigie.core.roles import MANAGE


def test_layout_has_skip_link_navigation_and_a_post_logout(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    content = login(tenant.manager).get(reverse("settings")).content.decode()
    assert 'class="skip-link" href="#main"' in content
    for name in ["inbox", "dashboard", "alerts", "sources", "settings"]:
        assert f'href="{reverse(name)}' in content
    assert f'<form method="post" action="{reverse("logout")}">' in content
    assert 'aria-current="page"' in content
    assert "Acme" in content


def test_layout_hides_the_sources_link_from_those_who_cannot_open_it(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    content = login(tenant.agent).get(reverse("settings")).content.decode()
    assert f'href="{reverse("sources")}"' not in content


def test_layout_escapes_an_organisation_name(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    Organisation.objects.filter(pk=tenant.organisation.pk).update(name="<script>alert(1)</script>")
    content = login(tenant.viewer).get(reverse("settings")).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_switcher_is_shown_only_with_several_organisations(
    tenant: Tenant, other_tenant: Tenant, login
) -> None:  # type: ignore[no-untyped-def]
    single = login(tenant.agent).get(reverse("settings")).content.decode()
    assert reverse("switch_organisation") not in single
    do_create_member(other_tenant.organisation, "agent@acme.example", "viewer")
    several = login(tenant.agent).get(reverse("settings")).content.decode()
    assert reverse("switch_organisation") in several
    assert "Globex" in several


def test_switching_to_an_organisation_one_belongs_to(tenant: Tenant, other_tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    do_create_member(other_tenant.organisation, "agent@acme.example", "viewer")
    client = login(tenant.agent)
    response = client.post(
        reverse("switch_organisation"), {"organisation": other_tenant.organisation.pk, "next": "/settings/"}
    )
    assert response.status_code == 302
    assert response.url == "/settings/"
    assert client.session[SESSION_ORG_KEY] == other_tenant.organisation.pk
    page = client.get(reverse("settings")).content.decode()
    assert "globex" in page  # the organisation's slug, in the organisation section
    assert "Lecteur" in page  # the role there


def test_switching_to_an_organisation_one_does_not_belong_to_is_refused(  # type: ignore[no-untyped-def]
    tenant: Tenant, other_tenant: Tenant, login
) -> None:
    client = login(tenant.agent)
    response = client.post(reverse("switch_organisation"), {"organisation": other_tenant.organisation.pk})
    assert response.status_code == 404
    assert SESSION_ORG_KEY not in client.session


def test_switching_to_an_organisation_where_one_is_suspended_is_refused(  # type: ignore[no-untyped-def]
    tenant: Tenant, other_tenant: Tenant, login
) -> None:
    membership = do_create_member(other_tenant.organisation, "agent@acme.example", "viewer")
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    client = login(tenant.agent)
    response = client.post(reverse("switch_organisation"), {"organisation": other_tenant.organisation.pk})
    assert response.status_code == 404
    assert SESSION_ORG_KEY not in client.session


def test_switch_ignores_an_outside_next_and_rejects_garbage(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.agent)
    ok = client.post(
        reverse("switch_organisation"),
        {"organisation": tenant.organisation.pk, "next": "https://evil.example/"},
    )
    assert ok.url == reverse("inbox")
    assert client.post(reverse("switch_organisation"), {"organisation": "abc"}).status_code == 404


def test_switch_requires_post_and_sign_in(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    assert login(tenant.agent).get(reverse("switch_organisation")).status_code == 405
    anonymous = Client().post(reverse("switch_organisation"), {"organisation": tenant.organisation.pk})
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))


# --- The decorator on its own ---------------------------------------------------------------------


@member_required(MANAGE)
def managers_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("secret plans")


def _request_for(client_membership: Membership | None, user=None) -> HttpRequest:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/somewhere/?page=2")
    request.user = user if user is not None else client_membership.user  # type: ignore[union-attr]
    request.membership = client_membership  # type: ignore[attr-defined]
    request.session = {}  # type: ignore[assignment]
    return request


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("agent", 403), ("manager", 200), ("admin", 200)]
)
def test_member_required_enforces_the_minimum_role(tenant: Tenant, role: str, status: int) -> None:
    response = managers_only(_request_for(tenant.member(role)))
    assert response.status_code == status
    if status == 403:
        assert b"secret plans" not in response.content
        assert "ne permet pas" in response.content.decode()


def test_member_required_sends_anonymous_to_login_with_next(db: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    response = managers_only(_request_for(None, user=AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/somewhere/%3Fpage%3D2"


# --- Language -------------------------------------------------------------------------------------


def test_the_interface_is_french_by_default(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    response = login(tenant.agent).get(reverse("settings"))
    content = response.content.decode()
    assert '<html lang="fr">' in content
    assert "Boîte de réception" in content
    assert "Réglages" in content


def test_an_english_speaking_user_sees_the_english_interface(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    do_set_user_language(tenant.agent.user, "en")
    response = login(tenant.agent).get(reverse("settings"))
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert ">Inbox<" in content
    assert ">Settings<" in content
    assert "Boîte de réception" not in content
    assert response["Content-Language"] == "en"


def test_an_english_organisation_speaks_english_to_members_without_a_choice(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    Organisation.objects.filter(pk=tenant.organisation.pk).update(language="en")
    content = login(tenant.viewer).get(reverse("settings")).content.decode()
    assert ">Settings<" in content


def test_the_login_page_follows_the_browser_language(db: None) -> None:
    english = Client(headers={"Accept-Language": "en"}).get(reverse("login")).content.decode()
    french = Client(headers={"Accept-Language": "fr"}).get(reverse("login")).content.decode()
    assert "Sign in" in english
    assert "Se connecter" in french


# --- Assets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("asset", ["vigie/vigie.css", "vendor/htmx.min.js"])
def test_the_layouts_assets_are_served_by_the_app_itself(db: None, asset: str) -> None:
    # No CDN: the stylesheet and htmx must come from Vigie's own static files.
    from django.contrib.staticfiles import finders

    assert finders.find(asset) is not None
    response = Client().get(f"/static/{asset}")
    assert response.status_code == 200
