"""The template form and pages as a manager reads them (found walking the demo): the category is
chosen, not defaulted to "Remerciement"; the fill-ins read once ("À compléter par l'agent : délai");
each platform is offered once, by its public name, and a variant stored under another name of its
platform ("twitter", "google") still answers that platform's cases."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.models import Template
from vigie.inbox.templating.actions import TemplateFields, do_create_template
from vigie.inbox.templating.queries import LibraryFilters, library, variant_for

Login = Callable[[Membership], Client]

FORM = {
    "name": "Rappel",
    "key": "",
    "language": "fr",
    "platform": "",
    "body": "Bonjour {{customer_name}}, un conseiller vous rappelle. {{signature}}",
    "themes": "",
}


def _select(page: str, name: str) -> str:
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert match, name
    return match.group(1)


def _options(page: str, name: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', _select(page, name))


def _template(tenant: Tenant, **fields: object) -> Template:
    values: dict[str, object] = {"name": "T", "category": "information", "language": "fr", "body": "Merci."}
    values.update(fields)
    return do_create_template(tenant.organisation, TemplateFields(**values), actor=None)  # type: ignore[arg-type]


def test_a_new_template_s_category_is_chosen_by_the_manager(tenant: Tenant, login: Login) -> None:
    client = login(tenant.manager)
    page = client.get(reverse("template_new")).content.decode()
    # The menu opens on an empty choice, not on "Remerciement", and says what the field is for.
    assert _options(page, "category")[0] == ("", "Choisissez une catégorie…")
    assert re.findall(r'<option value="([^"]*)" selected>', _select(page, "category")) == [""]
    assert "Range le modèle dans la bibliothèque" in page
    response = client.post(reverse("template_new"), {**FORM, "category": ""})
    assert response.status_code == 400
    assert "Choisissez la catégorie du modèle." in response.content.decode()
    assert not Template.objects.filter(organisation=tenant.organisation).exists()
    assert client.post(reverse("template_new"), {**FORM, "category": "follow_up"}).status_code == 302
    assert Template.objects.get(organisation=tenant.organisation).category == "follow_up"
    # Editing keeps the template's own category selected.
    template = Template.objects.get(organisation=tenant.organisation)
    edit = client.get(reverse("template_edit", args=[template.pk])).content.decode()
    assert re.search(r'<option value="follow_up" selected>Relance</option>', _select(edit, "category"))


def test_the_category_menu_reads_in_english(tenant: Tenant, login: Login) -> None:
    user = tenant.manager.user
    user.language = "en"
    user.save(update_fields=["language"])
    client = login(tenant.manager)
    page = client.get(reverse("template_new")).content.decode()
    assert _options(page, "category")[0] == ("", "Choose a category…")
    response = client.post(reverse("template_new"), {**FORM, "category": ""})
    assert "Choose the template&#x27;s category." in response.content.decode()


def test_the_fill_ins_to_complete_read_once(tenant: Tenant, login: Login) -> None:
    template = _template(
        tenant,
        body="Bonjour, nous vous répondons sous [[à compléter : délai]], le [[à compléter : date du rappel]].",
    )
    english = _template(tenant, name="E", language="en", body="Hello, we call you at [[to complete: time]].")
    client = login(tenant.agent)
    page = client.get(reverse("template_detail", args=[template.pk])).content.decode()
    assert "À compléter par l'agent : délai, date du rappel</p>" in page
    assert "compléter : délai</p>" not in page
    user = tenant.agent.user
    user.language = "en"
    user.save(update_fields=["language"])
    page = client.get(reverse("template_detail", args=[english.pk])).content.decode()
    assert "For the agent to fill in: time</p>" in page
    form = login(tenant.manager).get(reverse("template_new")).content.decode()
    assert "À compléter par l&#x27;agent : [[à compléter" not in form
    assert "Ce que seul l&#x27;agent sait s&#x27;écrit [[à compléter : date du rappel]]" in form


def test_each_platform_is_offered_once_by_its_connectors_name(tenant: Tenant, login: Login) -> None:
    page = login(tenant.manager).get(reverse("template_new")).content.decode()
    options = _options(page, "platform")
    labels = [label for _, label in options]
    assert len(labels) == len(set(labels)), labels
    assert ("google_business", "Google Business Profile") in options  # as the dashboard says
    assert ("x", "X") in options
    for hidden in ("Google", "X (Twitter, fichiers importés)", "Twitter"):
        assert hidden not in labels
    assert "google" not in [value for value, _ in options]
    assert "twitter" not in [value for value, _ in options]
    # The library's filter offers the same list.
    library_page = login(tenant.agent).get(reverse("template_library")).content.decode()
    assert _options(library_page, "platform")[1:] == options[1:]


def test_a_variant_stored_under_another_name_of_its_platform_still_works(
    tenant: Tenant, login: Login
) -> None:
    from vigie.inbox.tests.factories import make_case
    from vigie.mentions.tests.factories import make_mention, make_source

    org = tenant.organisation
    legacy_x = _template(tenant, name="Court", key="merci", platform="twitter", body="Merci ! {{signature}}")
    legacy_google = _template(tenant, name="Long", key="merci", platform="google", body="Merci beaucoup.")
    # Each answers its whole platform, under either name.
    assert variant_for(org, "merci", language="fr", platform="x") == legacy_x
    assert variant_for(org, "merci", language="fr", platform="twitter") == legacy_x
    assert variant_for(org, "merci", language="fr", platform="google_business") == legacy_google
    assert variant_for(org, "merci", language="fr", platform="facebook") is None
    assert list(library(org, LibraryFilters(platform="x"))) == [legacy_x]
    # The pages name the platform as the form does.
    client = login(tenant.manager)
    rows = client.get(reverse("template_library")).content.decode()
    assert '<span class="platform">X</span>' in rows
    assert '<span class="platform">Google Business Profile</span>' in rows
    assert "Twitter" not in rows
    # Editing selects "X", and saving stores the platform's own name.
    edit = client.get(reverse("template_edit", args=[legacy_x.pk])).content.decode()
    assert '<option value="x" selected>X</option>' in _select(edit, "platform")
    form = {
        **FORM,
        "name": "Court",
        "key": "merci",
        "category": "thanks",
        "platform": "x",
        "body": legacy_x.body,
    }
    assert client.post(reverse("template_edit", args=[legacy_x.pk]), form).status_code == 302
    legacy_x.refresh_from_db()
    assert legacy_x.platform == "x"
    # A case of an imported X item gets the X variant in the composer's suggestions.
    source = make_source(org, platform="twitter")
    case = make_case(org, make_mention(org, source=source, language="fr"))
    assert variant_for(org, "merci", language="fr", platform=case.mention.source.platform) == legacy_x
