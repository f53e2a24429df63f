"""What an agent, a manager and a viewer rely on in their day at the inbox, found walking the demo:
each role is offered only what it may do and the server refuses the rest; the case's history names
people, not addresses."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.core.actions import do_record_audit_event
from vigie.core.models import Membership
from vigie.inbox.actions import do_assign_case
from vigie.inbox.models import Case, CaseStatus, Reply, ReplyStatus
from vigie.inbox.tests.factories import make_case, make_reply

Login = Callable[[Membership], Client]

# Every write of the case page (and of the queue) that needs the right to handle cases.
CASE_WRITES = [
    "case_assign",
    "case_status",
    "case_correct_analysis",
    "case_add_note",
    "case_author_flags",
    "case_moderate",
    "case_close",
    "case_reply",
    "case_reply_check",
    "private_email_open",
    "private_direct_message_send",
    "private_callback",
    "private_ticket",
]
REPLY_WRITES = ["reply_retry", "reply_posted_by_hand", "reply_check", "reply_edit", "reply_delete"]
APPROVALS = ["reply_approve", "reply_send_back"]


def _named(tenant: Tenant) -> None:
    for membership, first, last in (
        (tenant.agent, "Emma", "Girard"),
        (tenant.manager, "Marc", "Delorme"),
    ):
        membership.user.first_name, membership.user.last_name = first, last
        membership.user.save()


@pytest.mark.parametrize("name", CASE_WRITES)
def test_a_viewer_is_refused_every_write_of_the_case_page(tenant: Tenant, login: Login, name: str) -> None:
    case = make_case(tenant.organisation)
    client = login(tenant.viewer)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    url = reverse(name, args=[case.pk])
    assert f'action="{url}"' not in page
    assert f'hx-post="{url}"' not in page
    data = {"status": "resolved", "assignee": tenant.viewer.user_id, "body": "Bonjour", "intent": "submit"}
    data |= {"how": "resolved", "action": "spam", "flags": "customer", "type": "praise", "reference": "T-1"}
    assert client.post(url, data).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert case.assignee_id is None
    assert not Reply.objects.filter(case=case).exists()


@pytest.mark.parametrize("name", REPLY_WRITES)
def test_a_viewer_is_refused_every_step_of_publication(tenant: Tenant, login: Login, name: str) -> None:
    case = make_case(tenant.organisation, status=CaseStatus.IN_PROGRESS)
    reply = make_reply(case, author=tenant.agent.user, status=ReplyStatus.APPROVED)
    client = login(tenant.viewer)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    url = reverse(name, args=[case.pk, reply.pk])
    assert url not in page
    assert client.post(url, {"found": "yes", "body": "Autre texte"}).status_code == 403
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.APPROVED
    assert reply.published_at is None


@pytest.mark.parametrize("role", ["viewer", "agent"])
@pytest.mark.parametrize("name", APPROVALS)
def test_only_a_manager_is_offered_and_allowed_the_approval(
    tenant: Tenant, login: Login, role: str, name: str
) -> None:
    case = make_case(tenant.organisation, status=CaseStatus.AWAITING_APPROVAL)
    reply = make_reply(case, author=tenant.agent.user, status=ReplyStatus.AWAITING_APPROVAL)
    url = reverse(name, args=[reply.pk])
    client = login(tenant.member(role))
    assert url not in client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert client.post(url, {"comment": "Non."}).status_code == 403
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_APPROVAL
    assert url in login(tenant.manager).get(reverse("case_detail", args=[case.pk])).content.decode()


def test_a_viewer_is_offered_no_bulk_action_and_the_endpoint_refuses(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    client = login(tenant.viewer)
    assert reverse("inbox_bulk") not in client.get(reverse("inbox")).content.decode()
    response = client.post(reverse("inbox_bulk"), {"ids": [case.pk], "action": "close"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert reverse("inbox_bulk") in login(tenant.agent).get(reverse("inbox")).content.decode()


def test_the_history_names_whom_the_case_was_given_to_not_their_address(tenant: Tenant, login: Login) -> None:
    _named(tenant)
    case = make_case(tenant.organisation)
    do_assign_case(case, tenant.agent.user, actor=tenant.manager.user)
    do_assign_case(case, None, actor=tenant.manager.user)
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Attribué à Emma Girard" in page
    assert "Attribution retirée (était Emma Girard)" in page
    assert "agent@acme.example" not in page.split('id="conversation"')[1].split("</section>")[0]


def test_an_assignment_recorded_under_the_assignee_key_is_told_too(tenant: Tenant, login: Login) -> None:
    # The demo's generated history keys the assignee as "assignee": it read "Attribution retirée
    # (était —)" on a case that had just been given to someone.
    _named(tenant)
    case = make_case(tenant.organisation, assignee=tenant.agent.user)
    do_record_audit_event(
        tenant.organisation,
        "case.assigned",
        actor=tenant.manager.user,
        obj=case,
        data={"assignee": tenant.agent.user.email, "team": "Service client"},
    )
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Attribué à Emma Girard" in page
    assert "était —" not in page
    assert Case.objects.get(pk=case.pk).assignee_id == tenant.agent.user_id


def test_a_reply_suggested_from_a_colleagues_answer_is_signed_by_the_agent_writing(
    tenant: Tenant, login: Login
) -> None:
    # In the demo, Emma opened a one-star review and "Partir de cette réponse" gave her Julien's
    # answer to a similar case, still signed "Julien, Experts remboursements".
    from django.utils import timezone

    from vigie.core.actions import do_create_member
    from vigie.core.roles import Role
    from vigie.mentions.tests.factories import make_author, make_mention, make_source

    _named(tenant)
    org = tenant.organisation
    julien = do_create_member(
        org, "julien.petit@acme.example", Role.AGENT, first_name="Julien", last_name="Petit"
    )
    source = make_source(org, "trustpilot")
    text = "Remboursement bloqué depuis la migration, la pharmacie refuse ma carte"
    past = make_case(
        org,
        make_mention(
            org,
            source=source,
            author=make_author(org, platform="trustpilot", display_name="Camille M."),
            mention_type="complaint",
            themes=["remboursement"],
            text=text,
        ),
    )
    Reply.objects.create(
        organisation=org,
        case=past,
        author=julien.user,
        body=(
            "Bonjour Camille,\n\nNous sommes désolés pour ce délai. Julien vous rappelle demain : "
            f"écrivez-nous en privé avec la référence {past.reference}.\n\n"
            "Julien, Experts remboursements — Acme"
        ),
        status=ReplyStatus.PUBLISHED,
        approved_at=timezone.now(),
        published_at=timezone.now(),
    )
    case = make_case(
        org,
        make_mention(
            org,
            source=source,
            author=make_author(org, platform="trustpilot", display_name="Anaïs G."),
            mention_type="complaint",
            themes=["remboursement"],
            text=text + " depuis deux semaines",
        ),
    )
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert f"Réponse publiée au dossier {past.reference}" in page
    assert "Emma, Experts remboursements — Acme" in page
    assert "Julien, Experts remboursements" not in page
    # Only the closing line is the signature: a colleague named in the text stays named.
    assert "Julien vous rappelle demain" in page


def test_the_composer_says_before_sending_that_a_low_rating_needs_approval(
    tenant: Tenant, login: Login
) -> None:
    # The agent clicked "Envoyer" on a one-star review and only then read "Réponse envoyée pour
    # validation": the charter's rule was nowhere on the page before.
    from vigie.mentions.tests.factories import make_mention

    org = tenant.organisation
    low = make_case(org, make_mention(org, rating=1, text="Service déplorable"))
    high = make_case(org, make_mention(org, rating=5, text="Très bon accueil"))
    page = login(tenant.agent).get(reverse("case_detail", args=[low.pk])).content.decode()
    assert 'id="approval-notice"' in page
    assert "avis de 2 étoiles ou moins" in page
    assert (
        'id="approval-notice"'
        not in login(tenant.agent).get(reverse("case_detail", args=[high.pk])).content.decode()
    )
    # A manager's reply goes out without approval: no notice for them.
    assert (
        'id="approval-notice"'
        not in login(tenant.manager).get(reverse("case_detail", args=[low.pk])).content.decode()
    )
    response = login(tenant.agent).post(
        reverse("case_reply", args=[low.pk]),
        {
            "body": "Bonjour, nous sommes désolés pour cet accueil. Écrivez-nous en privé, nous regardons.",
            "intent": "submit",
        },
    )
    assert response.status_code == 302
    assert Reply.objects.get(case=low).status == ReplyStatus.AWAITING_APPROVAL


def test_the_history_shows_the_original_post_and_later_comments_in_full(tenant: Tenant, login: Login) -> None:
    # The original post read only its title ("Plateforme en panne"), and a customer's follow-up of
    # more than 400 characters was cut with "…" and no way to read the rest.
    from vigie.mentions.tests.factories import make_mention, make_source

    org = tenant.organisation
    source = make_source(org, "reddit")
    post = make_mention(
        org,
        source=source,
        title="Plateforme en panne",
        text="Mes remboursements de kiné sont bloqués depuis le 20 novembre.",
    )
    comment = make_mention(org, source=source, parent=post, text="Même chose pour moi, trois relances.")
    follow_up = "Je précise : " + "j'ai appelé, écrit, relancé, sans réponse. " * 12 + "FIN DU MESSAGE."
    make_mention(org, source=source, parent=post, text=follow_up)
    case = make_case(org, comment)
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    history = page.split('id="conversation"')[1]
    assert "Plateforme en panne" in history
    assert "Mes remboursements de kiné sont bloqués depuis le 20 novembre." in history
    assert "FIN DU MESSAGE." in history


def test_a_reply_posted_by_hand_says_on_the_case_who_posted_it_and_when(tenant: Tenant, login: Login) -> None:
    # On a platform without a reply API (a feed), the manual path is on the case page; once
    # confirmed, the publication card said only "Publiée à la main".
    from django.utils import formats, timezone

    from vigie.inbox.models import Publication, PublicationState
    from vigie.inbox.outbox.publishing import do_queue_publication
    from vigie.mentions.tests.factories import make_mention, make_source

    _named(tenant)
    org = tenant.organisation
    case = make_case(org, make_mention(org, source=make_source(org, platform="feed")))
    reply = make_reply(case, author=tenant.agent.user, status=ReplyStatus.APPROVED)
    do_queue_publication(reply, actor=tenant.agent.user)
    agent = login(tenant.agent)
    url = reverse("reply_posted_by_hand", args=[case.pk, reply.pk])
    assert f'action="{url}"' in agent.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert agent.post(url, {"url": ""}).status_code in (200, 302)
    # Clicked twice (or resubmitted after "back"): refused, still one publication.
    agent.post(url, {"url": ""})
    assert Publication.objects.filter(reply=reply).count() == 1
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.POSTED_BY_HAND
    assert Publication.objects.get(reply=reply).state == PublicationState.POSTED_BY_HAND
    card = login(tenant.viewer).get(reverse("case_detail", args=[case.pk])).content.decode()
    card = card.split('id="publication-status"')[1].split("</section>")[0]
    assert reply.published_at is not None
    when = formats.date_format(timezone.localtime(reply.published_at), "SHORT_DATETIME_FORMAT")
    assert "Publiée à la main" in card
    assert f"par Emma Girard, le {when}" in card


def test_the_bulk_result_counts_in_words(tenant: Tenant, login: Login, other_tenant: Tenant) -> None:
    # "2 réussi(s), 0 en échec." read like a form letter.
    org = tenant.organisation
    ours = [make_case(org), make_case(org)]
    theirs = make_case(other_tenant.organisation)
    client = login(tenant.agent)
    page = client.post(reverse("inbox_bulk"), {"ids": [c.pk for c in ours], "action": "assign_to_me"})
    assert "2 dossiers traités." in page.content.decode()
    page = client.post(reverse("inbox_bulk"), {"ids": [ours[0].pk, theirs.pk], "action": "close"})
    assert "1 dossier traité, 1 en échec." in page.content.decode()
    assert "réussi(s)" not in page.content.decode()


def test_going_back_and_sending_the_same_reply_again_does_not_publish_it_twice(
    tenant: Tenant, login: Login
) -> None:
    # In the demo: "Envoyer", then the browser's back button (Chromium restores the typed text
    # into a freshly loaded composer), then "Envoyer" again published the reply a second time.
    from vigie.inbox.models import Publication
    from vigie.inbox.queries import replies_version
    from vigie.mentions.tests.factories import make_mention, make_source

    org = tenant.organisation
    case = make_case(org, make_mention(org, source=make_source(org, platform="feed"), rating=5))
    body = "Bonjour, merci pour votre message : nous regardons votre dossier et revenons vers vous."
    agent = login(tenant.agent)
    form = {"body": body, "intent": "submit", "replies_version": replies_version(case)}
    assert agent.post(reverse("case_reply", args=[case.pk]), form).status_code == 302
    # The page reloaded by "back" carries the fresh version and the restored text.
    again = agent.post(
        reverse("case_reply", args=[case.pk]), form | {"replies_version": replies_version(case)}
    )
    assert again.status_code == 400
    assert "déjà été envoyée sur ce dossier" in again.content.decode()
    sent = Reply.objects.filter(case=case).exclude(status__in=[ReplyStatus.DRAFT, ReplyStatus.SENT_BACK])
    assert sent.count() == 1
    assert Publication.objects.filter(reply__case=case).count() == 1
    # Another text is another answer: it goes out.
    other = form | {
        "body": "Bonjour, votre dossier est réglé, merci de votre patience.",
        "replies_version": replies_version(case),
    }
    assert agent.post(reverse("case_reply", args=[case.pk]), other).status_code == 302
    assert Publication.objects.filter(reply__case=case).count() == 2
    # The composer does not let the browser refill a text already sent.
    page = agent.get(reverse("case_detail", args=[make_case(org).pk])).content.decode()
    assert 'id="reply-form" autocomplete="off"' in page


def test_the_search_triggers_survive_the_mention_tables_migrations(tenant: Tenant, login: Login) -> None:
    # mentions.0004 rebuilt the mention table on SQLite, which dropped the triggers keeping the
    # search index in sync: the demo's search for "remboursement" found nothing.
    from django.db import connection

    from vigie.mentions.tests.factories import make_mention

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            triggers = {row[0] for row in cursor.fetchall()}
        for table in ("inbox_mention_fts", "inbox_mention_fts_en"):
            assert {f"{table}_ai", f"{table}_ad", f"{table}_au"} <= triggers
    case = make_case(tenant.organisation, make_mention(tenant.organisation, text="Remboursement bloqué"))
    response = login(tenant.agent).get(reverse("inbox"), {"view": "all", "q": "remboursement"})
    assert [c.pk for c in response.context["page"].object_list] == [case.pk]


def test_a_reply_awaiting_approval_names_its_author_after_par_which_never_elides(
    tenant: Tenant, login: Login
) -> None:
    # "Réponse de Emma Girard à valider" (French writes "d'Emma") was read by the manager.
    _named(tenant)
    case = make_case(tenant.organisation, status=CaseStatus.AWAITING_APPROVAL)
    make_reply(case, author=tenant.agent.user, status=ReplyStatus.AWAITING_APPROVAL)
    url = reverse("case_detail", args=[case.pk])
    manager_page = login(tenant.manager).get(url).content.decode()
    assert "Réponse à valider, rédigée par Emma Girard" in manager_page
    # A colleague who may not approve reads who wrote it, in the same way.
    from vigie.core.actions import do_create_member
    from vigie.core.roles import Role

    colleague = do_create_member(tenant.organisation, "julien.petit@acme.example", Role.AGENT)
    colleague_page = login(colleague).get(url).content.decode()
    assert "La réponse rédigée par Emma Girard attend la validation d'un responsable." in colleague_page
    assert "de Emma" not in manager_page + colleague_page


def test_the_case_pages_menus_that_always_hold_a_choice_are_not_called_optional(
    tenant: Tenant, login: Login
) -> None:
    # « Attribuer à (facultatif) » above a menu whose « Personne » unassigns, « Canal (facultatif) »
    # above one that always says where the reply goes: nothing there is optional or not.
    import re

    case = make_case(tenant.organisation)
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    for field in ("id_assignee", "id_channel"):
        label = re.search(rf'<label for="{field}">(.*?)</label>', page, re.S)
        assert label is not None, field
        assert "facultatif" not in label.group(1)
    # The themes to correct and the author's qualification are groups of boxes, named by a legend.
    assert '<label for=""' not in page


def test_a_note_says_beside_the_note_box_whom_it_alerted_and_which_names_alerted_nobody(
    tenant: Tenant, login: Login
) -> None:
    # "@marc.delorme" mistyped was kept without a word: the agent thought the manager was told.
    _named(tenant)
    case = make_case(tenant.organisation)
    client = login(tenant.agent)
    manager = tenant.manager.user.email
    response = client.post(
        reverse("case_add_note", args=[case.pk]), {"body": f"Voir avec @{manager} et @marc.delormme, merci."}
    )
    assert response["Location"].endswith("#notes")
    page = client.get(response["Location"]).content.decode().replace("&#x27;", "'")
    notes = page[page.index('id="notes"') :]
    assert "Note ajoutée ; notification envoyée à Marc Delorme." in notes
    assert "Aucun membre actif ne répond à @marc.delormme : personne n'a été prévenu à ce nom." in notes
    assert "Note ajoutée" not in page[: page.index('id="notes"')], "not at the top, out of sight"

    response = client.post(reverse("case_add_note", args=[case.pk]), {"body": "Client rappelé."})
    page = client.get(response["Location"]).content.decode()
    notes = page[page.index('id="notes"') :]
    assert "Note ajoutée." in notes
    assert "Aucun membre actif" not in notes


def test_the_keyboard_help_offers_a_viewer_only_the_keys_that_work_for_them(
    tenant: Tenant, login: Login
) -> None:
    make_case(tenant.organisation)
    viewer = login(tenant.viewer).get(reverse("inbox")).content.decode()
    agent = login(tenant.agent).get(reverse("inbox")).content.decode()
    for key in ("a", "e", "x"):
        assert f"<kbd>{key}</kbd>" not in viewer
        assert f"<kbd>{key}</kbd>" in agent
    assert "<kbd>j</kbd>" in viewer
