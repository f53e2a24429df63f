"""Direct messages in the case thread, end to end: Meta's signed webhook (Messenger) and X's
direct messages, against local HTTP servers answering like the platforms; routing to the author's
open case, deduplication, sending once, roles and tenancy."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.facebook.graph import sign
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.jobs import run_pending
from vigie.core.models import Membership
from vigie.inbox.models import (
    Case,
    MessageDirection,
    MessageState,
    PrivateChannel,
    PrivateMessage,
    Publication,
    PublicationState,
    Reply,
    ReplyChannel,
    ReplyStatus,
)
from vigie.inbox.outbox.direct_messages import do_send_direct_message
from vigie.inbox.outbox.publishing import do_queue_publication
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_author, make_mention

BUILTIN = Path(__file__).resolve().parents[3] / "connectors" / "builtin"
PAGE_ID = "104365123456789"
APP_SECRET = "3f9b1c0d2e8a4b7c9d1e2f3a4b5c6d7e"
PSID = "24501234567890123"
X_ACCOUNT = "1466221580916924416"
X_CUSTOMER = "1542887301"


def fixture_bytes(platform: str, name: str) -> bytes:
    return (BUILTIN / platform / "tests" / "fixtures" / name).read_bytes()


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePlatform]:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    with FakePlatform() as fake:
        yield fake


def facebook_source(tenant: Tenant, platform: FakePlatform, page_id: str = PAGE_ID) -> Source:
    return do_create_source(
        tenant.organisation,
        platform="facebook",
        name=f"Page {page_id}",
        config={
            "base_url": f"{platform.url}/v21.0",
            "page_id": page_id,
            "page_access_token": "EAAGm0PX4ZCpsBAPageToken123",
            "app_secret": APP_SECRET,
        },
    )


def messenger_event(mid: str, text: str, *, sender: str = PSID, page_id: str = PAGE_ID) -> bytes:
    """A ``messages`` delivery as Meta posts it (one messaging event)."""
    now_ms = int(timezone.now().timestamp() * 1000)
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": page_id,
                    "time": now_ms,
                    "messaging": [
                        {
                            "sender": {"id": sender},
                            "recipient": {"id": page_id},
                            "timestamp": now_ms,
                            "message": {"mid": mid, "text": text},
                        }
                    ],
                }
            ],
        }
    ).encode()


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks: Any) -> None:
    """Ingestion hands mentions on to analysis and routing once its transaction commits: the test's
    own transaction never does, so the callbacks are run as they come."""
    global _capture
    _capture = django_capture_on_commit_callbacks


_capture: Any = None


def run_jobs() -> None:
    """Run the pipeline's and the outbox's jobs, with their commit callbacks, until none is left."""
    for _ in range(5):
        with _capture(execute=True):
            ran = run_pending()
        if not ran:
            return


def deliver(source: Source, body: bytes, *, secret: str = APP_SECRET) -> int:
    """Post ``body`` to Meta's callback of ``source`` as Meta does, then run the pipeline's jobs."""
    with _capture(execute=True):
        answer = Client().post(
            f"/sources/meta/{source.pk}/webhook/",
            body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=sign(secret, body),
            HTTP_HOST="127.0.0.1",
        )
    run_jobs()
    return answer.status_code


def thread_messages(case: Case) -> list[PrivateMessage]:
    return list(
        PrivateMessage.objects.filter(
            thread__case=case, thread__channel=PrivateChannel.DIRECT_MESSAGE
        ).order_by("created_at", "pk")
    )


def test_a_messenger_message_opens_a_private_case_and_the_next_ones_join_its_thread(
    tenant: Tenant, platform: FakePlatform
) -> None:
    source = facebook_source(tenant, platform)
    assert deliver(source, fixture_bytes("facebook", "webhook_message.json")) == 200
    first = Mention.objects.get(source=source)
    assert first.kind == "private_message"
    assert first.raw["message"]["mid"] == "m_1457764197618:41d102a3e1ae206a38"  # raw payload kept
    case = Case.objects.get(mention=first)

    assert deliver(source, messenger_event("m_second", "Toujours personne au téléphone.")) == 200
    # No second case: the message is in the first case's thread, once, even when redelivered.
    assert Case.objects.filter(organisation=tenant.organisation).count() == 1
    assert deliver(source, messenger_event("m_second", "Toujours personne au téléphone.")) == 200
    [received] = thread_messages(case)
    assert (received.direction, received.state) == (MessageDirection.INBOUND, MessageState.RECEIVED)
    assert received.body == "Toujours personne au téléphone."
    assert Mention.objects.filter(source=source, external_id="m_second").count() == 1

    # The case page shows it in the conversation, escaped.
    client = Client()
    client.force_login(tenant.agent.user)
    page = client.get(f"/inbox/cases/{case.pk}/", HTTP_HOST="127.0.0.1")
    assert page.status_code == 200
    assert "Toujours personne au téléphone." in page.content.decode()
    assert "Message privé reçu" in page.content.decode()


def test_a_badly_signed_message_is_refused_and_stores_nothing(tenant: Tenant, platform: FakePlatform) -> None:
    source = facebook_source(tenant, platform)
    assert deliver(source, messenger_event("m_forged", "Faux"), secret="not-the-app-secret") == 401
    assert not Mention.objects.filter(source=source).exists()
    assert not PrivateMessage.objects.exists()


def test_a_message_from_someone_with_an_open_public_case_lands_in_that_case(
    tenant: Tenant, platform: FakePlatform
) -> None:
    source = facebook_source(tenant, platform)
    author = make_author(tenant.organisation, platform="facebook", external_id=PSID, display_name="Marie D.")
    comment = make_mention(
        tenant.organisation, source=source, author=author, kind="comment", text="Carte bloquée"
    )
    case = make_case(tenant.organisation, comment, status="waiting_customer")
    assert deliver(source, messenger_event("m_follow_up", "Je vous écris en privé, comme demandé.")) == 200
    [received] = thread_messages(case)
    assert received.body == "Je vous écris en privé, comme demandé."
    assert Case.objects.filter(organisation=tenant.organisation).count() == 1
    case.refresh_from_db()
    assert case.status == "in_progress"  # the customer answered: back with the agent


def test_a_message_for_one_organisation_never_lands_in_another(
    tenant: Tenant, other_tenant: Tenant, platform: FakePlatform
) -> None:
    ours = facebook_source(tenant, platform)
    theirs = facebook_source(other_tenant, platform, page_id="204365123456789")
    # The same person has an open case at the other organisation.
    author = make_author(other_tenant.organisation, platform="facebook", external_id=PSID)
    their_case = make_case(
        other_tenant.organisation, make_mention(other_tenant.organisation, source=theirs, author=author)
    )
    assert deliver(ours, messenger_event("m_for_acme", "Bonjour Acme")) == 200
    assert thread_messages(their_case) == []
    assert Case.objects.filter(organisation=tenant.organisation, mention__external_id="m_for_acme").exists()
    # A delivery about the other organisation's Page posted to our callback is not ours to store.
    assert deliver(ours, messenger_event("m_for_globex", "Bonjour", page_id="204365123456789")) == 200
    assert not Mention.objects.filter(external_id="m_for_globex").exists()


def test_the_answer_to_a_private_case_goes_privately_once(tenant: Tenant, platform: FakePlatform) -> None:
    source = facebook_source(tenant, platform)
    # Written just now: within Messenger's 24-hour window.
    deliver(source, messenger_event("m_recent", "Pouvez-vous me rappeler ?"))
    case = Case.objects.get(mention__source=source)
    platform.add(
        "POST", f"/v21.0/{PAGE_ID}/messages", json=json.loads(fixture_bytes("facebook", "message_sent.json"))
    )
    reply = make_reply(
        case, author=tenant.agent.user, status=ReplyStatus.APPROVED, body="Nous vous rappelons."
    )
    publication = do_queue_publication(reply, actor=tenant.agent.user)
    assert do_queue_publication(reply, actor=tenant.agent.user).pk == publication.pk  # a double click
    run_jobs()
    run_jobs()
    [sent] = platform.requests_to("POST", f"/v21.0/{PAGE_ID}/messages")
    assert sent.json() == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Nous vous rappelons."},
    }
    reply.refresh_from_db()
    assert (reply.channel, reply.status) == (ReplyChannel.DIRECT_MESSAGE, ReplyStatus.PUBLISHED)
    assert Publication.objects.get(reply=reply).state == PublicationState.PUBLISHED
    [outbound] = thread_messages(case)
    assert outbound.state == MessageState.SENT
    assert outbound.message_id.startswith("dm:facebook:m_")
    case.refresh_from_db()
    assert case.first_response_at is not None  # the private answer is the case's first response
    # Nothing was posted in public.
    assert not platform.requests_to("POST", f"/v21.0/{case.mention.external_id}/comments")


# --- X ---------------------------------------------------------------------------------------------


def x_case(tenant: Tenant, platform: FakePlatform, **extra: Any) -> Case:
    source = do_create_source(
        tenant.organisation,
        platform="x",
        name="Compte X",
        config={
            "base_url": platform.url,
            "bearer_token": "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA",
            "user_id": X_ACCOUNT,
            "access_token": "VGhpc0lzQVVzZXJBY2Nlc3NUb2tlbg",
            **extra,
        },
    )
    author = make_author(tenant.organisation, platform="x", external_id=X_CUSTOMER, handle="lucie_m")
    mention = make_mention(
        tenant.organisation,
        source=source,
        author=author,
        kind="post",
        text="@AcmeRail mon train est encore annulé",
        created_at=datetime.now(tz=UTC) - timedelta(hours=1),
    )
    return make_case(tenant.organisation, mention)


def test_an_x_direct_message_from_the_case_page_is_sent_exactly_once(
    tenant: Tenant, platform: FakePlatform, login: Callable[[Membership], Client]
) -> None:
    case = x_case(tenant, platform)
    path = f"/2/dm_conversations/with/{X_CUSTOMER}/messages"
    platform.add("POST", path, status=201, json=json.loads(fixture_bytes("x", "dm_sent.json")))
    client = login(tenant.agent)
    url = f"/inbox/cases/{case.pk}/private/direct-message/"
    answer = client.post(
        url, {"body": "Bonjour Lucie, pouvez-vous nous donner votre référence ?"}, HTTP_HOST="127.0.0.1"
    )
    assert answer.status_code in (200, 302)
    run_jobs()
    run_jobs()
    [sent] = platform.requests_to("POST", path)
    assert sent.json() == {"text": "Bonjour Lucie, pouvez-vous nous donner votre référence ?"}
    [message] = thread_messages(case)
    assert message.state == MessageState.SENT
    assert message.message_id == "dm:x:2129161111111111111"
    case.refresh_from_db()
    assert case.status == "waiting_customer"


def test_an_x_direct_message_x_refuses_fails_and_is_not_retried(
    tenant: Tenant, platform: FakePlatform
) -> None:
    case = x_case(tenant, platform)
    path = f"/2/dm_conversations/with/{X_CUSTOMER}/messages"
    platform.add(
        "POST",
        path,
        status=403,
        json={"title": "Forbidden", "detail": "You cannot send messages to this user."},
    )
    message = do_send_direct_message(case, "Bonjour", actor=tenant.agent.user)
    run_jobs()
    run_jobs()
    assert len(platform.requests_to("POST", path)) == 1
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert "cannot send messages" in message.error


def test_x_direct_messages_polled_join_the_open_case(tenant: Tenant, platform: FakePlatform) -> None:
    case = x_case(tenant, platform, read_direct_messages=True)
    platform.add("GET", f"/2/users/{X_ACCOUNT}/mentions", json={"meta": {"result_count": 0}})
    platform.add("GET", "/2/dm_events", json=json.loads(fixture_bytes("x", "dm_events.json")))
    with _capture(execute=True):
        call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    run_jobs()
    bodies = [message.body for message in thread_messages(case)]
    assert bodies == [
        "Vous pouvez m'aider ?",
        "Bonjour, mon remboursement n'est toujours pas arrivé (dossier 4471).",
    ]
    # Polled again: the same events are not stored twice.
    with _capture(execute=True):
        call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    run_jobs()
    assert len(thread_messages(case)) == 2
    assert Case.objects.filter(organisation=tenant.organisation).count() == 1


# --- roles and tenancy of the page ----------------------------------------------------------------


def test_writing_privately_needs_the_agent_role_and_the_case_of_ones_organisation(
    tenant: Tenant, other_tenant: Tenant, platform: FakePlatform, login: Callable[[Membership], Client]
) -> None:
    case = x_case(tenant, platform)
    url = f"/inbox/cases/{case.pk}/private/direct-message/"
    assert login(tenant.viewer).post(url, {"body": "x"}, HTTP_HOST="127.0.0.1").status_code == 403
    assert login(other_tenant.agent).post(url, {"body": "x"}, HTTP_HOST="127.0.0.1").status_code == 404
    assert not PrivateMessage.objects.exists()
    assert Reply.objects.count() == 0


def test_an_answer_outside_messengers_window_is_refused_before_sending(
    tenant: Tenant, platform: FakePlatform
) -> None:
    source = facebook_source(tenant, platform)
    deliver(source, fixture_bytes("facebook", "webhook_message.json"))  # written a year ago
    case = Case.objects.get(mention__source=source)
    message = do_send_direct_message(case, "Bonjour", actor=tenant.agent.user)
    run_jobs()
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert "24 hours" in message.error
    assert not platform.requests_to("POST", f"/v21.0/{PAGE_ID}/messages")
