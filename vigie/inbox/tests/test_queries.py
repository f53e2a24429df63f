from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.actions import do_add_team_member
from vigie.inbox.models import CaseStatus
from vigie.inbox.queries import (
    CaseFilters,
    InboxView,
    assignable_members,
    case_detail,
    cases,
    sla_state,
    view_counts,
)
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.models import MentionType, Sentiment
from vigie.mentions.tests.factories import make_author, make_location, make_mention, make_source, make_team


def ids(queryset: object) -> list[int]:
    return [c.pk for c in queryset]  # type: ignore[attr-defined]


def test_todo_holds_the_cases_to_move_most_urgent_first(tenant: Tenant) -> None:
    org = tenant.organisation
    now = timezone.now()
    low = make_case(org, priority=1, sla_due_at=now + timedelta(hours=1))
    high_late = make_case(org, priority=3, sla_due_at=now + timedelta(hours=10))
    high_soon = make_case(org, priority=3, sla_due_at=now + timedelta(hours=2))
    make_case(org, status=CaseStatus.RESOLVED, priority=5)
    in_progress = make_case(org, status=CaseStatus.IN_PROGRESS, priority=0)
    # Waiting for the customer or for approval: someone else's move, each in its own view.
    make_case(org, status=CaseStatus.WAITING_CUSTOMER, priority=9)
    make_case(org, status=CaseStatus.AWAITING_APPROVAL, priority=9)

    assert ids(cases(tenant.agent, InboxView.TODO)) == [high_soon.pk, high_late.pk, low.pk, in_progress.pk]
    assert view_counts(tenant.agent)["todo"] == 4


def test_views_split_cases_by_assignee_team_and_status(tenant: Tenant) -> None:
    org = tenant.organisation
    team = make_team(org, "Avis")
    do_add_team_member(team, tenant.agent)
    mine = make_case(org, assignee=tenant.agent.user)
    teams = make_case(org, team=team, assignee=tenant.manager.user)
    unassigned = make_case(org)
    approval = make_case(org, status=CaseStatus.AWAITING_APPROVAL, assignee=tenant.agent.user)
    waiting = make_case(org, status=CaseStatus.WAITING_CUSTOMER, assignee=tenant.manager.user)
    resolved = make_case(org, status=CaseStatus.RESOLVED, resolved_at=timezone.now())
    no_answer = make_case(
        org, status=CaseStatus.NO_ANSWER, resolved_at=timezone.now(), assignee=tenant.agent.user
    )

    def view(v: InboxView) -> set[int]:
        return set(ids(cases(tenant.agent, v)))

    assert view(InboxView.MINE) == {mine.pk, approval.pk}
    assert view(InboxView.TEAM) == {teams.pk}
    assert view(InboxView.UNASSIGNED) == {unassigned.pk}
    assert view(InboxView.AWAITING_APPROVAL) == {approval.pk}
    assert view(InboxView.WAITING_CUSTOMER) == {waiting.pk}
    assert view(InboxView.RESOLVED) == {resolved.pk, no_answer.pk}
    assert len(view(InboxView.ALL)) == 7
    # A member of no team sees an empty team view rather than everything.
    assert ids(cases(tenant.viewer, InboxView.TEAM)) == []


def test_view_counts_match_the_views(tenant: Tenant, other_tenant: Tenant) -> None:
    org = tenant.organisation
    make_case(org, assignee=tenant.agent.user)
    make_case(org)
    make_case(org, status=CaseStatus.RESOLVED)
    make_case(other_tenant.organisation)

    counts = view_counts(tenant.agent)
    for view in InboxView:
        assert counts[view.value] == cases(tenant.agent, view).count(), view
    assert counts["todo"] == 2
    assert counts["mine"] == 1
    assert counts["all"] == 3


