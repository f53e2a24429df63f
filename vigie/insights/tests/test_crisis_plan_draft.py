"""The action plan drafted from a crisis' post-mortem: no theme chosen for the author when the
crisis has none, the crisis' own theme when it has one, and an owner who can act."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from html import unescape

from django.test import Client
from django.urls import reverse

from vigie.alerts.crisis.actions import ActionIn, do_assign_crisis_role, do_close_crisis, do_open_crisis
from vigie.alerts.models import Crisis
from vigie.conftest import Tenant
from vigie.core.actions import do_set_member_active
from vigie.core.models import Membership
from vigie.insights.models import ActionPlan

Login = Callable[[Membership], Client]


def _menu(page: str, name: str) -> list[tuple[str, str, bool]]:
    """A menu as a reader sees it: (value, text, chosen) per option."""
    menu = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert menu is not None, page
    return [
        (value, unescape(text).strip(), "selected" in attrs)
        for value, attrs, text in re.findall(
            r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', menu.group(1)
        )
    ]


def _closed_crisis(tenant: Tenant, *, themes: list[str] | None = None) -> Crisis:
    crisis = do_open_crisis(
        tenant.organisation, actor=tenant.manager.user, title="Remboursements en retard", themes=themes
    )
    do_assign_crisis_role(crisis, "lead", tenant.agent.user.pk, actor=tenant.manager.user)
    return do_close_crisis(
        crisis,
        actor=tenant.manager.user,
        causes="Le prestataire de paiement a bloqué les virements.",
        what_worked="Un message d'attente le jour même.",
        what_did_not="Les agents l'ont appris par les clients.",
        actions=[ActionIn("Deuxième prestataire de paiement", tenant.agent.user.pk, date(2030, 1, 31))],
    )


def _post(client: Client, url: str, page_form: dict[str, str], **changes: str) -> tuple[int, str]:
    response = client.post(url, {**page_form, **changes})
    return response.status_code, response.content.decode()


def test_a_crisis_without_a_theme_leaves_the_theme_to_choose_and_a_suspended_lead_unproposed(
    tenant: Tenant, login: Login
) -> None:
    crisis = _closed_crisis(tenant)
    do_set_member_active(tenant.agent, False, actor=tenant.admin.user)
    client = login(tenant.manager)
    url = reverse("insights-action-plan-create") + f"?crisis={crisis.pk}"
    page = client.get(url).content.decode()

    themes = _menu(page, "theme")
    assert themes[0] == ("", "Choisissez un thème…", True)
    assert [text for _value, text, chosen in themes if chosen] == ["Choisissez un thème…"]
    assert "Accueil et amabilité" in [text for _value, text, _chosen in themes]
    # The lead (and the action's owner) is suspended: nobody is proposed, nor offered.
    owners = _menu(page, "owner")
    assert [text for _value, text, chosen in owners if chosen] == ["Personne"]
    assert str(tenant.agent.user) not in [text for _value, text, _chosen in owners]

    form = {
        "title": "Suites de la crise « Remboursements en retard »",
        "owner": "",
        "status": "planned",
        "started_on": "2026-12-01",
    }
    status, body = _post(client, url, form, theme="")
    assert status == 400
    assert "Choisissez le thème du plan." in body
    assert not ActionPlan.objects.filter(crisis=crisis).exists()
    # Submitted as proposed, with a theme chosen: the plan is made, with no owner.
    status, body = _post(client, url, form, theme="remboursement")
    assert status == 302, body
    plan = ActionPlan.objects.get(crisis=crisis)
    assert (plan.theme, plan.owner) == ("remboursement", None)


def test_a_crisis_theme_and_an_active_lead_are_proposed(tenant: Tenant, login: Login) -> None:
    crisis = _closed_crisis(tenant, themes=["remboursement"])
    client = login(tenant.manager)
    page = client.get(reverse("insights-action-plan-create") + f"?crisis={crisis.pk}").content.decode()
    assert [value for value, _text, chosen in _menu(page, "theme") if chosen] == ["remboursement"]
    assert [text for _value, text, chosen in _menu(page, "owner") if chosen] == [str(tenant.agent.user)]


def test_a_new_plan_starts_without_a_theme_in_english(tenant: Tenant, login: Login) -> None:
    user = tenant.manager.user
    user.language = "en"
    user.save()
    client = login(tenant.manager)
    url = reverse("insights-action-plan-create")
    themes = _menu(client.get(url).content.decode(), "theme")
    assert themes[0] == ("", "Choose a theme…", True)
    response = client.post(url, {"title": "Two more tills", "status": "planned", "started_on": "2026-12-01"})
    assert "Choose the plan&#x27;s theme." in response.content.decode()
