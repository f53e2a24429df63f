"""A suspended member's open cases go back to their team's queue, and lists of people to pick from
offer neither suspended members nor people still invited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vigie.alerts.crisis.actions import do_open_crisis
from vigie.conftest import Tenant
from vigie.core.actions import do_create_team, do_invite_member
from vigie.core.models import AuditEvent
from vigie.inbox.models import Case, CaseStatus
from vigie.inbox.tests.factories import make_case


def test_suspending_a_member_takes_their_open_cases_back_to_the_team_queue(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    org = tenant.organisation
    team = do_create_team(org, "Service client")
    agent = tenant.agent.user
    open_case = make_case(org, assignee=agent, team=team, status=CaseStatus.IN_PROGRESS)
    resolved = make_case(org, assignee=agent, team=team, status=CaseStatus.RESOLVED)
    others = make_case(org, assignee=tenant.manager.user, team=team)

    response = login(tenant.admin).post(
        reverse("settings_member_active", args=[tenant.agent.pk]), {"active": "0"}
    )
    assert response.status_code == 302

    open_case.refresh_from_db()
    assert (open_case.assignee_id, open_case.team_id) == (None, team.pk)
    # A closed case keeps who handled it; another member's case is untouched.
    assert Case.objects.get(pk=resolved.pk).assignee_id == agent.pk
    assert Case.objects.get(pk=others.pk).assignee_id == tenant.manager.user_id
    event = AuditEvent.objects.get(verb="case.assigned", object_id=str(open_case.pk))
    assert event.actor == tenant.admin.user
    assert event.data == {"from": agent.email, "to": None}
    page = login(tenant.manager).get(reverse("case_detail", args=[open_case.pk])).content.decode()
    # The timeline says who had it; nothing reads it as still theirs.
    assert "était agent@acme.example" in page
    assert f'value="{agent.pk}" selected' not in page


@pytest.fixture
def absent(tenant: Tenant) -> tuple[str, str]:
    """A suspended agent and a manager still invited: e-mails nobody should be offered."""
    tenant.agent.is_active = False
    tenant.agent.save(update_fields=["is_active"])
    do_invite_member(tenant.organisation, "invited@acme.example", "manager", actor=tenant.admin.user)
    return tenant.agent.user.email, "invited@acme.example"


def test_people_lists_offer_only_people_who_can_act(tenant: Tenant, login, absent: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    client = login(tenant.manager)
    case = make_case(tenant.organisation)
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Panne")
    pages = {
        "case": client.get(reverse("case_detail", args=[case.pk])),
        "dashboard": client.get(reverse("dashboard")),
        "action plan": client.get(reverse("insights-action-plan-create")),
        "post-mortem": client.get(reverse("crisis_close", args=[crisis.pk])),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.content.decode()
        assert "manager@acme.example" in page or "Manager" in page, name
        for email in absent:
            assert f">{email}" not in page, (name, email)
            assert f"{email} (" not in page, (name, email)
