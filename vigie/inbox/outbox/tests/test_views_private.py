"""Pages of the outbox and the private channel: access, roles, and what they show and do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.models import (
    CallbackLog,
    Case,
    ExternalTicket,
    MessageState,
    PrivateMessage,
    PrivateThread,
    Publication,
    PublicationState,
    Reply,
    ReplyStatus,
)
from vigie.inbox.outbox.private import do_open_email_thread, do_send_email
from vigie.inbox.outbox.publishing import do_queue_publication
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.tests.factories import make_mention, make_source

Login = Callable[[Membership], Client]


def manual_reply(tenant: Tenant, text: str = "Merci pour votre retour.") -> tuple[Case, Reply]:
    org = tenant.organisation
    mention = make_mention(org, source=make_source(org, platform="feed"), url="https://blog.example/billet")
    case = make_case(org, mention)
    reply = make_reply(case, author=tenant.agent.user, status=ReplyStatus.APPROVED, body=text)
    do_queue_publication(reply, actor=tenant.agent.user)
    return case, reply


def thread_of(case: Case) -> PrivateThread:
    return do_open_email_thread(case, address="client@example.org", subject="Suite", actor=None)


# Every POST route, with a body that would succeed for an allowed member.
POSTS: list[tuple[str, bool, dict[str, str]]] = [
    ("reply_retry", True, {}),
    ("reply_posted_by_hand", True, {"url": ""}),
    ("reply_check", True, {"found": "yes"}),
    ("reply_edit", True, {"body": "Nouveau"}),
    ("reply_delete", True, {}),
    ("private_email_open", False, {"address": "a@b.example", "subject": "s", "body": "Bonjour"}),
    ("private_callback", False, {"phone": "0612345678", "outcome": "reached"}),
    ("private_ticket", False, {"reference": "T-1"}),
]


def post_url(name: str, per_reply: bool, case: Case, reply: Reply) -> str:
    return reverse(name, args=[case.pk, reply.pk] if per_reply else [case.pk])


@pytest.mark.parametrize(("name", "per_reply", "data"), POSTS)
def test_a_viewer_cannot_act_on_the_outbox_or_the_private_channel(
    tenant: Tenant, login: Login, name: str, per_reply: bool, data: dict[str, str]
) -> None:
    case, reply = manual_reply(tenant)
    response = login(tenant.viewer).post(post_url(name, per_reply, case, reply), data)
    assert response.status_code == 403
    assert Publication.objects.get(reply=reply).state == PublicationState.MANUAL
    assert not PrivateThread.objects.exists()
    assert not CallbackLog.objects.exists()
    assert not ExternalTicket.objects.exists()


@pytest.mark.parametrize(("name", "per_reply", "data"), POSTS)
def test_another_organisations_case_is_not_found(
    tenant: Tenant, other_tenant: Tenant, login: Login, name: str, per_reply: bool, data: dict[str, str]
) -> None:
    case, reply = manual_reply(other_tenant)
    response = login(tenant.admin).post(post_url(name, per_reply, case, reply), data)
    assert response.status_code == 404
    assert Publication.objects.get(reply=reply).state == PublicationState.MANUAL
    assert not PrivateThread.objects.exists()


def test_a_reply_of_another_case_is_not_found_through_this_one(tenant: Tenant, login: Login) -> None:
    case, _ = manual_reply(tenant)
    _, other_reply = manual_reply(tenant)
    response = login(tenant.agent).post(reverse("reply_posted_by_hand", args=[case.pk, other_reply.pk]))
    assert response.status_code == 404
    assert Publication.objects.get(reply=other_reply).state == PublicationState.MANUAL


def test_sending_on_another_organisations_thread_is_not_found(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = make_case(other_tenant.organisation)
    thread = thread_of(theirs)
    ours = make_case(tenant.organisation)
    client = login(tenant.admin)
    assert (
        client.post(reverse("private_email_send", args=[theirs.pk, thread.pk]), {"body": "x"}).status_code
        == 404
    )
    assert (
        client.post(reverse("private_email_send", args=[ours.pk, thread.pk]), {"body": "x"}).status_code
        == 404
    )
    assert (
        login(other_tenant.viewer)
        .post(reverse("private_email_send", args=[theirs.pk, thread.pk]), {"body": "x"})
        .status_code
        == 403
    )
    assert not PrivateMessage.objects.exists()


def test_resending_an_email_needs_an_agent_of_the_same_organisation(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    case = make_case(tenant.organisation)
    message = do_send_email(thread_of(case), "Bonjour", actor=None)
    PrivateMessage.objects.filter(pk=message.pk).update(state=MessageState.FAILED, error="interrupted")
    url = reverse("private_email_resend", args=[case.pk, message.pk])
    assert login(tenant.viewer).post(url).status_code == 403
    assert login(other_tenant.admin).post(url).status_code == 404
    other_case = make_case(tenant.organisation)
    assert (
        login(tenant.agent)
        .post(reverse("private_email_resend", args=[other_case.pk, message.pk]))
        .status_code
        == 404
    )
    message.refresh_from_db()
    assert message.state == MessageState.FAILED

    page = login(tenant.agent).get(reverse("case_private", args=[case.pk])).content.decode()
    assert url in page
    assert login(tenant.agent).post(url).status_code == 302
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED
    assert (
        login(tenant.agent).post(url, headers={"HX-Request": "true"}).status_code == 400
    )  # not failed any more


@pytest.mark.parametrize("name", ["case_publication", "case_private"])
def test_fragments_are_readable_by_viewers_and_hidden_from_other_organisations(
    tenant: Tenant, other_tenant: Tenant, login: Login, name: str
) -> None:
    case, _ = manual_reply(tenant)
    assert login(tenant.viewer).get(reverse(name, args=[case.pk])).status_code == 200
    assert login(other_tenant.admin).get(reverse(name, args=[case.pk])).status_code == 404
    anonymous = Client().get(reverse(name, args=[case.pk]))
    assert anonymous.status_code == 302


def test_the_copy_and_open_fragment_escapes_the_reply_and_links_the_mention(
    tenant: Tenant, login: Login
) -> None:
    case, _ = manual_reply(tenant, text="<script>alert('x')</script> Merci")
    page = login(tenant.agent).get(reverse("case_publication", args=[case.pk])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
    assert 'data-open-url="https://blog.example/billet"' in page
    assert "J&#x27;ai publié la réponse à la main" in page or "J'ai publié la réponse à la main" in page
    viewer_page = login(tenant.viewer).get(reverse("case_publication", args=[case.pk])).content.decode()
    assert reverse("reply_posted_by_hand", args=[case.pk, case.replies.get().pk]) not in viewer_page


def test_an_agent_confirms_a_reply_posted_by_hand_through_htmx(tenant: Tenant, login: Login) -> None:
    case, reply = manual_reply(tenant)
    response = login(tenant.agent).post(
        reverse("reply_posted_by_hand", args=[case.pk, reply.pk]),
        {"url": "https://blog.example/billet#c1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Publiée à la main" in response.content.decode()
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.POSTED_BY_HAND
    case.refresh_from_db()
    assert case.first_response_at is not None


def test_a_script_link_is_refused_as_the_posted_url(tenant: Tenant, login: Login) -> None:
    case, reply = manual_reply(tenant)
    response = login(tenant.agent).post(
        reverse("reply_posted_by_hand", args=[case.pk, reply.pk]), {"url": "javascript:alert(1)"}
    )
    assert response.status_code == 302
    assert Publication.objects.get(reply=reply).state == PublicationState.MANUAL


def test_an_impossible_step_says_why(tenant: Tenant, login: Login) -> None:
    case, reply = manual_reply(tenant)
    response = login(tenant.agent).post(
        reverse("reply_delete", args=[case.pk, reply.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "Seule une réponse publiée par Vigie" in response.content.decode()


def test_the_private_channel_fragment_masks_the_phone_number_and_says_dms_are_unavailable(
    tenant: Tenant, login: Login
) -> None:
    case = make_case(tenant.organisation)
    client = login(tenant.agent)
    client.post(
        reverse("private_callback", args=[case.pk]), {"phone": "+33 6 12 34 56 78", "outcome": "voicemail"}
    )
    client.post(
        reverse("private_ticket", args=[case.pk]), {"reference": "ZD-1", "url": "https://help.example/1"}
    )
    page = client.get(reverse("case_private", args=[case.pk])).content.decode()
    assert "12 34 56" not in page
    assert "•• •• 78" in page
    assert (
        "ne permet pas d&#x27;envoyer de message privé" in page
        or "ne permet pas d'envoyer de message privé" in page
    )
    assert 'href="https://help.example/1"' in page


def test_an_agent_opens_an_email_thread_and_a_bad_address_is_explained(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    client = login(tenant.agent)
    bad: Any = client.post(
        reverse("private_email_open", args=[case.pk]),
        {"address": "nope", "subject": "s", "body": "b"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 400
    assert "Adresse e-mail invalide." in bad.content.decode()
    assert not PrivateThread.objects.exists()
    ok = client.post(
        reverse("private_email_open", args=[case.pk]),
        {"address": "client@example.org", "subject": "Votre commande", "body": "Bonjour"},
    )
    assert ok.status_code == 302
    thread = PrivateThread.objects.get(case=case)
    assert thread.messages.get().body == "Bonjour"


def published_on_mastodon(tenant: Tenant) -> tuple[Case, Reply]:
    """A reply already on Mastodon (set up in the database: the platform is never called here)."""
    org = tenant.organisation
    mention = make_mention(org, source=make_source(org, platform="mastodon"), kind="post")
    case = make_case(org, mention)
    reply = make_reply(case, author=tenant.agent.user, status=ReplyStatus.APPROVED, body="Merci, c'est noté.")
    do_queue_publication(reply, actor=tenant.agent.user)
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.PUBLISHED, external_id="1123")
    Publication.objects.filter(reply=reply).update(state=PublicationState.PUBLISHED)
    return case, reply


def test_a_refused_correction_keeps_the_text_and_shows_why_beside_it(tenant: Tenant, login: Login) -> None:
    case, reply = published_on_mastodon(tenant)
    tried = "<b>Rappelez</b> Julie au 06 12 34 56 78."
    response = login(tenant.agent).post(
        reverse("reply_edit", args=[case.pk, reply.pk]), {"body": tried}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "problème bloquant" in page
    assert 'data-code="personal_data' in page
    # The text tried stays in the form, escaped, so the agent corrects it instead of retyping.
    assert "&lt;b&gt;Rappelez&lt;/b&gt; Julie au 06 12 34 56 78." in page
    assert "<b>Rappelez" not in page
    assert "<details open>" in page
    reply.refresh_from_db()
    assert reply.body == "Merci, c'est noté."
    assert Publication.objects.get(reply=reply).state == PublicationState.PUBLISHED


def test_a_refused_correction_without_htmx_says_why_on_the_case_page(tenant: Tenant, login: Login) -> None:
    case, reply = published_on_mastodon(tenant)
    client = login(tenant.agent)
    response = client.post(
        reverse("reply_edit", args=[case.pk, reply.pk]), {"body": "Appelez le 06 12 34 56 78."}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "problème bloquant" in page
    reply.refresh_from_db()
    assert reply.body == "Merci, c'est noté."
