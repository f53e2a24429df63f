from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vigie.conftest import Tenant
from vigie.core.actions import do_set_member_active
from vigie.core.queries import audit_events_for
from vigie.inbox.actions import do_assign_case, do_set_case_status
from vigie.inbox.models import Case, CaseStatus
from vigie.inbox.tests.factories import make_case


def timeline(case: Case) -> list[tuple[str, dict[str, object]]]:
    return [(e.verb, e.data) for e in audit_events_for(case.organisation, "inbox.case", str(case.pk))]


def test_assigning_a_case_stores_the_assignee_and_records_it(tenant: Tenant) -> None:
    case = make_case(tenant.organisation)
    do_assign_case(case, tenant.agent.user, actor=tenant.manager.user)

    case.refresh_from_db()
    assert case.assignee == tenant.agent.user
    assert timeline(case) == [("case.assigned", {"from": None, "to": tenant.agent.user.email})]


def test_unassigning_a_case_records_who_had_it(tenant: Tenant) -> None:
    case = make_case(tenant.organisation, assignee=tenant.agent.user)
    do_assign_case(case, None, actor=tenant.manager.user)

    case.refresh_from_db()
    assert case.assignee is None
    assert timeline(case) == [("case.assigned", {"from": tenant.agent.user.email, "to": None})]


def test_assigning_to_the_same_person_again_records_nothing(tenant: Tenant) -> None:
    case = make_case(tenant.organisation, assignee=tenant.agent.user)
    do_assign_case(case, tenant.agent.user, actor=tenant.agent.user)
    assert timeline(case) == []


@pytest.mark.parametrize("who", ["viewer", "suspended agent", "outsider"])
def test_a_case_cannot_go_to_someone_who_may_not_handle_it(
    tenant: Tenant, other_tenant: Tenant, who: str
) -> None:
    case = make_case(tenant.organisation)
    if who == "viewer":
        user = tenant.viewer.user
    elif who == "suspended agent":
        do_set_member_active(tenant.agent, False)
        user = tenant.agent.user
    else:
        user = other_tenant.agent.user

    with pytest.raises(ValidationError) as error:
        do_assign_case(case, user, actor=tenant.manager.user)
    assert "assignee" in error.value.message_dict
    case.refresh_from_db()
    assert case.assignee is None
    assert timeline(case) == []


def test_resolving_stamps_resolved_at_and_reopening_clears_it(tenant: Tenant) -> None:
    case = make_case(tenant.organisation)
    before = case.updated_at

    do_set_case_status(case, CaseStatus.RESOLVED, actor=tenant.agent.user)
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert case.resolved_at is not None
    assert case.updated_at > before

    do_set_case_status(case, "in_progress", actor=tenant.agent.user)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.resolved_at is None

    assert timeline(case) == [
        ("case.status_changed", {"from": "new", "to": "resolved", "reopened": False}),
        ("case.status_changed", {"from": "resolved", "to": "in_progress", "reopened": True}),
    ]


def test_an_unknown_status_is_refused(tenant: Tenant) -> None:
    case = make_case(tenant.organisation)
    with pytest.raises(ValidationError) as error:
        do_set_case_status(case, "archived", actor=tenant.agent.user)
    assert "status" in error.value.message_dict
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
