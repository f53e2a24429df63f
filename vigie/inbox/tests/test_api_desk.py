"""API routes of the desk: notes, bulk actions, replies through the gate, approval."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from vigie.conftest import Tenant
from vigie.core.models import Membership, Notification
from vigie.inbox.models import CaseStatus, Note, Publication, Reply, ReplyStatus
from vigie.inbox.tests.factories import make_case
from vigie.inbox.tests.test_case_desk import CLEAN, PHONE, low_rated_case
from vigie.mentions.tests.factories import make_mention

ApiClient = Callable[[Membership], Client]


def post(
    client: Client, url: str, payload: dict[str, object]
) -> tuple[int, dict[str, object] | list[object]]:
    response = client.post(url, json.dumps(payload), content_type="application/json")
    return response.status_code, response.json()


def test_the_search_and_new_filters_work_through_the_api(tenant: Tenant, api_client: ApiClient) -> None:
    org = tenant.organisation
    wanted = make_case(org, make_mention(org, text="Colis jamais livré", rating=1, language="fr"))
    make_case(org, make_mention(org, text="Colis arrivé", rating=5, language="fr"))
    body = api_client(tenant.viewer).get("/api/v1/cases", {"q": "colis", "stars": 1}).json()
    assert [c["id"] for c in body["items"]] == [wanted.pk]


def test_an_agent_adds_a_note_and_a_viewer_reads_it(tenant: Tenant, api_client: ApiClient) -> None:
    case = make_case(tenant.organisation)
    status, body = post(api_client(tenant.agent), f"/api/v1/cases/{case.pk}/notes", {"body": "@manager voir"})
    assert status == 201
    assert body["mentioned_user_ids"] == [tenant.manager.user_id]  # type: ignore[index,call-overload]
    notes = api_client(tenant.viewer).get(f"/api/v1/cases/{case.pk}/notes").json()
    assert [n["body"] for n in notes] == ["@manager voir"]


def test_notes_respect_roles_and_organisations(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient
) -> None:
    case = make_case(tenant.organisation)
    url = f"/api/v1/cases/{case.pk}/notes"
    assert post(api_client(tenant.viewer), url, {"body": "x"})[0] == 403
    assert post(api_client(other_tenant.admin), url, {"body": "x"})[0] == 404
    assert api_client(other_tenant.admin).get(url).status_code == 404
    assert not Note.objects.exists()


def test_bulk_gives_one_result_per_case(tenant: Tenant, other_tenant: Tenant, api_client: ApiClient) -> None:
    mine = make_case(tenant.organisation)
    theirs = make_case(other_tenant.organisation)
    status, body = post(
        api_client(tenant.agent), "/api/v1/bulk/cases", {"ids": [mine.pk, theirs.pk], "action": "close"}
    )
    assert status == 200
    assert [(r["case_id"], r["ok"]) for r in body] == [(mine.pk, True), (theirs.pk, False)]  # type: ignore[index]
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (CaseStatus.RESOLVED, CaseStatus.NEW)


def test_a_viewer_cannot_use_bulk_through_the_api(tenant: Tenant, api_client: ApiClient) -> None:
    case = make_case(tenant.organisation)
    assert (
        post(api_client(tenant.viewer), "/api/v1/bulk/cases", {"ids": [case.pk], "action": "close"})[0] == 403
    )


def test_a_blocked_reply_answers_409_with_the_findings(tenant: Tenant, api_client: ApiClient) -> None:
    case = low_rated_case(tenant)
    status, body = post(
        api_client(tenant.agent), f"/api/v1/cases/{case.pk}/replies", {"body": PHONE, "submit": True}
    )
    assert status == 409
    assert [f["code"] for f in body["findings"]] == ["personal_data"]  # type: ignore[call-overload,index]
    assert Reply.objects.get(case=case).status == ReplyStatus.DRAFT


def test_reply_approval_round_trip_through_the_api(tenant: Tenant, api_client: ApiClient) -> None:
    case = low_rated_case(tenant)
    status, body = post(
        api_client(tenant.agent), f"/api/v1/cases/{case.pk}/replies", {"body": CLEAN, "submit": True}
    )
    assert status == 201
    assert body["status"] == "awaiting_approval"  # type: ignore[call-overload]
    reply_id = body["id"]  # type: ignore[call-overload]
    assert post(api_client(tenant.agent), f"/api/v1/replies/{reply_id}/approve", {})[0] == 403
    status, body = post(api_client(tenant.manager), f"/api/v1/replies/{reply_id}/approve", {})
    assert status == 200
    assert body["approved_by"]["id"] == tenant.manager.user_id  # type: ignore[call-overload,index]
    assert Publication.objects.filter(reply_id=reply_id).count() == 1
    assert Notification.objects.filter(recipient=tenant.agent.user, event="reply.approved").exists()


@pytest.mark.parametrize("route", ["approve", "send-back"])
def test_approval_routes_hide_other_organisations_replies(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient, route: str
) -> None:
    case = low_rated_case(tenant)
    _status, body = post(
        api_client(tenant.agent), f"/api/v1/cases/{case.pk}/replies", {"body": CLEAN, "submit": True}
    )
    reply_id = body["id"]  # type: ignore[call-overload]
    assert (
        post(api_client(other_tenant.admin), f"/api/v1/replies/{reply_id}/{route}", {"comment": "x"})[0]
        == 404
    )
    assert post(api_client(tenant.viewer), f"/api/v1/replies/{reply_id}/{route}", {"comment": "x"})[0] == 403


def test_replies_cannot_be_written_by_viewers_or_on_foreign_cases(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient
) -> None:
    case = make_case(tenant.organisation)
    url = f"/api/v1/cases/{case.pk}/replies"
    assert post(api_client(tenant.viewer), url, {"body": CLEAN})[0] == 403
    assert post(api_client(other_tenant.admin), url, {"body": CLEAN})[0] == 404
    assert not Reply.objects.exists()
