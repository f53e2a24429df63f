"""The private channel against a real SMTP server, a real IMAP server and the signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.jobs import run_pending
from vigie.core.models import Job, JobStatus, Notification
from vigie.core.queries import audit_events_for
from vigie.inbox.models import (
    CallbackLog,
    Case,
    CaseStatus,
    MessageDirection,
    MessageState,
    PrivateMessage,
    PrivateThread,
    Publication,
    PublicationState,
    ReplyChannel,
    ReplyStatus,
)
from vigie.inbox.outbox.private import (
    do_link_external_ticket,
    do_log_callback,
    do_open_email_thread,
    do_send_email,
    poll_imap,
)
from vigie.inbox.outbox.publishing import do_queue_publication
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.inbox.tests.mailservers import ImapServer, SmtpServer

SECRET = "inbound-secret-for-tests"
WEBHOOK = "/inbox/inbound-email/"


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.DEFAULT_FROM_EMAIL = "Acme Service client <service@acme.example>"
        settings.REPLY_ADDRESS = "reponses@acme.example"
        yield server


@pytest.fixture
def case(tenant: Tenant) -> Case:
    return make_case(tenant.organisation, status=CaseStatus.IN_PROGRESS, assignee=tenant.agent.user)


def open_thread(case: Case, tenant: Tenant) -> PrivateThread:
    return do_open_email_thread(
        case, address="mira@client.example", subject="Votre commande", actor=tenant.agent.user
    )


def customer_answer(thread: PrivateThread, *, message_id: str | None = None, via: str = "token") -> bytes:
    last = thread.messages.order_by("-pk").first()
    answer = EmailMessage()
    answer["From"] = "Mira <mira@client.example>"
    answer["To"] = f"reponses+{thread.token}@acme.example" if via == "token" else "reponses@acme.example"
    answer["Subject"] = "Re: Votre commande"
    answer["Message-ID"] = message_id or make_msgid(domain="client.example")
    if last is not None and via in ("token", "headers"):
        answer["In-Reply-To"] = last.message_id
        answer["References"] = last.message_id
    answer.set_content("Bonjour, le colis est arrivé abîmé.\nMira")
    return bytes(answer)


def signed(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verbs(case: Case) -> list[str]:
    return [e.verb for e in audit_events_for(case.organisation, "inbox.case", str(case.pk))]


# --- outgoing e-mail ------------------------------------------------------------------------------


def test_emails_of_a_thread_are_threaded_and_carry_the_reply_address(
    tenant: Tenant, case: Case, smtp: SmtpServer
) -> None:
    thread = open_thread(case, tenant)
    first = do_send_email(
        thread, "Bonjour Mira, pouvez-vous nous donner votre numéro de commande ?", actor=tenant.agent.user
    )
    run_pending()
    second = do_send_email(thread, "Merci, nous renvoyons le colis.", actor=tenant.agent.user)
    run_pending()

    assert len(smtp.received) == 2
    one, two = (r.message for r in smtp.received)
    assert smtp.received[0].rcpt_tos == ["mira@client.example"]
    assert one["Message-ID"] == first.message_id
    assert one["Reply-To"] == f"reponses+{thread.token}@acme.example"
    assert f"[#{thread.token}]" in one["Subject"]
    assert case.reference in one["Subject"]
    assert "In-Reply-To" not in one
    assert two["Message-ID"] == second.message_id
    assert two["In-Reply-To"] == first.message_id
    assert two["References"] == first.message_id
    assert "numéro de commande" in one.get_content()
    first.refresh_from_db()
    assert first.state == MessageState.SENT
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_CUSTOMER
    assert "case.private_email_sent" in verbs(case)
    # The address is personal data: the audit log records the thread, not the address.
    assert all(
        "mira@client.example" not in json.dumps(e.data)
        for e in audit_events_for(case.organisation, "inbox.case", str(case.pk))
    )


def test_a_message_is_sent_once_even_when_its_job_runs_twice(
    tenant: Tenant, case: Case, smtp: SmtpServer
) -> None:
    from vigie.core.jobs import run_now

    message = do_send_email(open_thread(case, tenant), "Bonjour", actor=tenant.agent.user)
    run_pending()
    run_now("inbox.send_private_email", {"message_pk": message.pk})
    assert len(smtp.received) == 1


def test_a_server_that_defers_the_message_gets_it_on_a_later_attempt(
    tenant: Tenant, case: Case, smtp: SmtpServer
) -> None:
    smtp.refuse_next = 1
    message = do_send_email(open_thread(case, tenant), "Bonjour", actor=tenant.agent.user)
    run_pending()
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED
    assert "451" in message.error
    Job.objects.filter(status=JobStatus.QUEUED).update(run_after=message.created_at)
    run_pending()
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert len(smtp.received) == 1


def test_an_email_reply_goes_through_the_outbox_into_the_thread(
    tenant: Tenant, case: Case, smtp: SmtpServer
) -> None:
    open_thread(case, tenant)
    reply = make_reply(
        case, author=tenant.agent.user, channel=ReplyChannel.EMAIL, status=ReplyStatus.APPROVED
    )
    publication = do_queue_publication(reply, actor=tenant.agent.user)
    assert do_queue_publication(reply, actor=tenant.agent.user).pk == publication.pk
    run_pending()
    assert len(smtp.received) == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    assert Publication.objects.get(reply=reply).state == PublicationState.PUBLISHED


def test_a_refused_email_reply_is_retried_by_email_never_on_the_platform(
    tenant: Tenant, case: Case, smtp: SmtpServer
) -> None:
    from vigie.inbox.outbox.publishing import do_retry_publication

    open_thread(case, tenant)
    smtp.unknown_recipients.add("mira@client.example")
    reply = make_reply(
        case, author=tenant.agent.user, channel=ReplyChannel.EMAIL, status=ReplyStatus.APPROVED
    )
    do_queue_publication(reply, actor=tenant.agent.user)
    run_pending()
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED
    assert "No such user" in reply.error
    assert Publication.objects.get(reply=reply).state == PublicationState.FAILED

    smtp.unknown_recipients.clear()  # the address was fixed on the server side
    do_retry_publication(reply, actor=tenant.agent.user)
    run_pending()
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.PUBLISHED
    assert len(smtp.received) == 1
    assert PrivateMessage.objects.filter(reply=reply).count() == 1  # the same message, sent once


def test_an_email_reply_without_a_thread_is_refused(tenant: Tenant, case: Case) -> None:
    reply = make_reply(
        case, author=tenant.agent.user, channel=ReplyChannel.EMAIL, status=ReplyStatus.APPROVED
    )
    with pytest.raises(ValidationError):
        do_queue_publication(reply, actor=tenant.agent.user)
    assert not Publication.objects.filter(reply=reply).exists()


def test_a_bad_address_opens_no_thread(tenant: Tenant, case: Case) -> None:
    with pytest.raises(ValidationError):
        do_open_email_thread(case, address="pas-une-adresse", subject="x", actor=tenant.agent.user)
    assert not PrivateThread.objects.exists()


# --- inbound webhook --------------------------------------------------------------------------------


@pytest.fixture
def webhook_secret(settings: Any) -> str:
    settings.INBOUND_EMAIL_SECRET = SECRET
    settings.REPLY_ADDRESS = "reponses@acme.example"
    return SECRET


def post_raw(body: bytes, signature: str | None = None, content_type: str = "message/rfc822") -> Any:
    headers = {"X-Vigie-Signature": signature if signature is not None else signed(body)}
    return Client().post(WEBHOOK, data=body, content_type=content_type, headers=headers)


def test_a_customers_answer_posted_to_the_webhook_lands_in_its_case_once(
    tenant: Tenant, case: Case, webhook_secret: str
) -> None:
    thread = open_thread(case, tenant)
    do_send_email(thread, "Bonjour", actor=tenant.agent.user)
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_CUSTOMER
    raw = customer_answer(thread)

    first = post_raw(raw)
    again = post_raw(raw)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    inbound = PrivateMessage.objects.get(direction=MessageDirection.INBOUND)
    assert inbound.thread == thread
    assert inbound.body.startswith("Bonjour, le colis est arrivé abîmé.")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS  # back to the agent
    assert (
        Notification.objects.filter(recipient=tenant.agent.user, event="case.private_email_received").count()
        == 1
    )


def test_an_answer_on_a_resolved_case_reopens_it(tenant: Tenant, case: Case, webhook_secret: str) -> None:
    from vigie.inbox.actions import do_set_case_status

    thread = open_thread(case, tenant)
    do_send_email(thread, "Bonjour", actor=tenant.agent.user)
    do_set_case_status(case, CaseStatus.RESOLVED, actor=tenant.agent.user)
    assert post_raw(customer_answer(thread)).status_code == 201
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.resolved_at is None


def test_the_sweeper_resends_a_queued_email_whose_job_was_lost(
    tenant: Tenant, case: Case, smtp: SmtpServer
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from vigie.inbox.outbox.private import SEND_LEASE, sweep_private_emails

    message = do_send_email(open_thread(case, tenant), "Bonjour", actor=tenant.agent.user)
    Job.objects.all().delete()
    assert sweep_private_emails(now=timezone.now() + SEND_LEASE + timedelta(minutes=1)) == 1
    run_pending()
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert len(smtp.received) == 1


def test_the_answer_is_found_by_its_headers_when_the_address_lost_its_token(
    tenant: Tenant, case: Case, webhook_secret: str
) -> None:
    thread = open_thread(case, tenant)
    do_send_email(thread, "Bonjour", actor=tenant.agent.user)
    assert post_raw(customer_answer(thread, via="headers")).status_code == 201
    assert PrivateMessage.objects.filter(thread=thread, direction=MessageDirection.INBOUND).count() == 1


def test_a_bad_signature_is_refused_and_nothing_is_stored(
    tenant: Tenant, case: Case, webhook_secret: str
) -> None:
    raw = customer_answer(open_thread(case, tenant))
    assert post_raw(raw, signature=signed(raw, "wrong")).status_code == 401
    assert post_raw(raw, signature="").status_code == 401
    assert not PrivateMessage.objects.filter(direction=MessageDirection.INBOUND).exists()


def test_the_webhook_is_off_without_a_secret(tenant: Tenant, case: Case, settings: Any) -> None:
    settings.INBOUND_EMAIL_SECRET = ""
    raw = customer_answer(open_thread(case, tenant))
    assert post_raw(raw).status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "message/rfc822"),
        (b"just some words, no headers at all", "message/rfc822"),
        (b"{not json", "application/json"),
        (json.dumps({"from": "nobody", "text": "x", "message_id": "<a@b>"}).encode(), "application/json"),
    ],
)
def test_an_unreadable_body_gets_a_clear_400(
    tenant: Tenant, case: Case, webhook_secret: str, body: bytes, content_type: str
) -> None:
    open_thread(case, tenant)
    response = post_raw(body, content_type=content_type)
    assert response.status_code == 400
    assert "unreadable message" in response.json()["error"]
    assert not PrivateMessage.objects.exists()


def test_a_message_for_no_known_conversation_is_refused_not_dropped(
    tenant: Tenant, case: Case, webhook_secret: str
) -> None:
    thread = open_thread(case, tenant)
    response = post_raw(customer_answer(thread, via="none"))
    assert response.status_code == 422  # the provider keeps it or bounces it
    assert not PrivateMessage.objects.exists()


def test_the_json_form_of_the_webhook_is_accepted(tenant: Tenant, case: Case, webhook_secret: str) -> None:
    thread = open_thread(case, tenant)
    body = json.dumps(
        {
            "from": "mira@client.example",
            "to": [f"reponses+{thread.token}@acme.example"],
            "subject": "Re",
            "text": "Toujours rien reçu.",
            "message_id": "<abc@client.example>",
        }
    ).encode()
    assert post_raw(body, content_type="application/json").status_code == 201
    assert post_raw(body, content_type="application/json").status_code == 200
    assert PrivateMessage.objects.get(thread=thread).body == "Toujours rien reçu."


# --- IMAP polling ---------------------------------------------------------------------------------


@pytest.fixture
def imap(settings: Any) -> Iterator[ImapServer]:
    with ImapServer() as server:
        settings.IMAP_HOST = "127.0.0.1"
        settings.IMAP_PORT = server.port
        settings.IMAP_SSL = False
        settings.IMAP_USER = server.user
        settings.IMAP_PASSWORD = server.password
        settings.IMAP_FOLDER = "INBOX"
        settings.REPLY_ADDRESS = "reponses@acme.example"
        yield server


def test_polling_the_mailbox_brings_answers_into_their_cases_once(
    tenant: Tenant, case: Case, imap: ImapServer
) -> None:
    thread = open_thread(case, tenant)
    do_send_email(thread, "Bonjour", actor=tenant.agent.user)
    answer = customer_answer(thread)
    matched = imap.deliver(answer)
    stranger = imap.deliver(customer_answer(thread, via="none"))
    garbage = imap.deliver(b"no headers here")
    duplicate = imap.deliver(answer)

    report = poll_imap()
    assert (report.stored, report.duplicates, report.unmatched, report.unreadable) == (1, 1, 1, 1)
    assert PrivateMessage.objects.filter(thread=thread, direction=MessageDirection.INBOUND).count() == 1
    assert "\\Seen" in imap.flags(matched)
    assert "\\Seen" in imap.flags(duplicate)
    # Unmatched and unreadable mail stays unread in the mailbox, flagged for a person.
    assert imap.flags(stranger) == {"\\Flagged"}
    assert imap.flags(garbage) == {"\\Flagged"}
    assert poll_imap().stored == 0  # nothing new the second time
    assert "case.private_email_received" in verbs(case)


def test_polling_does_nothing_without_a_mailbox(settings: Any) -> None:
    settings.IMAP_HOST = ""
    assert poll_imap().stored == 0


# --- phone and tickets --------------------------------------------------------------------------------


def test_a_callback_keeps_the_number_out_of_the_audit_log(tenant: Tenant, case: Case) -> None:
    callback = do_log_callback(
        case,
        phone="+33 6 12 34 56 78",
        outcome="reached",
        notes="Geste commercial accepté",
        actor=tenant.agent.user,
    )
    assert CallbackLog.objects.get().phone == "+33 6 12 34 56 78"
    events = audit_events_for(case.organisation, "inbox.case", str(case.pk))
    assert events.get(verb="case.callback_logged").data == {"callback": callback.pk, "outcome": "reached"}
    with pytest.raises(ValidationError):
        do_log_callback(case, phone="appelez-moi", outcome="reached", actor=tenant.agent.user)
    with pytest.raises(ValidationError):
        do_log_callback(case, phone="0612345678", outcome="maybe", actor=tenant.agent.user)
    assert CallbackLog.objects.count() == 1


def test_an_external_ticket_is_linked_once_and_only_with_a_web_link(tenant: Tenant, case: Case) -> None:
    do_link_external_ticket(
        case, reference="ZD-4512", url="https://acme.zendesk.com/agent/tickets/4512", actor=None
    )
    with pytest.raises(ValidationError):
        do_link_external_ticket(case, reference="ZD-4512", actor=None)
    with pytest.raises(ValidationError):
        do_link_external_ticket(case, reference="ZD-9", url="javascript:alert(1)", actor=None)
    assert case.external_tickets.count() == 1


# --- reading inbound messages ---------------------------------------------------------------------


def test_an_html_only_message_in_latin_1_is_read_as_plain_text() -> None:
    from vigie.inbox.outbox.private import parse_email

    raw = (
        b"From: =?iso-8859-1?q?H=E9l=E8ne?= <helene@client.example>\r\n"
        b"To: reponses+0123456789abcdef@acme.example\r\n"
        b"Subject: =?iso-8859-1?q?R=E9ponse?=\r\n"
        b"Message-ID: <m1@client.example>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"<p>Le colis est arriv=E9 <b>ab=EEm=E9</b> &amp; ouvert.</p>\r\n"
    )
    inbound = parse_email(raw)
    assert inbound.sender == "helene@client.example"
    assert inbound.subject == "Réponse"
    assert inbound.body == "Le colis est arrivé abîmé & ouvert."
    assert inbound.recipients == ("reponses+0123456789abcdef@acme.example",)


def test_a_message_without_message_id_gets_the_same_id_each_time() -> None:
    from vigie.inbox.outbox.private import parse_email

    raw = b"From: a@client.example\r\nSubject: x\r\n\r\nBonjour\r\n"
    assert parse_email(raw).message_id == parse_email(raw).message_id
    assert parse_email(raw).message_id != parse_email(raw + b"!").message_id


def test_customer_text_is_escaped_in_the_private_channel(
    tenant: Tenant, case: Case, webhook_secret: str, login: Any
) -> None:
    thread = open_thread(case, tenant)
    answer = EmailMessage()
    answer["From"] = "mira@client.example"
    answer["To"] = f"reponses+{thread.token}@acme.example"
    answer["Subject"] = "<img src=x onerror=alert(1)>"
    answer["Message-ID"] = "<x1@client.example>"
    answer.set_content("<script>alert('vol de session')</script>")
    assert post_raw(bytes(answer)).status_code == 201
    page = login(tenant.viewer).get(reverse("case_private", args=[case.pk])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
