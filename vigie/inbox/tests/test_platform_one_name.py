"""A platform has one name on every page, its connector's, whichever slug its items came under:
the inbox filter, the routing rule form and the template library read "Google Business Profile"
and "X" as the dashboard's rows do (they said "Google" beside the dashboard's "Google Business
Profile", and a rule's dry run named an archived tweet "X (Twitter, fichiers importés)")."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.routing.rules import Facts, RuleConditions, check_conditions
from vigie.inbox.templating.actions import TemplateFields, do_create_template
from vigie.inbox.tests.factories import make_case
from vigie.mentions.tests.factories import make_mention, make_source

Login = Callable[[Membership], Client]


def _dashboard_names(page: str) -> set[str]:
    """The names of the dashboard's platform rows (each links to its mention list)."""
    return {html.unescape(name) for name in re.findall(r'platform=[a-z_]+">([^<]+)</a></td>', page)}


def _select(page: str, name: str) -> dict[str, str]:
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert match, name
    return {
        value: html.unescape(label)
        for value, label in re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', match.group(1))
    }


def test_the_inbox_rules_and_templates_name_a_platform_as_the_dashboard_does(
    tenant: Tenant, login: Login
) -> None:
    org = tenant.organisation
    for slug in ("google", "twitter"):  # imported Google reviews, an imported X archive
        make_case(org, make_mention(org, source=make_source(org, slug), text=f"avis {slug}"))
    do_create_template(
        org,
        TemplateFields(name="Merci", category="thanks", language="fr", body="Merci.", platform="google"),
        actor=None,
    )
    client = login(tenant.manager)

    dashboard = _dashboard_names(client.get(reverse("dashboard")).content.decode())
    assert dashboard == {"Google Business Profile", "X"}

    inbox = _select(client.get(reverse("inbox"), {"view": "all"}).content.decode(), "platform")
    assert inbox == {"google_business": "Google Business Profile", "x": "X"}

    rule_form = client.get(reverse("routing_rule_create")).content.decode()
    boxes = dict(
        re.findall(r'name="platforms" value="([^"]*)"[^>]*>\s*([^<]*?)\s*</label>', html.unescape(rule_form))
    )
    assert boxes["google_business"] == "Google Business Profile"
    assert boxes["x"] == "X"
    assert "Vos sources sont sur : Google Business Profile, X." in html.unescape(rule_form)

    library = client.get(reverse("template_library")).content.decode()
    assert '<span class="platform">Google Business Profile</span>' in library  # the "google" variant
    assert _select(library, "platform")["google_business"] == "Google Business Profile"
    template_form = client.get(reverse("template_new")).content.decode()
    assert _select(template_form, "platform")["google_business"] == "Google Business Profile"

    for page in (rule_form, library, template_form, client.get(reverse("inbox")).content.decode()):
        assert ">Google<" not in page
        assert "fichiers importés" not in page


def test_a_rules_dry_run_names_both_sides_by_the_one_name() -> None:
    checks = check_conditions(RuleConditions(platforms=["google"]), Facts(platform="google"))
    assert [(c.expected, c.actual, c.ok) for c in checks] == [
        ("Google Business Profile", "Google Business Profile", True)
    ]
    checks = check_conditions(RuleConditions(platforms=["x"]), Facts(platform="twitter"))
    assert [(c.expected, c.actual, c.ok) for c in checks] == [("X", "X", True)]
