"""An action plan whose owner was suspended keeps them when it is edited and saved."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.analysis.models import Theme
from vigie.conftest import Tenant
from vigie.core.actions import do_set_member_active
from vigie.core.models import Membership
from vigie.insights.actions import do_create_action_plan
from vigie.insights.models import ActionPlan, ActionPlanStatus

Login = Callable[[Membership], Client]


def _owner_options(page: str) -> list[tuple[str, bool]]:
    """The owner menu as a reader sees it: each option's text, and whether it is the one chosen."""
    menu = re.search(r'<select name="owner"[^>]*>(.*?)</select>', page, re.S)
    assert menu is not None, page
    return [
        (text.strip(), "selected" in attrs)
        for attrs, text in re.findall(r"<option([^>]*)>([^<]*)</option>", menu.group(1))
    ]


def _plan(tenant: Tenant) -> ActionPlan:
    Theme.objects.create(organisation=tenant.organisation, slug="attente", label="Attente")
    return do_create_action_plan(
        tenant.organisation,
        theme="attente",
        title="Deux caisses de plus",
        started_on=timezone.localdate() - timedelta(days=3),
        actor=tenant.manager.user,
        owner=tenant.agent.user,
        status=ActionPlanStatus.IN_PROGRESS,
    )


def test_a_suspended_owner_stays_chosen_and_saving_keeps_them(tenant: Tenant, login: Login) -> None:
    plan = _plan(tenant)
    do_set_member_active(tenant.agent, False, actor=tenant.admin.user)
    agent = str(tenant.agent.user)
    client = login(tenant.manager)

    page = client.get(reverse("insights-action-plan-edit", args=[plan.pk])).content.decode()
    options = _owner_options(page)
    # The menu shows who owns the plan (not "Personne"), and says they are suspended.
    assert (f"{agent} (suspendu)", True) in options
    assert ("Personne", False) in options
    assert [text for text, chosen in options if chosen] == [f"{agent} (suspendu)"]

    response = client.post(
        reverse("insights-action-plan-edit", args=[plan.pk]),
        {
            "theme": "attente",
            "title": "Deux caisses, puis trois",
            "owner": str(tenant.agent.user_id),
            "status": ActionPlanStatus.IN_PROGRESS,
            "started_on": plan.started_on.isoformat(),
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.owner) == ("Deux caisses, puis trois", tenant.agent.user)

    # Handing the plan to someone who can act still works.
    response = client.post(
        reverse("insights-action-plan-edit", args=[plan.pk]),
        {
            "theme": "attente",
            "title": "Deux caisses, puis trois",
            "owner": str(tenant.manager.user_id),
            "status": ActionPlanStatus.IN_PROGRESS,
            "started_on": plan.started_on.isoformat(),
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.owner == tenant.manager.user
    # Once handed over, the suspended person is no longer offered.
    page = client.get(reverse("insights-action-plan-edit", args=[plan.pk])).content.decode()
    assert not [text for text, _chosen in _owner_options(page) if agent in text]


def test_a_new_plan_offers_only_members_who_can_act(tenant: Tenant, login: Login) -> None:
    _plan(tenant)
    do_set_member_active(tenant.agent, False, actor=tenant.admin.user)
    page = login(tenant.manager).get(reverse("insights-action-plan-create")).content.decode()
    texts = [text for text, _chosen in _owner_options(page)]
    assert str(tenant.manager.user) in texts
    assert not [text for text in texts if str(tenant.agent.user) in text or "suspendu" in text]
