"""Template library pages: everyone reads, managers edit, nobody sees another organisation's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.models import Template
from vigie.inbox.templating.actions import TemplateFields, do_create_template, do_load_default_templates
from vigie.inbox.templating.library import DEFAULT_LIBRARY

Login = Callable[[Membership], Client]


def make_template(tenant: Tenant, **overrides: object) -> Template:
    values: dict[str, object] = {
        "name": "Excuses <b>retard</b>",
        "category": "apology",
        "language": "fr",
        "body": "Bonjour {{customer_name}}, <script>alert(1)</script> désolés. [[à compléter : la suite]] {{signature}}",
    }
    values.update(overrides)
    return do_create_template(tenant.organisation, TemplateFields(**values), actor=None)  # type: ignore[arg-type]


FORM = {
    "name": "Merci fidélité",
    "key": "",
    "category": "thanks",
    "language": "fr",
    "platform": "",
    "body": "Bonjour {{customer_name}}, merci pour votre fidélité ! {{signature}}",
    "themes": "accueil, qualite",
    "pre_approved": "on",
}


@pytest.mark.parametrize("role", ["viewer", "agent", "manager"])
def test_every_member_browses_the_library_and_reads_a_template(
    tenant: Tenant, login: Login, role: str
) -> None:
    template = make_template(tenant)
    client = login(tenant.member(role))
    page = client.get(reverse("template_library"))
    assert page.status_code == 200
    assert "Excuses &lt;b&gt;retard&lt;/b&gt;" in page.content.decode()
    detail = client.get(reverse("template_detail", args=[template.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "<script>alert(1)</script>" not in html  # customer-facing text is escaped
    assert "Sophie" in html  # the preview fills the variables with sample values
    assert ("Modifier" in html) is (role == "manager")


def test_the_library_filters_by_language_category_and_kind(tenant: Tenant, login: Login) -> None:
    do_load_default_templates(tenant.organisation, actor=None)
    client = login(tenant.agent)
    response = client.get(
        reverse("template_library"), {"language": "en", "category": "apology", "kind": "templates"}
    )
    rows = response.context["templates"]
    assert rows
    assert all(t.language == "en" and t.category == "apology" and not t.is_snippet for t in rows)
    snippets = client.get(reverse("template_library"), {"kind": "snippets"}).context["templates"]
    assert snippets
    assert all(t.is_snippet for t in snippets)


def test_the_librarys_filters_are_not_each_called_optional(tenant: Tenant, login: Login) -> None:
    # « Rechercher (facultatif) », « Catégorie (facultatif) »…: every filter of a search form is.
    page = login(tenant.agent).get(reverse("template_library")).content.decode()
    search = page[page.index('role="search"') : page.index("</form>", page.index('role="search"'))]
    assert "<label" in search
    assert "facultatif" not in search


def test_a_manager_creates_edits_and_deletes_a_template(tenant: Tenant, login: Login) -> None:
    client = login(tenant.manager)
    response = client.post(reverse("template_new"), FORM)
    assert response.status_code == 302
    template = Template.objects.get(organisation=tenant.organisation, name="Merci fidélité")
    assert template.themes == ["accueil", "qualite"]
    assert template.pre_approved
    assert template.key == "merci-fidelite"
    response = client.post(
        reverse("template_edit", args=[template.pk]), {**FORM, "body": "Merci ! {{signature}}"}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "Merci ! {{signature}}"
    assert client.post(reverse("template_delete", args=[template.pk])).status_code == 302
    assert not Template.objects.filter(pk=template.pk).exists()


def test_a_bad_template_is_shown_again_with_the_error(tenant: Tenant, login: Login) -> None:
    response = login(tenant.manager).post(
        reverse("template_new"), {**FORM, "body": "Bonjour {{numero_client}}"}
    )
    assert response.status_code == 400
    assert "numero_client" in response.content.decode()
    assert not Template.objects.filter(organisation=tenant.organisation).exists()


def test_a_manager_loads_the_default_library(tenant: Tenant, login: Login) -> None:
    response = login(tenant.manager).post(reverse("template_load_defaults"))
    assert response.status_code == 302
    assert Template.objects.filter(organisation=tenant.organisation).count() == len(DEFAULT_LIBRARY)


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_viewers_and_agents_may_not_change_the_library(tenant: Tenant, login: Login, role: str) -> None:
    template = make_template(tenant)
    client = login(tenant.member(role))
    assert client.get(reverse("template_new")).status_code == 403
    assert client.post(reverse("template_new"), FORM).status_code == 403
    assert client.get(reverse("template_edit", args=[template.pk])).status_code == 403
    assert client.post(reverse("template_edit", args=[template.pk]), FORM).status_code == 403
    assert client.post(reverse("template_delete", args=[template.pk])).status_code == 403
    assert client.post(reverse("template_load_defaults")).status_code == 403
    template.refresh_from_db()
    assert template.name == "Excuses <b>retard</b>"
    assert Template.objects.filter(organisation=tenant.organisation).count() == 1


def test_another_organisations_template_is_not_found(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = make_template(other_tenant, name="Secret de Globex")
    client = login(tenant.admin)
    assert client.get(reverse("template_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("template_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("template_edit", args=[theirs.pk]), FORM).status_code == 404
    assert client.post(reverse("template_delete", args=[theirs.pk])).status_code == 404
    assert Template.objects.filter(pk=theirs.pk, name="Secret de Globex").exists()
    assert "Secret de Globex" not in client.get(reverse("template_library")).content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(tenant: Tenant) -> None:
    template = make_template(tenant)
    for url in (reverse("template_library"), reverse("template_detail", args=[template.pk])):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert Client().post(reverse("template_delete", args=[template.pk])).status_code == 302
    assert Template.objects.filter(pk=template.pk).exists()


def test_languages_and_platforms_are_offered_by_their_names(tenant: Tenant, login: Login) -> None:
    """Found in the demo: the language menu offered "fr" and "en", the platform menu "X" twice."""
    page = login(tenant.manager).get(reverse("template_new")).content.decode()
    assert '<option value="fr">Français</option>' in page
    assert '<option value="en">Anglais</option>' in page
    assert ">X (Twitter)<" not in page
    assert page.count(">X<") <= 1
