"""The case page's work: notes with @mentions, author flags, the reply composer, approval."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from vigie.charter.actions import do_update_charter
from vigie.charter.queries import current_charter
from vigie.conftest import Tenant
from vigie.core.models import AuditEvent, Membership, Notification
from vigie.inbox.actions import (
    ReplyRefused,
    approval_reasons,
    do_add_note,
    do_approve_reply,
    do_create_reply,
    do_send_back_reply,
    do_submit_reply,
    gate_findings,
    template_edit_ratio,
)
from vigie.inbox.handling import do_close_case
from vigie.inbox.models import Case, CaseStatus, Note, Publication, Reply, ReplyStatus, Template
from vigie.inbox.queries import case_timeline
from vigie.inbox.tests.factories import make_case
from vigie.mentions.models import Author
from vigie.mentions.tests.factories import make_mention

Login = Callable[[Membership], Client]

# A reply the gate passes for an unhappy customer: apology, next step, private channel offered.
CLEAN = (
    "Bonjour, merci pour votre retour et toutes nos excuses pour l'attente. Nous allons revoir "
    "l'organisation de l'accueil. Contactez-nous en message privé pour en parler. Cordialement, l'équipe"
)
PHONE = CLEAN.replace("pour en parler", "pour en parler, au 06 12 34 56 78")


def low_rated_case(tenant: Tenant) -> Case:
    org = tenant.organisation
    return make_case(org, make_mention(org, rating=1, text="Attente interminable", language="fr"))


def template(tenant: Tenant, body: str = CLEAN, *, pre_approved: bool = True) -> Template:
    return Template.objects.create(
        organisation=tenant.organisation,
        name="Excuses attente",
        category="apology",
        body=body,
        pre_approved=pre_approved,
    )


# --- Access --------------------------------------------------------------------------------------


ROUTES_FOR_AGENTS = ["case_add_note", "case_author_flags", "case_reply", "case_reply_check"]


@pytest.mark.parametrize("name", ROUTES_FOR_AGENTS)
def test_a_viewer_cannot_write_on_a_case(tenant: Tenant, login: Login, name: str) -> None:
    case = make_case(tenant.organisation)
    response = login(tenant.viewer).post(reverse(name, args=[case.pk]), {"body": "x", "intent": "save"})
    assert response.status_code == 403
    assert not Note.objects.exists()
    assert not Reply.objects.exists()


@pytest.mark.parametrize("name", ROUTES_FOR_AGENTS)
def test_another_organisations_case_is_not_found_for_writes(
    tenant: Tenant, other_tenant: Tenant, login: Login, name: str
) -> None:
    theirs = make_case(other_tenant.organisation)
    response = login(tenant.admin).post(reverse(name, args=[theirs.pk]), {"body": "x", "intent": "save"})
    assert response.status_code == 404


def test_the_template_route_checks_role_and_organisation(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    case = make_case(tenant.organisation)
    url = reverse("case_reply_template", args=[case.pk])
    assert login(tenant.viewer).get(url).status_code == 403
    assert login(other_tenant.admin).get(url).status_code == 404
    assert login(tenant.agent).get(url).status_code == 200


@pytest.mark.parametrize("name", ["reply_approve", "reply_send_back"])
def test_only_supervisors_approve_and_never_across_organisations(
    tenant: Tenant, other_tenant: Tenant, login: Login, name: str
) -> None:
    case = low_rated_case(tenant)
    reply = do_create_reply(case, CLEAN, author=tenant.agent.user)
    do_submit_reply(reply, actor=tenant.agent.user)
    url = reverse(name, args=[reply.pk])
    assert login(tenant.agent).post(url, {"comment": "non"}).status_code == 403
    assert login(tenant.viewer).post(url, {"comment": "non"}).status_code == 403
    assert login(other_tenant.admin).post(url, {"comment": "non"}).status_code == 404
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_APPROVAL


def test_a_viewer_reads_the_case_without_any_form(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    do_add_note(case, "Client fidèle", author=tenant.agent.user)
    page = login(tenant.viewer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Client fidèle" in page
    assert 'id="reply-form"' not in page
    assert reverse("case_add_note", args=[case.pk]) not in page


# --- Notes ---------------------------------------------------------------------------------------


def test_a_note_mentioning_a_colleague_notifies_them(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    response = login(tenant.agent).post(
        reverse("case_add_note", args=[case.pk]), {"body": "@manager@acme.example peux-tu regarder ?"}
    )
    assert response.status_code == 302
    [notification] = Notification.objects.filter(recipient=tenant.manager.user)
    assert notification.event == "case.mentioned"
    assert notification.url == reverse("case_detail", args=[case.pk])
    assert not Notification.objects.filter(recipient=tenant.admin.user).exists()
    assert [e.verb for e in case_timeline(case)] == ["case.note_added"]


def test_a_mention_of_someone_outside_the_organisation_notifies_nobody(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    case = make_case(tenant.organisation)
    do_add_note(case, "@admin@other.example tu vois ?", author=tenant.agent.user)
    assert not Notification.objects.exists()


def test_an_empty_note_is_refused(tenant: Tenant) -> None:
    with pytest.raises(ValidationError):
        do_add_note(make_case(tenant.organisation), "   ", author=tenant.agent.user)


def test_note_text_is_escaped_on_the_page(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    do_add_note(case, "<script>alert(1)</script>", author=tenant.agent.user)
    page = login(tenant.viewer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


# --- Author flags --------------------------------------------------------------------------------


def test_an_agent_flags_the_author_and_the_timeline_says_so(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    response = login(tenant.agent).post(
        reverse("case_author_flags", args=[case.pk]), {"flags": ["customer", "influencer"]}
    )
    assert response.status_code == 302
    assert Author.objects.get(pk=case.mention.author_id).flags == ["customer", "influencer"]
    page = login(tenant.viewer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Influenceur" in page
    assert "author.flags_changed" in [e.verb for e in case_timeline(case)]


def test_an_unknown_flag_is_refused(tenant: Tenant, login: Login) -> None:
    case = make_case(tenant.organisation)
    response = login(tenant.agent).post(reverse("case_author_flags", args=[case.pk]), {"flags": ["vip"]})
    assert response.status_code == 400
    assert Author.objects.get(pk=case.mention.author_id).flags == []


# --- The composer and the gate -------------------------------------------------------------------


def test_the_live_check_shows_a_blocking_finding_for_a_phone_number(tenant: Tenant, login: Login) -> None:
    case = low_rated_case(tenant)
    response = login(tenant.agent).post(reverse("case_reply_check", args=[case.pk]), {"body": PHONE})
    html = response.content.decode()
    assert 'data-blocked="true"' in html
    assert "numéro de téléphone" in html
    clean = login(tenant.agent).post(reverse("case_reply_check", args=[case.pk]), {"body": CLEAN})
    assert "data-blocked" not in clean.content.decode()


def test_a_blocked_reply_is_not_submitted(tenant: Tenant, login: Login) -> None:
    case = low_rated_case(tenant)
    response = login(tenant.agent).post(
        reverse("case_reply", args=[case.pk]), {"body": PHONE, "intent": "submit"}
    )
    assert response.status_code == 400
    reply = Reply.objects.get(case=case)
    assert reply.status == ReplyStatus.DRAFT
    assert "numéro de téléphone" in response.content.decode()


def test_a_warning_needs_a_confirmation_and_a_reason_which_are_logged(tenant: Tenant) -> None:
    case = low_rated_case(tenant)
    shouting = CLEAN.replace("Nous allons revoir", "NOUS ALLONS REVOIR")
    reply = do_create_reply(case, shouting, author=tenant.agent.user)
    with pytest.raises(ReplyRefused) as refused:
        do_submit_reply(reply, actor=tenant.agent.user)
    codes = sorted(f.code for f in refused.value.findings)
    assert codes
    assert all(f.severity == "warn" and not f.needs_approval for f in refused.value.findings)
    with pytest.raises(ReplyRefused):
        do_submit_reply(reply, actor=tenant.agent.user, overrides=codes)
    do_submit_reply(reply, actor=tenant.agent.user, overrides=codes, override_reason="Accord du manager")
    event = AuditEvent.objects.get(verb="reply.warnings_overridden")
    assert event.data["codes"] == codes
    assert event.data["reason"] == "Accord du manager"


def test_picking_a_template_fills_the_variables(tenant: Tenant, login: Login) -> None:
    case = low_rated_case(tenant)
    chosen = template(tenant, "Bonjour {{customer_name}}, merci. {{signature}}")
    response = login(tenant.agent).get(
        reverse("case_reply_template", args=[case.pk]), {"template": chosen.pk}
    )
    html = response.content.decode()
    first_name = case.mention.author.display_name.split()[0]
    assert f"Bonjour {first_name}, merci." in html
    assert "{{customer_name}}" not in html


def test_suggested_templates_come_first_in_the_composer(tenant: Tenant, login: Login) -> None:
    case = low_rated_case(tenant)
    Template.objects.create(organisation=tenant.organisation, name="A merci", category="thanks", body="Merci")
    suggested = template(tenant)
    Case.objects.filter(pk=case.pk).update(suggested_template_ids=[suggested.pk])
    response = login(tenant.agent).get(reverse("case_detail", args=[case.pk]))
    assert next(iter(response.context["reply_form"].templates)) == suggested.pk


# --- Approval ------------------------------------------------------------------------------------


def test_a_low_rating_sends_the_reply_to_approval_and_notifies_supervisors(
    tenant: Tenant, login: Login
) -> None:
    case = low_rated_case(tenant)
    response = login(tenant.agent).post(
        reverse("case_reply", args=[case.pk]), {"body": CLEAN, "intent": "submit"}
    )
    assert response.status_code == 302
    reply = Reply.objects.get(case=case)
    assert reply.status == ReplyStatus.AWAITING_APPROVAL
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPROVAL
    recipients = set(
        Notification.objects.filter(event="reply.approval_requested").values_list("recipient", flat=True)
    )
    assert recipients == {tenant.manager.user_id, tenant.admin.user_id}
    assert not Publication.objects.exists(), "nothing goes out before approval"
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "attend la validation" in page
    assert 'id="reply-form"' not in page, "no second reply while one waits"


def test_an_agents_refund_promise_waits_for_a_supervisor_instead_of_a_confirmation(
    tenant: Tenant, login: Login
) -> None:
    org = tenant.organisation
    case = make_case(org, make_mention(org, rating=4, text="Colis arrivé abîmé", language="fr"))
    promise = CLEAN.replace("Nous allons revoir", "Nous vous rembourserons et allons revoir")
    reply = do_create_reply(case, promise, author=tenant.agent.user)
    assert any(f.needs_approval for f in gate_findings(reply, tenant.agent))
    reasons = approval_reasons(reply, tenant.agent)
    assert any("rembours" in reason.lower() for reason in reasons), reasons
    do_submit_reply(reply, actor=tenant.agent.user)  # no override asked: a supervisor decides
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_APPROVAL
    assert not AuditEvent.objects.filter(verb="reply.warnings_overridden").exists()
    check = login(tenant.agent).post(reverse("case_reply_check", args=[case.pk]), {"body": promise})
    assert "À valider" in check.content.decode()


def test_a_supervisor_approves_and_the_reply_goes_to_the_outbox_once(tenant: Tenant, login: Login) -> None:
    case = low_rated_case(tenant)
    reply = do_create_reply(case, CLEAN, author=tenant.agent.user)
    do_submit_reply(reply, actor=tenant.agent.user)
    client = login(tenant.manager)
    assert client.post(reverse("reply_approve", args=[reply.pk])).status_code == 302
    client.post(reverse("reply_approve", args=[reply.pk]))
    reply.refresh_from_db()
    assert reply.status in (ReplyStatus.APPROVED, ReplyStatus.PUBLISHED)
    assert reply.approved_by == tenant.manager.user
    assert Publication.objects.filter(reply=reply).count() == 1
    assert Notification.objects.filter(recipient=tenant.agent.user, event="reply.approved").exists()
    verbs = [e.verb for e in case_timeline(case)]
    assert verbs.index("reply.submitted") < verbs.index("reply.approved")


def test_a_reply_of_a_case_closed_since_is_not_approved_behind_the_closers_back(
    tenant: Tenant, login: Login
) -> None:
    case = low_rated_case(tenant)
    reply = do_create_reply(case, CLEAN, author=tenant.agent.user)
    do_submit_reply(reply, actor=tenant.agent.user)
    do_close_case(case, "answered_elsewhere", actor=tenant.manager.user)
    client = login(tenant.manager)
    response = client.post(reverse("reply_approve", args=[reply.pk]), follow=True)
    assert (
        "Ce dossier a été clos depuis : rouvrez-le avant de valider sa réponse." in response.content.decode()
    )
    reply.refresh_from_db()
    case.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_APPROVAL
    assert case.status == CaseStatus.NO_ANSWER
    assert not Publication.objects.filter(reply=reply).exists()


def test_a_reply_sent_back_returns_to_its_author_with_the_comment(tenant: Tenant, login: Login) -> None:
    case = low_rated_case(tenant)
    reply = do_create_reply(case, CLEAN, author=tenant.agent.user)
    do_submit_reply(reply, actor=tenant.agent.user)
    response = login(tenant.manager).post(
        reverse("reply_send_back", args=[reply.pk]), {"comment": "Plus chaleureux"}
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT_BACK
    [notification] = Notification.objects.filter(recipient=tenant.agent.user, event="reply.sent_back")
    assert notification.body == "Plus chaleureux"
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Plus chaleureux" in page
    assert "Reprendre la réponse" in page


def test_sending_back_without_a_comment_is_refused(tenant: Tenant) -> None:
    case = low_rated_case(tenant)
    reply = do_create_reply(case, CLEAN, author=tenant.agent.user)
    do_submit_reply(reply, actor=tenant.agent.user)
    with pytest.raises(ValidationError):
        do_send_back_reply(reply, actor=tenant.manager.user, comment=" ")


def test_a_good_review_reply_goes_straight_to_publishing(tenant: Tenant) -> None:
    org = tenant.organisation
    case = make_case(org, make_mention(org, rating=5, text="Parfait", language="fr"))
    reply = do_create_reply(case, CLEAN, author=tenant.agent.user)
    do_submit_reply(reply, actor=tenant.agent.user)
    assert reply.status == ReplyStatus.APPROVED
    assert Publication.objects.filter(reply=reply).count() == 1


def test_routing_can_require_approval_whatever_the_rating(tenant: Tenant) -> None:
    org = tenant.organisation
    case = make_case(org, make_mention(org, rating=5, text="Parfait", language="fr"), approval_required=True)
    reply = do_create_reply(case, CLEAN, author=tenant.agent.user)
    assert approval_reasons(reply, tenant.agent)


def test_an_agent_cannot_approve_their_own_reply(tenant: Tenant) -> None:
    case = low_rated_case(tenant)
    reply = do_create_reply(case, CLEAN, author=tenant.agent.user)
    do_submit_reply(reply, actor=tenant.agent.user)
    with pytest.raises(ValidationError):
        do_approve_reply(reply, actor=tenant.agent.user)


def test_a_pre_approved_template_edited_beyond_the_charter_threshold_needs_approval(tenant: Tenant) -> None:
    org = tenant.organisation
    charter = current_charter(org)
    charter.approval.stars_at_most = None
    do_update_charter(org, charter, author=tenant.admin.user, comment="no star rule")
    case = make_case(org, make_mention(org, rating=5, text="Parfait", language="fr"))
    chosen = template(tenant)
    light = do_create_reply(
        case, CLEAN.replace("merci", "grand merci"), author=tenant.agent.user, template=chosen
    )
    assert approval_reasons(light, tenant.agent) == []
    heavy = do_create_reply(
        case, "Bonjour, toute autre chose écrite ici. À bientôt", author=tenant.agent.user, template=chosen
    )
    [reason] = approval_reasons(heavy, tenant.agent)
    assert "modèle pré-approuvé modifié" in reason


def test_edit_ratio_is_zero_untouched_and_grows_with_changes() -> None:
    assert template_edit_ratio("Bonjour Anne", "Bonjour Anne") == 0
    assert 0 < template_edit_ratio("Bonjour Anne", "Bonjour Anne !") < 0.2
    assert template_edit_ratio("Bonjour Anne", "Tout autre texte") > 0.5


def test_a_snippet_is_appended_to_what_is_written(tenant: Tenant, login: Login) -> None:
    case = low_rated_case(tenant)
    snippet = Template.objects.create(
        organisation=tenant.organisation,
        name="Horaires",
        category="information",
        body="Nous sommes ouverts de 9 h à 18 h.",
        is_snippet=True,
    )
    response = login(tenant.agent).get(
        reverse("case_reply_template", args=[case.pk]),
        {"template": snippet.pk, "mode": "append", "body": "Bonjour,"},
    )
    assert "Bonjour,\n\nNous sommes ouverts de 9 h à 18 h." in response.content.decode()
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk]))
    assert list(page.context["reply_form"].snippets) == [snippet.pk]
    assert snippet.pk not in page.context["reply_form"].templates


def test_the_timeline_tells_publishing_steps_in_words(tenant: Tenant, login: Login) -> None:
    from vigie.core.actions import do_record_audit_event

    case = low_rated_case(tenant)
    reply = do_create_reply(case, CLEAN, author=tenant.agent.user)
    # Publishing records its steps on the reply, not the case: the case page gathers both.
    do_record_audit_event(tenant.organisation, "reply.publication_failed", obj=reply, data={"case": case.pk})
    page = login(tenant.viewer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Brouillon de réponse commencé" in page
    assert "Échec de publication de la réponse" in page
