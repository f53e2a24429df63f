"""API routes of the outbox: roles, tenancy, and the steps they take."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.models import Case, Publication, PublicationState, Reply, ReplyStatus
from vigie.inbox.outbox.publishing import do_queue_publication
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.tests.factories import make_mention, make_source

ApiClient = Callable[[Membership], Client]


def manual(tenant: Tenant) -> tuple[Case, Reply]:
    org = tenant.organisation
    case = make_case(org, make_mention(org, source=make_source(org, platform="feed")))
    reply = make_reply(case, author=tenant.agent.user, status=ReplyStatus.APPROVED)
    do_queue_publication(reply, actor=tenant.agent.user)
    return case, reply


def post(client: Client, path: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(path, json.dumps(payload), content_type="application/json")
    return response.status_code, response.json()


def test_a_viewer_reads_the_outbox_of_a_case(tenant: Tenant, api_client: ApiClient) -> None:
    case, reply = manual(tenant)
    response = api_client(tenant.viewer).get(f"/api/v1/cases/{case.pk}/publications")
    assert response.status_code == 200
    assert response.json() == [
        {
            "reply_id": reply.pk,
            "channel": "public",
            "platform": "feed",
            "state": "manual",
            "attempts": 0,
            "last_error": "",
            "url": "",
            "updated_at": response.json()[0]["updated_at"],
        }
    ]


def test_an_agent_confirms_a_reply_posted_by_hand(tenant: Tenant, api_client: ApiClient) -> None:
    case, reply = manual(tenant)
    status, body = post(
        api_client(tenant.agent),
        f"/api/v1/replies/{reply.pk}/posted-by-hand",
        {"url": "https://blog.example/c1"},
    )
    assert status == 200
    assert body["state"] == "posted_by_hand"
    case.refresh_from_db()
    assert case.first_response_at is not None
    status, body = post(api_client(tenant.agent), f"/api/v1/replies/{reply.pk}/posted-by-hand", {})
    assert status == 409  # already posted: a conflict with the reply's state, said, not done twice


def test_a_script_link_is_refused(tenant: Tenant, api_client: ApiClient) -> None:
    _, reply = manual(tenant)
    status, body = post(
        api_client(tenant.agent), f"/api/v1/replies/{reply.pk}/posted-by-hand", {"url": "javascript:alert(1)"}
    )
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "payload", "url"]
    assert Publication.objects.get(reply=reply).state == PublicationState.MANUAL


@pytest.mark.parametrize(
    ("path", "payload"),
    [("posted-by-hand", {}), ("retry", {}), ("check", {"found": True})],
)
def test_a_viewer_cannot_act_and_another_organisation_cannot_see(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient, path: str, payload: dict[str, object]
) -> None:
    case, reply = manual(tenant)
    assert post(api_client(tenant.viewer), f"/api/v1/replies/{reply.pk}/{path}", payload)[0] == 403
    assert post(api_client(other_tenant.admin), f"/api/v1/replies/{reply.pk}/{path}", payload)[0] == 404
    assert api_client(other_tenant.admin).get(f"/api/v1/cases/{case.pk}/publications").status_code == 404
    assert Publication.objects.get(reply=reply).state == PublicationState.MANUAL


def test_retrying_what_did_not_fail_is_a_409(tenant: Tenant, api_client: ApiClient) -> None:
    _, reply = manual(tenant)
    status, body = post(api_client(tenant.agent), f"/api/v1/replies/{reply.pk}/retry", {})
    assert status == 409
    assert "échec" in json.dumps(body, ensure_ascii=False)
