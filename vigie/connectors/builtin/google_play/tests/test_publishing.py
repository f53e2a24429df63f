"""Google Play replies through Vigie's outbox: published, then corrected by a replacing reply."""

from __future__ import annotations

import pytest

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.google_play.tests.conftest import load
from vigie.connectors.testing import FakePlatform
from vigie.core.jobs import run_pending
from vigie.inbox.models import ReplyStatus
from vigie.inbox.outbox.publishing import do_edit_published_reply, do_queue_publication
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.tests.factories import make_mention

REVIEW_ID = "gp:AOqpTOFpm0yFEXsL_xjTrGQo7Rd7LgX"
REPLY = f"/androidpublisher/v3/applications/fr.exemple.boutique/reviews/{REVIEW_ID}:reply"
FIRST = "Nous sommes désolés, nous regardons votre commande."
CORRECTED = (
    "Bonjour, nous sommes désolés pour ce retard et nous comprenons votre agacement. Votre "
    "commande repart dès aujourd'hui ; écrivez-nous en message privé pour recevoir son suivi. "
    "Merci de votre patience."
)


def test_a_reply_is_published_then_replaced(
    tenant: Tenant, platform: FakePlatform, service_account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    platform.add("POST", "/token", json=load("token.json"))
    platform.add("POST", REPLY, json=load("reply.json"))
    org = tenant.organisation
    source = do_create_source(
        org,
        platform="google_play",
        name="Appli Android",
        config={
            "base_url": platform.url,
            "package_name": "fr.exemple.boutique",
            "service_account_json": service_account,
        },
    )
    case = make_case(org, make_mention(org, source=source, external_id=REVIEW_ID, rating=1))
    reply = make_reply(case, author=tenant.agent.user, status=ReplyStatus.APPROVED, body=FIRST)

    do_queue_publication(reply, actor=tenant.agent.user)
    run_pending()
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    assert reply.external_id == REVIEW_ID

    do_edit_published_reply(reply, CORRECTED, actor=tenant.manager.user)
    # Play holds one reply per review: the correction is a second reply call that replaces it.
    assert [r.json()["replyText"] for r in platform.requests_to("POST", REPLY)] == [FIRST, CORRECTED]
