"""The publishing outbox against local HTTP servers that answer like the platforms' reply APIs."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.testing import FakePlatform
from vigie.core.jobs import run_now, run_pending
from vigie.core.models import Job, JobStatus, Notification
from vigie.core.queries import audit_events_for
from vigie.inbox.actions import ReplyRefused
from vigie.inbox.models import Case, CaseStatus, Publication, PublicationState, Reply, ReplyStatus
from vigie.inbox.outbox.publishing import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    PublishingError,
    claim_publication,
    do_confirm_posted_by_hand,
    do_delete_published_reply,
    do_edit_published_reply,
    do_queue_publication,
    do_resolve_unknown_publication,
    do_retry_publication,
    sweep_outbox,
)
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.models import MentionType, Sentiment
from vigie.mentions.tests.factories import make_author, make_mention, make_source

BUILTIN = Path(__file__).resolve().parents[3] / "connectors" / "builtin"
STATUSES = "/api/v1/statuses"
BSKY_SESSION = "/xrpc/com.atproto.server.createSession"
BSKY_CREATE = "/xrpc/com.atproto.repo.createRecord"
BSKY_DELETE = "/xrpc/com.atproto.repo.deleteRecord"
GOOGLE_TOKEN = "/token"
GOOGLE_REVIEW = "accounts/1122334455/locations/9988776655/reviews/AbFvOqk"


def fixture(platform: str, name: str) -> Any:
    return json.loads((BUILTIN / platform / "tests" / "fixtures" / name).read_text())


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        yield fake


@pytest.fixture(autouse=True)
def forget_bluesky_sessions() -> Iterator[None]:
    from vigie.connectors.builtin.bluesky import connector

    connector._SESSIONS.clear()
    yield
    connector._SESSIONS.clear()


def mastodon_case(tenant: Tenant, platform: FakePlatform, **mention: Any) -> Case:
    org = tenant.organisation
    source = do_create_source(
        org, platform="mastodon", name="Mastodon", config={"base_url": platform.url, "access_token": "tok"}
    )
    author = make_author(org, platform="mastodon", handle="mira@example.social", external_id="971724")
    mention.setdefault("mention_type", MentionType.COMPLAINT)
    fields = {"kind": "post", "text": "Ma commande n'est jamais arrivée", **mention}
    return make_case(org, make_mention(org, source=source, author=author, external_id="1123829", **fields))


def bluesky_case(tenant: Tenant, platform: FakePlatform) -> Case:
    org = tenant.organisation
    source = do_create_source(
        org,
        platform="bluesky",
        name="Bluesky",
        config={"base_url": platform.url, "handle": "acme.com", "app_password": "abcd-efgh-ijkl-mnop"},
    )
    post = fixture("bluesky", "search_page1.json")["posts"][0]
    author = make_author(org, platform="bluesky", handle="mira.bsky.social", external_id="did:plc:abc123")
    mention = make_mention(org, source=source, author=author, external_id=post["uri"], kind="post", raw=post)
    return make_case(org, mention)


def google_case(tenant: Tenant, platform: FakePlatform) -> Case:
    org = tenant.organisation
    source = do_create_source(
        org,
        platform="google_business",
        name="Google",
        config={
            "base_url": platform.url,
            "token_url": f"{platform.url}{GOOGLE_TOKEN}",
            "account_id": "1122334455",
            "location_ids": ["9988776655"],
            "client_id": "123-abc.apps.googleusercontent.com",
            "client_secret": "s3cret",
            "refresh_token": "1//refresh",
        },
    )
    mention = make_mention(
        org, source=source, external_id=GOOGLE_REVIEW, raw={"name": GOOGLE_REVIEW}, rating=2
    )
    return make_case(org, mention)


def approved(
    case: Case, tenant: Tenant, body: str = "Nous sommes désolés, nous regardons votre commande."
) -> Reply:
    return make_reply(case, author=tenant.agent.user, status=ReplyStatus.APPROVED, body=body)


def publication(reply: Reply) -> Publication:
    return Publication.objects.get(reply=reply)


def make_queued_jobs_due() -> None:
    # Stands for the backoff delay having passed.
    Job.objects.filter(status=JobStatus.QUEUED).update(run_after=timezone.now())


def verbs(case_or_reply: Any) -> list[str]:
    return [event.verb for event in events(case_or_reply)]


def events(obj: Any) -> Any:
    return audit_events_for(obj.organisation, obj._meta.label_lower, str(obj.pk))


# --- success --------------------------------------------------------------------------------------


def test_an_approved_reply_is_published_once_with_its_idempotency_key(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", STATUSES, json=fixture("mastodon", "status_created.json"))
    case = mastodon_case(tenant, platform)
    reply = approved(case, tenant)

    do_queue_publication(reply, actor=tenant.agent.user)
    do_queue_publication(reply, actor=tenant.agent.user)  # a double click queues nothing more
    assert run_pending() == 1
    run_now("inbox.publish_reply", {"reply_id": reply.pk})  # a duplicate job finds nothing to send

    sent = platform.requests_to("POST", STATUSES)
    assert len(sent) == 1
    assert sent[0].headers["idempotency-key"] == str(reply.idempotency_key)
    assert sent[0].json()["in_reply_to_id"] == "1123829"
    assert sent[0].json()["status"].startswith("@mira@example.social Nous sommes désolés")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    assert reply.external_id == "112383000000000042"
    assert publication(reply).state == PublicationState.PUBLISHED
    assert publication(reply).url == "https://mastodon.social/@acme/112383000000000042"
    assert verbs(reply) == ["reply.publication_queued", "reply.published"]


def test_the_first_public_answer_stamps_the_case_and_waits_for_the_customer(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", STATUSES, json=fixture("mastodon", "status_created.json"))
    case = mastodon_case(tenant, platform)
    first, second = approved(case, tenant), approved(case, tenant, "Autre précision.")
    do_queue_publication(first, actor=tenant.agent.user)
    run_pending()
    case.refresh_from_db()
    first.refresh_from_db()
    assert case.first_response_at == first.published_at
    assert case.status == CaseStatus.WAITING_CUSTOMER

    do_queue_publication(second, actor=tenant.agent.user)
    run_pending()
    case.refresh_from_db()
    assert case.first_response_at == first.published_at  # only the first answer counts


def test_an_answered_compliment_closes_the_case(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add("POST", STATUSES, json=fixture("mastodon", "status_created.json"))
    case = mastodon_case(tenant, platform, mention_type=MentionType.PRAISE, sentiment=Sentiment.POSITIVE)
    do_queue_publication(approved(case, tenant, "Merci beaucoup !"), actor=tenant.agent.user)
    run_pending()
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert case.resolved_at is not None


def test_a_reply_waiting_for_approval_is_not_published(tenant: Tenant, platform: FakePlatform) -> None:
    case = mastodon_case(tenant, platform)
    reply = make_reply(case, author=tenant.agent.user, status=ReplyStatus.AWAITING_APPROVAL)
    with pytest.raises(PublishingError):
        do_queue_publication(reply, actor=tenant.agent.user)
    assert not Publication.objects.filter(reply=reply).exists()
    assert run_pending() == 0


# --- retries and failures -------------------------------------------------------------------------


def test_a_server_error_is_retried_later_and_then_published(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add("POST", STATUSES, status=503, json={"error": "Service Unavailable"})
    platform.add("POST", STATUSES, json=fixture("mastodon", "status_created.json"))
    reply = approved(mastodon_case(tenant, platform), tenant)
    do_queue_publication(reply, actor=tenant.agent.user)

    run_pending()
    pending = publication(reply)
    assert pending.state == PublicationState.QUEUED
    assert pending.attempts == 1
    assert "Mastodon HTTP 503" in pending.last_error
    retry = Job.objects.get(status=JobStatus.QUEUED, name="inbox.publish_reply")
    assert retry.run_after > timezone.now() + timedelta(seconds=20)
    assert run_pending() == 0  # not before its time

    make_queued_jobs_due()
    run_pending()
    sent = platform.requests_to("POST", STATUSES)
    assert len(sent) == 2
    assert sent[0].headers["idempotency-key"] == sent[1].headers["idempotency-key"]
    assert publication(reply).state == PublicationState.PUBLISHED


def test_a_platform_that_keeps_failing_ends_failed_after_the_last_attempt(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", STATUSES, status=502, json={"error": "Bad Gateway"})
    reply = approved(mastodon_case(tenant, platform), tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    for _ in range(MAX_ATTEMPTS):
        make_queued_jobs_due()
        run_pending()
    assert len(platform.requests_to("POST", STATUSES)) == MAX_ATTEMPTS
    assert publication(reply).state == PublicationState.FAILED
    make_queued_jobs_due()
    assert run_pending() == 0


def test_a_policy_refusal_fails_at_once_with_the_platforms_reason(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", GOOGLE_TOKEN, json=fixture("google_business", "token.json"))
    platform.add(
        "PUT",
        f"/v4/{GOOGLE_REVIEW}/reply",
        status=400,
        json=fixture("google_business", "error_reply_refused.json"),
    )
    case = google_case(tenant, platform)
    reply = approved(case, tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    run_pending()

    assert len(platform.requests_to("PUT", f"/v4/{GOOGLE_REVIEW}/reply")) == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED
    assert "it contains prohibited content" in reply.error
    assert publication(reply).state == PublicationState.FAILED
    make_queued_jobs_due()
    assert run_pending() == 0  # a refusal is not retried
    note = Notification.objects.get(recipient=tenant.agent.user, event="reply.publication_failed")
    assert "prohibited content" in note.body
    case.refresh_from_db()
    assert case.first_response_at is None

    # A person changes the text's cause and retries: the same key goes out again.
    platform.add("PUT", f"/v4/{GOOGLE_REVIEW}/reply", json=fixture("google_business", "reply.json"))
    do_retry_publication(reply, actor=tenant.agent.user)
    run_pending()
    assert publication(reply).state == PublicationState.PUBLISHED


def test_a_bluesky_server_error_is_not_retried_blindly_but_left_to_a_person(
    tenant: Tenant, platform: FakePlatform
) -> None:
    # Bluesky has no idempotency key: after a 502 the post may exist, so sending again could
    # post twice.
    platform.add("POST", BSKY_SESSION, json=fixture("bluesky", "session.json"))
    platform.add("POST", BSKY_CREATE, status=502, json={"error": "UpstreamFailure"})
    case = bluesky_case(tenant, platform)
    reply = approved(case, tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    run_pending()

    assert publication(reply).state == PublicationState.UNKNOWN
    make_queued_jobs_due()
    assert run_pending() == 0
    assert len(platform.requests_to("POST", BSKY_CREATE)) == 1
    assert Notification.objects.filter(
        recipient=tenant.agent.user, event="reply.publication_unknown"
    ).exists()

    # The agent looks on Bluesky and finds the reply there: it counts as published, once.
    do_resolve_unknown_publication(reply, actor=tenant.agent.user, found=True, url="https://bsky.app/x")
    reply.refresh_from_db()
    case.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    assert case.first_response_at is not None
    assert len(platform.requests_to("POST", BSKY_CREATE)) == 1


def test_an_unknown_reply_found_absent_is_sent_again(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add("POST", BSKY_SESSION, json=fixture("bluesky", "session.json"))
    platform.add("POST", BSKY_CREATE, status=500, json={"error": "InternalServerError"})
    platform.add("POST", BSKY_CREATE, json=fixture("bluesky", "create_record.json"))
    reply = approved(bluesky_case(tenant, platform), tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    run_pending()
    do_resolve_unknown_publication(reply, actor=tenant.agent.user, found=False)
    run_pending()
    assert len(platform.requests_to("POST", BSKY_CREATE)) == 2
    reply.refresh_from_db()
    assert reply.external_id == "at://did:plc:ourbrand123/app.bsky.feed.post/3ksr6abcd2k2y"


def test_a_refused_connection_is_retried_even_on_bluesky(tenant: Tenant) -> None:
    # Nothing listens on this port: the request never left, so trying again is safe.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    org = tenant.organisation
    source = do_create_source(
        org,
        platform="bluesky",
        name="Bluesky",
        config={"base_url": f"http://127.0.0.1:{closed_port}", "handle": "acme.com", "app_password": "x-y-z"},
    )
    post = fixture("bluesky", "search_page1.json")["posts"][0]
    case = make_case(org, make_mention(org, source=source, external_id=post["uri"], raw=post))
    reply = approved(case, tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    run_pending()
    assert publication(reply).state == PublicationState.QUEUED
    assert "ConnectError" in publication(reply).last_error


# --- crash between the claim and the platform call --------------------------------------------------


def test_a_worker_that_died_after_claiming_a_bluesky_reply_never_causes_a_second_post(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", BSKY_SESSION, json=fixture("bluesky", "session.json"))
    platform.add("POST", BSKY_CREATE, json=fixture("bluesky", "create_record.json"))
    reply = approved(bluesky_case(tenant, platform), tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    assert claim_publication(reply.pk, "worker-that-dies") is not None
    # ... the process dies here, maybe after the request left.

    run_pending()  # the job itself finds the row taken: it does not send
    assert publication(reply).state == PublicationState.SENDING
    Publication.objects.filter(reply=reply).update(
        claimed_at=timezone.now() - CLAIM_LEASE - timedelta(minutes=1)
    )
    run_now("inbox.publish_reply", {"reply_id": reply.pk})  # the stale job requeued later

    assert platform.requests_to("POST", BSKY_CREATE) == []
    assert publication(reply).state == PublicationState.UNKNOWN
    assert "reply.publication_unknown" in verbs(reply)


def test_a_worker_that_died_after_claiming_a_mastodon_reply_is_resent_with_the_same_key(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", STATUSES, json=fixture("mastodon", "status_created.json"))
    reply = approved(mastodon_case(tenant, platform), tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    assert claim_publication(reply.pk, "worker-that-dies") is not None
    Publication.objects.filter(reply=reply).update(
        claimed_at=timezone.now() - CLAIM_LEASE - timedelta(minutes=1)
    )

    run_now("inbox.publish_reply", {"reply_id": reply.pk})
    sent = platform.requests_to("POST", STATUSES)
    assert len(sent) == 1
    assert sent[0].headers["idempotency-key"] == str(reply.idempotency_key)
    assert publication(reply).state == PublicationState.PUBLISHED


# --- copy and open ------------------------------------------------------------------------------------


def test_a_platform_without_a_reply_api_waits_for_a_person_to_post_by_hand(tenant: Tenant) -> None:
    org = tenant.organisation
    case = make_case(
        org, make_mention(org, source=make_source(org, platform="feed"), url="https://blog.example/a")
    )
    reply = approved(case, tenant)
    assert do_queue_publication(reply, actor=tenant.agent.user).state == PublicationState.MANUAL
    assert run_pending() == 0

    do_confirm_posted_by_hand(reply, actor=tenant.agent.user, url="https://blog.example/a#comment-9")
    reply.refresh_from_db()
    case.refresh_from_db()
    assert reply.status == ReplyStatus.POSTED_BY_HAND
    assert publication(reply).url == "https://blog.example/a#comment-9"
    assert case.first_response_at == reply.published_at
    assert case.status == CaseStatus.WAITING_CUSTOMER
    with pytest.raises(PublishingError):
        do_confirm_posted_by_hand(reply, actor=tenant.agent.user)
    assert verbs(reply) == ["reply.publication_manual", "reply.posted_by_hand"]


# --- edit and delete ------------------------------------------------------------------------------------


# A correction that passes the gate for an unhappy customer: apology, next step, private channel.
CORRECTED = (
    "Bonjour, nous sommes désolés pour ce retard et nous comprenons votre agacement. Votre "
    "commande repart dès aujourd'hui ; écrivez-nous en message privé pour recevoir son suivi. "
    "Merci de votre patience."
)


def published(tenant: Tenant, case: Case) -> Reply:
    reply = approved(case, tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    run_pending()
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    return reply


def test_a_google_reply_is_edited_in_place(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add("POST", GOOGLE_TOKEN, json=fixture("google_business", "token.json"))
    platform.add("PUT", f"/v4/{GOOGLE_REVIEW}/reply", json=fixture("google_business", "reply.json"))
    reply = published(tenant, google_case(tenant, platform))

    # A 2-star review: the charter wants a supervisor on it, for a correction too.
    do_edit_published_reply(reply, CORRECTED, actor=tenant.manager.user)
    puts = platform.requests_to("PUT", f"/v4/{GOOGLE_REVIEW}/reply")
    assert [p.json()["comment"] for p in puts] == [
        "Nous sommes désolés, nous regardons votre commande.",
        CORRECTED,
    ]
    reply.refresh_from_db()
    assert reply.body == CORRECTED
    assert publication(reply).state == PublicationState.PUBLISHED
    event = events(reply).get(verb="reply.edited_on_platform")
    assert event.data["from"].startswith("Nous sommes désolés")


def test_a_mastodon_reply_is_edited_by_deleting_and_posting_again(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", STATUSES, json=fixture("mastodon", "status_created.json"))
    platform.add("DELETE", f"{STATUSES}/112383000000000042", json={})
    reply = published(tenant, mastodon_case(tenant, platform))
    first_key = reply.idempotency_key

    do_edit_published_reply(reply, CORRECTED, actor=tenant.agent.user)
    assert len(platform.requests_to("DELETE", f"{STATUSES}/112383000000000042")) == 1
    run_pending()
    sent = platform.requests_to("POST", STATUSES)
    assert len(sent) == 2
    assert sent[1].json()["status"].endswith(CORRECTED)
    assert sent[1].headers["idempotency-key"] != str(first_key)  # a new post, not a replay
    assert publication(reply).state == PublicationState.PUBLISHED


def test_a_platform_error_on_edit_leaves_the_reply_as_it_was(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add("POST", GOOGLE_TOKEN, json=fixture("google_business", "token.json"))
    platform.add("PUT", f"/v4/{GOOGLE_REVIEW}/reply", json=fixture("google_business", "reply.json"))
    reply = published(tenant, google_case(tenant, platform))
    platform.add(
        "PUT",
        f"/v4/{GOOGLE_REVIEW}/reply",
        status=400,
        json=fixture("google_business", "error_reply_refused.json"),
    )
    with pytest.raises(PublishingError, match="prohibited content"):
        do_edit_published_reply(reply, CORRECTED, actor=tenant.manager.user)
    reply.refresh_from_db()
    assert reply.body.startswith("Nous sommes désolés")


def test_a_correction_goes_through_the_quality_gate_before_the_platform(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", STATUSES, json=fixture("mastodon", "status_created.json"))
    platform.add("DELETE", f"{STATUSES}/112383000000000042", json={})
    reply = published(tenant, mastodon_case(tenant, platform))
    original = reply.body

    # A phone number in a public reply blocks, whoever writes it; the platform hears nothing.
    with pytest.raises(ReplyRefused) as refused:
        do_edit_published_reply(
            reply, CORRECTED + " Appelez Julie au 06 12 34 56 78.", actor=tenant.agent.user
        )
    assert refused.value.code == "blocked"
    assert any(f.severity == "block" for f in refused.value.findings)
    # A warning (here: no apology, no next step for an unhappy customer) must be confirmed, with a reason.
    with pytest.raises(ReplyRefused) as refused:
        do_edit_published_reply(reply, "Voilà, c'est corrigé.", actor=tenant.agent.user)
    assert refused.value.code == "warnings"
    codes = [f.code for f in refused.value.findings]
    with pytest.raises(ReplyRefused) as refused:
        do_edit_published_reply(reply, "Voilà, c'est corrigé.", actor=tenant.agent.user, overrides=codes)
    assert refused.value.code == "reason"
    assert platform.requests_to("DELETE", f"{STATUSES}/112383000000000042") == []
    reply.refresh_from_db()
    assert reply.body == original

    do_edit_published_reply(
        reply,
        "Voilà, c'est corrigé.",
        actor=tenant.agent.user,
        overrides=codes,
        override_reason="le client a reçu sa commande entre-temps",
    )
    assert len(platform.requests_to("DELETE", f"{STATUSES}/112383000000000042")) == 1
    overridden = events(reply.case).get(verb="reply.warnings_overridden")
    assert overridden.data["reason"] == "le client a reçu sa commande entre-temps"
    assert overridden.actor == tenant.agent.user


def test_where_the_charter_wants_approval_an_agent_cannot_change_a_published_reply(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", GOOGLE_TOKEN, json=fixture("google_business", "token.json"))
    platform.add("PUT", f"/v4/{GOOGLE_REVIEW}/reply", json=fixture("google_business", "reply.json"))
    reply = published(tenant, google_case(tenant, platform))  # a 2-star review

    with pytest.raises(PublishingError, match="seul un responsable") as refused:
        do_edit_published_reply(reply, CORRECTED, actor=tenant.agent.user)
    assert refused.value.code == "approval_required"
    assert len(platform.requests_to("PUT", f"/v4/{GOOGLE_REVIEW}/reply")) == 1  # the first answer only
    with pytest.raises(PublishingError):
        do_edit_published_reply(reply, CORRECTED, actor=tenant.viewer.user)


def test_a_published_reply_is_deleted_on_the_platform(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add("POST", BSKY_SESSION, json=fixture("bluesky", "session.json"))
    platform.add("POST", BSKY_CREATE, json=fixture("bluesky", "create_record.json"))
    platform.add("POST", BSKY_DELETE, json={"commit": {"cid": "bafyreicommit2", "rev": "3ksr7"}})
    reply = published(tenant, bluesky_case(tenant, platform))

    do_delete_published_reply(reply, actor=tenant.agent.user)
    assert platform.requests_to("POST", BSKY_DELETE)[0].json()["rkey"] == "3ksr6abcd2k2y"
    assert publication(reply).state == PublicationState.DELETED
    assert "reply.deleted_on_platform" in verbs(reply)
    with pytest.raises(PublishingError):
        do_delete_published_reply(reply, actor=tenant.agent.user)
    assert len(platform.requests_to("POST", BSKY_DELETE)) == 1


def test_a_reply_posted_by_hand_cannot_be_deleted_through_the_api(tenant: Tenant) -> None:
    org = tenant.organisation
    case = make_case(org, make_mention(org, source=make_source(org, platform="feed")))
    reply = approved(case, tenant)
    do_confirm_posted_by_hand(reply, actor=tenant.agent.user)
    with pytest.raises(PublishingError):
        do_delete_published_reply(reply, actor=tenant.agent.user)
    with pytest.raises(PublishingError):
        do_edit_published_reply(reply, "x", actor=tenant.agent.user)


# --- lost jobs ------------------------------------------------------------------------------------


def test_the_sweeper_hands_a_publication_whose_job_was_lost_back_to_a_worker(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", STATUSES, json=fixture("mastodon", "status_created.json"))
    reply = approved(mastodon_case(tenant, platform), tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    Job.objects.all().delete()  # the broker lost the message
    assert sweep_outbox() == 0  # not yet late
    assert sweep_outbox(now=timezone.now() + CLAIM_LEASE + timedelta(minutes=1)) == 1
    run_pending()
    assert publication(reply).state == PublicationState.PUBLISHED
    assert len(platform.requests_to("POST", STATUSES)) == 1


def test_the_sweeper_turns_a_bluesky_reply_stuck_mid_call_into_a_check(
    tenant: Tenant, platform: FakePlatform
) -> None:
    reply = approved(bluesky_case(tenant, platform), tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    claim_publication(reply.pk, "worker-that-dies")
    Job.objects.all().delete()  # its job was given up on
    assert sweep_outbox(now=timezone.now() + CLAIM_LEASE + timedelta(minutes=1)) == 1
    Publication.objects.filter(reply=reply).update(
        claimed_at=timezone.now() - CLAIM_LEASE - timedelta(minutes=1)
    )
    run_pending()
    assert publication(reply).state == PublicationState.UNKNOWN
    assert platform.requests_to("POST", BSKY_CREATE) == []


def test_a_garbled_answer_on_a_retry_safe_platform_is_retried(tenant: Tenant, platform: FakePlatform) -> None:
    # A body that is not JSON: the request arrived, the outcome is unclear; Mastodon dedupes by key.
    platform.add("POST", STATUSES, body="<html>proxy error</html>", status=200)
    platform.add("POST", STATUSES, json=fixture("mastodon", "status_created.json"))
    reply = approved(mastodon_case(tenant, platform), tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    run_pending()
    assert publication(reply).state == PublicationState.QUEUED
    make_queued_jobs_due()
    run_pending()
    assert publication(reply).state == PublicationState.PUBLISHED


def test_a_direct_message_reply_is_refused_while_no_connector_sends_them(
    tenant: Tenant, platform: FakePlatform
) -> None:
    case = mastodon_case(tenant, platform)
    reply = make_reply(case, author=tenant.agent.user, status=ReplyStatus.APPROVED, channel="direct_message")
    with pytest.raises(PublishingError, match="message privé"):
        do_queue_publication(reply, actor=tenant.agent.user)
    assert platform.requests == []


class _DropsReplies(BaseHTTPRequestHandler):
    """A Bluesky PDS that opens sessions but hangs up on createRecord after reading it: the post
    may or may not exist, exactly like a timeout after the request left."""

    protocol_version = "HTTP/1.1"
    record_calls = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.endswith("createSession"):
            payload = json.dumps(fixture("bluesky", "session.json")).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        assert body
        type(self).record_calls += 1
        self.close_connection = True  # no answer at all

    def log_message(self, format: str, *args: Any) -> None:
        return


def test_a_bluesky_request_left_unanswered_is_left_to_a_person(tenant: Tenant) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DropsReplies)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        org = tenant.organisation
        source = do_create_source(
            org,
            platform="bluesky",
            name="Bluesky",
            config={
                "base_url": f"http://127.0.0.1:{server.server_address[1]}",
                "handle": "acme.com",
                "app_password": "x",
            },
        )
        post = fixture("bluesky", "search_page1.json")["posts"][0]
        reply = approved(
            make_case(org, make_mention(org, source=source, external_id=post["uri"], raw=post)), tenant
        )
        do_queue_publication(reply, actor=tenant.agent.user)
        run_pending()
        make_queued_jobs_due()
        run_pending()
    finally:
        server.shutdown()
        server.server_close()
    assert _DropsReplies.record_calls == 1
    assert publication(reply).state == PublicationState.UNKNOWN
    assert "RemoteProtocolError" in publication(reply).last_error


def test_a_refused_reply_corrected_and_submitted_again_is_sent_again(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", GOOGLE_TOKEN, json=fixture("google_business", "token.json"))
    path = f"/v4/{GOOGLE_REVIEW}/reply"
    platform.add("PUT", path, status=400, json=fixture("google_business", "error_reply_refused.json"))
    platform.add("PUT", path, json=fixture("google_business", "reply.json"))
    reply = approved(google_case(tenant, platform), tenant)
    do_queue_publication(reply, actor=tenant.agent.user)
    run_pending()
    assert publication(reply).state == PublicationState.FAILED

    # The desk lets the agent correct the text; the gate and approval run; it is submitted again.
    Reply.objects.filter(pk=reply.pk).update(body=CORRECTED, status=ReplyStatus.APPROVED)
    assert do_queue_publication(reply, actor=tenant.agent.user).state == PublicationState.QUEUED
    run_pending()
    assert [r.json()["comment"] for r in platform.requests_to("PUT", path)][-1] == CORRECTED
    assert publication(reply).state == PublicationState.PUBLISHED
    assert "reply.publication_retried" in verbs(reply)
