"""App Store responses through Vigie's outbox: published, corrected (the old response deleted, a
new one created) and deleted, as an agent and a manager do it."""

from __future__ import annotations

import pytest

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.app_store.tests.conftest import load
from vigie.connectors.testing import FakePlatform
from vigie.core.jobs import run_pending
from vigie.inbox.models import Case, Publication, PublicationState, Reply, ReplyStatus
from vigie.inbox.outbox.publishing import (
    do_delete_published_reply,
    do_edit_published_reply,
    do_queue_publication,
)
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.tests.factories import make_mention

REVIEW_ID = "00000066-2a3b-4c5d-0000-000000abcdef"
RESPONSES = "/v1/customerReviewResponses"
CURRENT = f"/v1/customerReviews/{REVIEW_ID}/response"
FIRST = "Nous sommes désolés, nous regardons votre commande."
# A correction that passes the quality gate for an unhappy customer (as in the outbox's own tests).
CORRECTED = (
    "Bonjour, nous sommes désolés pour ce retard et nous comprenons votre agacement. Votre "
    "commande repart dès aujourd'hui ; écrivez-nous en message privé pour recevoir son suivi. "
    "Merci de votre patience."
)


def app_store_case(tenant: Tenant, platform: FakePlatform, p8: str) -> Case:
    org = tenant.organisation
    source = do_create_source(
        org,
        platform="app_store",
        name="Appli iOS",
        config={
            "base_url": platform.url,
            "app_id": "1234567890",
            "issuer_id": "57246542-96fe-1a63-e053-0824d011072a",
            "key_id": "2X9R4HXF34",
            "private_key": p8,
        },
    )
    mention = make_mention(org, source=source, external_id=REVIEW_ID, rating=2, text="Synchro cassée")
    return make_case(org, mention)


def test_a_response_is_published_corrected_and_deleted(
    tenant: Tenant, platform: FakePlatform, p8: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    created = load("response_created.json")
    new_id = created["data"]["id"]
    platform.add("GET", CURRENT, json=load("response_none.json"))
    platform.add("GET", CURRENT, json={**created, "links": {}})
    platform.add("POST", RESPONSES, status=201, json=created)
    platform.add("POST", RESPONSES, status=201, json={"data": {**created["data"], "id": "00000077-eeee"}})
    platform.add("DELETE", f"{RESPONSES}/{new_id}", status=204, body=b"")
    platform.add("DELETE", f"{RESPONSES}/00000077-eeee", status=204, body=b"")
    case = app_store_case(tenant, platform, p8)
    reply = make_reply(case, author=tenant.agent.user, status=ReplyStatus.APPROVED, body=FIRST)

    do_queue_publication(reply, actor=tenant.agent.user)
    run_pending()
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    assert reply.external_id == new_id
    sent = platform.requests_to("POST", RESPONSES)
    assert sent[0].json()["data"]["attributes"]["responseBody"] == FIRST

    # A correction replaces the response: the one in place is deleted, then the new one created.
    do_edit_published_reply(reply, CORRECTED, actor=tenant.manager.user)
    assert len(platform.requests_to("DELETE", f"{RESPONSES}/{new_id}")) == 1
    assert (
        platform.requests_to("POST", RESPONSES)[1].json()["data"]["attributes"]["responseBody"] == CORRECTED
    )
    reply.refresh_from_db()
    assert reply.external_id == "00000077-eeee"

    do_delete_published_reply(reply, actor=tenant.manager.user)
    assert len(platform.requests_to("DELETE", f"{RESPONSES}/00000077-eeee")) == 1
    assert Publication.objects.get(reply=reply).state == PublicationState.DELETED


def test_a_yelp_answer_waits_for_a_person_to_post_it_on_yelp(tenant: Tenant) -> None:
    org = tenant.organisation
    source = do_create_source(
        org, platform="yelp", name="Yelp", config={"api_key": "k", "business_id": "casa-bella-paris"}
    )
    case = make_case(
        org, make_mention(org, source=source, url="https://www.yelp.com/biz/casa-bella-paris?hrid=x")
    )
    reply: Reply = make_reply(case, author=tenant.agent.user, status=ReplyStatus.APPROVED, body=FIRST)
    assert do_queue_publication(reply, actor=tenant.agent.user).state == PublicationState.MANUAL
    assert run_pending() == 0
