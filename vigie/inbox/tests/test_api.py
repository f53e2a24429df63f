from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.core.queries import audit_events_for
from vigie.inbox.models import Case, CaseStatus, ReplyStatus
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.models import Sentiment
from vigie.mentions.tests.factories import make_mention, make_source, make_team

ApiClient = Callable[[Membership], Client]


def patch(client: Client, case: Case, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.patch(f"/api/v1/cases/{case.pk}", json.dumps(payload), content_type="application/json")
    return response.status_code, response.json()


def listed(client: Client, **params: object) -> list[int]:
    response = client.get("/api/v1/cases", params)
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["items"]]


def test_cases_default_to_the_todo_view_most_urgent_first(tenant: Tenant, api_client: ApiClient) -> None:
    org = tenant.organisation
    now = timezone.now()
    low = make_case(org, priority=1)
    urgent = make_case(org, priority=5, sla_due_at=now - timedelta(minutes=1))
    make_case(org, status=CaseStatus.RESOLVED, priority=9)

    body = api_client(tenant.viewer).get("/api/v1/cases").json()
    assert body["count"] == 2
    assert [c["id"] for c in body["items"]] == [urgent.pk, low.pk]
    first = body["items"][0]
    assert first["reference"] == f"C-{urgent.pk:06d}"
    assert first["sla_state"] == "overdue"
    assert first["status"] == "new"
    assert first["mention"]["id"] == urgent.mention_id
    assert first["sla_due_at"].endswith("+00:00")


def test_cases_follow_the_inbox_views_and_filters(tenant: Tenant, api_client: ApiClient) -> None:
    org = tenant.organisation
    team = make_team(org, "Avis")
    facebook = make_source(org, "facebook")
    mine = make_case(
        org,
        make_mention(
            org, source=facebook, sentiment=Sentiment.NEGATIVE, text="Colis perdu", themes=["livraison"]
        ),
        assignee=tenant.agent.user,
        team=team,
        status=CaseStatus.IN_PROGRESS,
    )
    unassigned = make_case(org)
    resolved = make_case(org, status=CaseStatus.RESOLVED, resolved_at=timezone.now())
    client = api_client(tenant.agent)

    assert listed(client, view="mine") == [mine.pk]
    assert listed(client, view="unassigned") == [unassigned.pk]
    assert listed(client, view="resolved") == [resolved.pk]
    assert set(listed(client, view="all")) == {mine.pk, unassigned.pk, resolved.pk}
    assert listed(client, platform="facebook") == [mine.pk]
    assert listed(client, sentiment="negative") == [mine.pk]
    assert listed(client, status="in_progress") == [mine.pk]
    assert listed(client, assignee="AGENT@acme.example") == [mine.pk]
    assert listed(client, assignee="none") == [unassigned.pk]
    assert listed(client, team=team.pk) == [mine.pk]
    assert listed(client, theme="livraison") == [mine.pk]
    assert listed(client, q="colis") == [mine.pk]
    assert listed(client, limit=1, offset=1, view="all") != listed(client, limit=1, offset=0, view="all")


def test_bad_case_filters_are_a_422_naming_them(tenant: Tenant, api_client: ApiClient) -> None:
    client = api_client(tenant.viewer)
    for params, field in [
        ({"view": "later"}, "view"),
        ({"status": "done"}, "status"),
        ({"limit": 0}, "limit"),
    ]:
        response = client.get("/api/v1/cases", params)
        assert response.status_code == 422, params
        assert [item["loc"][-1] for item in response.json()["detail"]] == [field]


def test_one_case_comes_with_its_replies(tenant: Tenant, api_client: ApiClient) -> None:
    case = make_case(tenant.organisation)
    make_reply(case, author=tenant.agent.user, body="Bonjour, désolé.", status=ReplyStatus.PUBLISHED)
    body = api_client(tenant.viewer).get(f"/api/v1/cases/{case.pk}").json()
    assert body["id"] == case.pk
    assert [(r["body"], r["status"], r["author"]["email"]) for r in body["replies"]] == [
        ("Bonjour, désolé.", "published", "agent@acme.example")
    ]


def test_another_organisations_cases_stay_invisible(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient
) -> None:
    theirs = make_case(other_tenant.organisation)
    client = api_client(tenant.admin)
    assert listed(client, view="all") == []
    assert client.get(f"/api/v1/cases/{theirs.pk}").status_code == 404
    status, _ = patch(client, theirs, {"status": "resolved"})
    assert status == 404
    theirs.refresh_from_db()
    assert theirs.status == CaseStatus.NEW


def test_an_agent_changes_status_and_assignee_in_one_request(tenant: Tenant, api_client: ApiClient) -> None:
    case = make_case(tenant.organisation)
    status, body = patch(
        api_client(tenant.agent), case, {"status": "resolved", "assignee_email": "Manager@acme.example"}
    )
    assert status == 200
    assert body["status"] == "resolved"
    assert body["assignee"]["email"] == "manager@acme.example"  # type: ignore[index]
    assert body["resolved_at"] is not None
    case.refresh_from_db()
    assert (case.status, case.assignee) == (CaseStatus.RESOLVED, tenant.manager.user)
    verbs = [e.verb for e in audit_events_for(tenant.organisation, "inbox.case", str(case.pk))]
    assert verbs == ["case.assigned", "case.status_changed"]


def test_a_null_assignee_unassigns_and_an_absent_one_keeps_it(tenant: Tenant, api_client: ApiClient) -> None:
    case = make_case(tenant.organisation, assignee=tenant.agent.user)
    client = api_client(tenant.agent)
    assert patch(client, case, {"status": "in_progress"})[1]["assignee"] is not None
    status, body = patch(client, case, {"assignee_email": None})
    assert status == 200
    assert body["assignee"] is None
    case.refresh_from_db()
    assert case.assignee is None


def test_a_viewer_cannot_change_a_case(tenant: Tenant, api_client: ApiClient) -> None:
    case = make_case(tenant.organisation)
    status, body = patch(api_client(tenant.viewer), case, {"status": "resolved"})
    assert status == 403
    assert body["detail"]
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"assignee_email": "nobody@acme.example"}, "assignee_email"),
        ({"assignee_email": "viewer@acme.example"}, "assignee_email"),
        ({"assignee_email": "agent@globex.example"}, "assignee_email"),
    ],
)
def test_a_bad_change_is_a_422_naming_the_field_and_changes_nothing(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient, payload: dict[str, object], field: str
) -> None:
    case = make_case(tenant.organisation)
    status, body = patch(api_client(tenant.agent), case, payload)
    assert status == 422
    assert [item["loc"][-1] for item in body["detail"]] == [field]  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert (case.status, case.assignee) == (CaseStatus.NEW, None)
    assert not audit_events_for(tenant.organisation, "inbox.case", str(case.pk)).exists()