def test_filters_narrow_the_list(tenant: Tenant) -> None:
    org = tenant.organisation
    lyon = make_location(org, "Lyon")
    team = make_team(org)
    facebook = make_source(org, "facebook")
    target = make_case(
        org,
        make_mention(
            org,
            source=facebook,
            location=lyon,
            sentiment=Sentiment.NEGATIVE,
            mention_type=MentionType.COMPLAINT,
            text="Livraison en retard",
            themes=["livraison"],
            author=make_author(org, "facebook", display_name="Jeanne Martin"),
        ),
        status=CaseStatus.IN_PROGRESS,
        assignee=tenant.agent.user,
        team=team,
    )
    make_case(org, make_mention(org, sentiment=Sentiment.POSITIVE, mention_type=MentionType.PRAISE))

    def only(filters: CaseFilters) -> list[int]:
        return ids(cases(tenant.agent, InboxView.ALL, filters))

    assert only(CaseFilters(platform="facebook")) == [target.pk]
    assert only(CaseFilters(location_id=lyon.pk)) == [target.pk]
    assert only(CaseFilters(sentiment="negative")) == [target.pk]
    assert only(CaseFilters(mention_type="complaint")) == [target.pk]
    assert only(CaseFilters(status="in_progress")) == [target.pk]
    assert only(CaseFilters(assignee_id=tenant.agent.user_id)) == [target.pk]
    assert only(CaseFilters(assignee_email=tenant.agent.user.email.upper())) == [target.pk]
    assert only(CaseFilters(unassigned=True)) != [target.pk]
    assert only(CaseFilters(team_id=team.pk)) == [target.pk]
    assert only(CaseFilters(theme="livraison")) == [target.pk]
    assert only(CaseFilters(text="RETARD")) == [target.pk]
    assert only(CaseFilters(text="jeanne")) == [target.pk]


def test_sla_state_says_overdue_due_soon_or_ok(tenant: Tenant) -> None:
    org = tenant.organisation
    now = timezone.now()
    overdue = make_case(org, sla_due_at=now - timedelta(minutes=5))
    soon = make_case(org, sla_due_at=now + timedelta(hours=1))
    fine = make_case(org, sla_due_at=now + timedelta(hours=20))
    closed = make_case(org, status=CaseStatus.RESOLVED, sla_due_at=now - timedelta(hours=5))
    undated = make_case(org)

    annotated = {c.pk: c.sla_state for c in cases(tenant.agent, InboxView.ALL, now=now)}
    assert annotated == {
        overdue.pk: "overdue",
        soon.pk: "due_soon",
        fine.pk: "ok",
        closed.pk: "",
        undated.pk: "",
    }
    for case in (overdue, soon, fine, closed, undated):
        assert sla_state(case, now) == annotated[case.pk]
    make_case(org, sla_due_at=now - timedelta(hours=1), sla_paused_at=now - timedelta(hours=2))
    # The filter gives exactly the cases the annotation labels so (a paused clock is in none).
    for state, expected in (("overdue", [overdue.pk]), ("due_soon", [soon.pk]), ("ok", [fine.pk])):
        found = cases(tenant.agent, InboxView.ALL, CaseFilters(sla=state), now=now)
        assert ids(found) == expected, state
        assert {c.sla_state for c in found} == {state}


def test_case_detail_gathers_mention_replies_and_timeline(tenant: Tenant, other_tenant: Tenant) -> None:
    from vigie.inbox.actions import do_set_case_status

    org = tenant.organisation
    case = make_case(org)
    reply = make_reply(case, author=tenant.agent.user)
    do_set_case_status(case, CaseStatus.IN_PROGRESS, actor=tenant.agent.user)

    detail = case_detail(org, case.pk)
    assert detail.case == case
    assert detail.mention.mention == case.mention
    assert detail.replies == [reply]
    assert [e.verb for e in detail.timeline] == ["case.status_changed"]

    with pytest.raises(Http404):
        case_detail(other_tenant.organisation, case.pk)


def test_only_active_handlers_are_assignable(tenant: Tenant, other_tenant: Tenant) -> None:
    from vigie.core.actions import do_set_member_active

    do_set_member_active(tenant.manager, False)
    emails = [m.user.email for m in assignable_members(tenant.organisation)]
    assert emails == [tenant.admin.user.email, tenant.agent.user.email]


def test_a_paused_clock_is_neither_late_nor_due(tenant: Tenant) -> None:
    now = timezone.now()
    case = make_case(
        tenant.organisation,
        status=CaseStatus.WAITING_CUSTOMER,
        sla_due_at=now - timedelta(hours=3),
        sla_paused_at=now - timedelta(hours=5),
    )
    assert sla_state(case, now) == ""
    listed = cases(tenant.agent, InboxView.WAITING_CUSTOMER, now=now).get(pk=case.pk)
    assert listed.sla_state == ""  # type: ignore[attr-defined]
