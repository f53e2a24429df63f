"""What the QA walk of the reply flow found: a pre-approved template used as is, the manual
publication's composer and status, the approval wording, errors of HTMX forms shown in place."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.actions import do_create_reply, do_submit_reply, gate_findings, join_reasons
from vigie.inbox.models import Case, CaseStatus, PublicationState, Reply, ReplyStatus, Template
from vigie.inbox.templating.render import render_template, template_context
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.tests.factories import make_mention, make_source

Login = Callable[[Membership], Client]

# The demo's pre-approved incident template: it explains and says what happens next, without
# the words of an apology.
INCIDENT = (
    "Bonjour {{customer_name}},\n\nDepuis la mise en service de notre nouvelle plateforme de gestion, "
    "une partie des remboursements a pris du retard. Nos équipes y travaillent jour et nuit et aucune "
    "demande n'est perdue : elles seront toutes traitées, par ordre d'arrivée. Si vous avez avancé des "
    "frais importants, écrivez-nous en privé avec la référence {{case_reference}} : nous pouvons "
    "déclencher un versement en urgence.\n\nL'équipe"
)


def incident_template(tenant: Tenant, *, pre_approved: bool = True) -> Template:
    return Template.objects.create(
        organisation=tenant.organisation,
        name="Incident — plateforme de remboursement",
        category="information",
        body=INCIDENT,
        pre_approved=pre_approved,
    )


def unhappy_case(tenant: Tenant, source: object | None = None) -> Case:
    org = tenant.organisation
    mention = make_mention(
        org,
        source=source,  # type: ignore[arg-type]
        rating=3,
        text="Toujours pas remboursé depuis un mois, c'est inadmissible.",
        language="fr",
        sentiment="negative",
    )
    return make_case(org, mention)


def rendered(template: Template, case: Case, member: Membership) -> str:
    return render_template(template.body, template_context(case, member)).text


def cases_answered_with(tenant: Tenant, template: Template) -> tuple[Case, Case]:
    """Two cases on one source: the first answered (published) with ``template`` as is."""
    source = make_source(tenant.organisation)
    earlier, case = unhappy_case(tenant, source), unhappy_case(tenant, source)
    make_reply(
        earlier,
        author=tenant.agent.user,
        body=rendered(template, earlier, tenant.agent),
        status=ReplyStatus.PUBLISHED,
        published_at=timezone.now(),
        template=template,
    )
    return earlier, case


# --- 1. The gate and a pre-approved template ---------------------------------------------------------


def test_a_pre_approved_template_used_as_is_is_neither_a_copy_nor_an_incomplete_answer(
    tenant: Tenant,
) -> None:
    template = incident_template(tenant)
    _, case = cases_answered_with(tenant, template)
    reply = do_create_reply(
        case, rendered(template, case, tenant.agent), author=tenant.agent.user, template=template
    )
    codes = {finding.code for finding in gate_findings(reply, tenant.agent)}
    assert "generic_reply" not in codes
    assert "incomplete_answer" not in codes
    # Nothing left to confirm: it goes out (or to approval, as the charter says) at once.
    do_submit_reply(reply, actor=tenant.agent.user)
    reply.refresh_from_db()
    assert reply.status != ReplyStatus.DRAFT


def test_the_same_text_without_a_pre_approved_template_is_still_warned(tenant: Tenant) -> None:
    template = incident_template(tenant, pre_approved=False)
    _, case = cases_answered_with(tenant, template)
    reply = do_create_reply(
        case, rendered(template, case, tenant.agent), author=tenant.agent.user, template=template
    )
    codes = {finding.code for finding in gate_findings(reply, tenant.agent)}
    assert {"generic_reply", "incomplete_answer"} <= codes


def test_a_pre_approved_template_rewritten_past_the_threshold_is_checked_like_any_reply(
    tenant: Tenant,
) -> None:
    template = incident_template(tenant)
    _, case = cases_answered_with(tenant, template)
    body = "Bonjour, votre dossier est en cours de traitement, il sera traité par ordre d'arrivée."
    reply = do_create_reply(case, body, author=tenant.agent.user, template=template)
    codes = {finding.code for finding in gate_findings(reply, tenant.agent)}
    assert "incomplete_answer" in codes


def test_a_recent_reply_copied_into_a_pre_approved_template_is_still_a_copy(tenant: Tenant) -> None:
    template = incident_template(tenant)
    source = make_source(tenant.organisation)
    earlier, case = unhappy_case(tenant, source), unhappy_case(tenant, source)
    copied = (
        "Nous avons bien reçu votre dossier de remboursement et notre service de gestion vous "
        "contactera directement dans la semaine pour régler la situation avec vous en détail."
    )
    make_reply(
        earlier,
        author=tenant.agent.user,
        body=copied,
        status=ReplyStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    body = f"{copied}\n\n{rendered(template, case, tenant.agent)}"
    reply = do_create_reply(case, body, author=tenant.agent.user, template=template)
    # The template's phrases do not count; the agent's own paragraph is compared, and is a copy.
    assert "generic_reply" in {f.code for f in gate_findings(reply, tenant.agent)}


def test_the_live_check_of_the_composer_credits_the_pre_approved_template(
    tenant: Tenant, login: Login
) -> None:
    template = incident_template(tenant)
    _, case = cases_answered_with(tenant, template)
    response = login(tenant.agent).post(
        reverse("case_reply_check", args=[case.pk]),
        {"body": rendered(template, case, tenant.agent), "template": template.pk, "channel": "public"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-code="generic_reply"' not in page
    assert 'data-code="incomplete_answer"' not in page


# --- 2. A reply to post by hand -----------------------------------------------------------------------

# Said so in the composer's place while the reply waits to be posted by hand.
AWAITS_HAND = "attend d'être publiée à la main"


def forum_case(tenant: Tenant) -> Case:
    org = tenant.organisation
    mention = make_mention(
        org, source=make_source(org, platform="forum"), text="Un avis sur le forum.", language="fr"
    )
    return make_case(org, mention)


def sent_by_hand(tenant: Tenant) -> tuple[Case, Reply]:
    """A forum case (no reply API) whose agent sent a clean reply: it waits to be posted by hand."""
    case = forum_case(tenant)
    reply = do_create_reply(case, GOOD, author=tenant.agent.user)
    do_submit_reply(reply, actor=tenant.agent.user)
    reply.refresh_from_db()
    return case, reply


GOOD = (
    "Bonjour, merci pour votre message. Nous transmettons votre remarque à l'agence concernée et "
    "revenons vers vous cette semaine. Cordialement, l'équipe"
)


def test_while_a_reply_waits_to_be_posted_by_hand_the_composer_says_so_and_the_case_is_in_progress(
    tenant: Tenant, login: Login
) -> None:
    case, reply = sent_by_hand(tenant)
    assert reply.publication.state == PublicationState.MANUAL
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert AWAITS_HAND in page
    assert 'id="reply-form"' not in page
    assert "J'ai publié la réponse à la main" in page
    # A viewer reads the case, without the line nor any button.
    seen = login(tenant.viewer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert AWAITS_HAND not in seen
    assert "J'ai publié la réponse à la main" not in seen


def test_once_posted_by_hand_the_conversation_links_to_it_and_the_composer_is_back(
    tenant: Tenant, login: Login
) -> None:
    case, reply = sent_by_hand(tenant)
    client = login(tenant.agent)
    link = "https://forum.example/t/42?a=1&b=<2>"
    response = client.post(
        reverse("reply_posted_by_hand", args=[case.pk, reply.pk]), {"url": link}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"  # the composer, status and conversation change too
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_CUSTOMER
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    conversation = page[page.index('id="conversation"') :]
    assert (
        '<a href="https://forum.example/t/42?a=1&amp;b=&lt;2&gt;" rel="noopener noreferrer external" '
        'target="_blank">Voir la réponse publiée</a>'
    ) in conversation
    assert "Publiée à la main" in conversation
    assert AWAITS_HAND not in page
    assert 'id="reply-form"' in page


def test_a_link_that_is_not_a_web_address_is_refused_beside_the_form_and_kept(
    tenant: Tenant, login: Login
) -> None:
    case, reply = sent_by_hand(tenant)
    client = login(tenant.agent)
    url = reverse("reply_posted_by_hand", args=[case.pk, reply.pk])
    response = client.post(url, {"url": "javascript:alert(1)"}, HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 400
    assert "Adresse web invalide." in fragment
    assert 'value="javascript:alert(1)"' in fragment
    # The message sits in the form it is about, not at the top of the card.
    form = fragment[fragment.index(f'action="{url}"') :]
    assert form.index("Adresse web invalide.") < form.index("</form>")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.APPROVED
    # Nothing reached the conversation.
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "javascript:alert" not in page


def test_a_viewer_cannot_confirm_a_reply_posted_by_hand(tenant: Tenant, login: Login) -> None:
    case, reply = sent_by_hand(tenant)
    response = login(tenant.viewer).post(
        reverse("reply_posted_by_hand", args=[case.pk, reply.pk]), {"url": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.APPROVED


# --- 3. Approval wording ----------------------------------------------------------------------------


def awaiting_approval(tenant: Tenant, *, scheme: bool = False) -> tuple[Case, Reply]:
    org = tenant.organisation
    mention = make_mention(org, rating=1, text="Attente interminable", language="fr")
    case = make_case(org, mention, approval_required=scheme)
    tenant.agent.user.first_name, tenant.agent.user.last_name = "Alice", "Martin"
    tenant.agent.user.save()
    tenant.manager.user.first_name, tenant.manager.user.last_name = "Marc", "Durand"
    tenant.manager.user.save()
    body = (
        "Bonjour, merci pour votre retour et toutes nos excuses pour l'attente. Nous allons revoir "
        "l'organisation de l'accueil. Contactez-nous en message privé pour en parler. Cordialement, l'équipe"
    )
    reply = do_create_reply(case, body, author=tenant.agent.user)
    do_submit_reply(reply, actor=tenant.agent.user, overrides=["generic_reply"], override_reason="x")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.AWAITING_APPROVAL
    return case, reply


AGENT_LINE = "Une réponse attend la validation d'un responsable : elle sera publiée ou vous reviendra"


def test_the_approver_is_asked_to_decide_and_the_author_is_told_what_happens(
    tenant: Tenant, login: Login
) -> None:
    case, reply = awaiting_approval(tenant)
    url = reverse("case_detail", args=[case.pk])
    manager_page = login(tenant.manager).get(url).content.decode()
    composer = manager_page[manager_page.index('id="composer"') :][:1500]
    assert "Réponse à valider, rédigée par Alice Martin" in composer
    assert reverse("reply_approve", args=[reply.pk]) in composer
    assert f'href="#approval-{reply.pk}"' in composer
    assert f'id="approval-{reply.pk}"' in manager_page
    assert AGENT_LINE not in manager_page
    agent_page = login(tenant.agent).get(url).content.decode()
    assert AGENT_LINE in agent_page
    assert reverse("reply_approve", args=[reply.pk]) not in agent_page
    # An approver's button from the line works (and the agent's post is refused).
    assert login(tenant.agent).post(reverse("reply_approve", args=[reply.pk])).status_code == 403
    login(tenant.manager).post(reverse("reply_approve", args=[reply.pk]))
    reply.refresh_from_db()
    assert reply.status not in (ReplyStatus.AWAITING_APPROVAL, ReplyStatus.DRAFT)


def test_the_agent_reads_who_sent_the_reply_back_by_name(tenant: Tenant, login: Login) -> None:
    case, reply = awaiting_approval(tenant)
    login(tenant.manager).post(reverse("reply_send_back", args=[reply.pk]), {"comment": "Plus court"})
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Renvoyée par Marc Durand" in page
    assert "Renvoyée par manager@" not in page


def test_the_history_joins_approval_reasons_as_each_language_writes_them(
    tenant: Tenant, login: Login
) -> None:
    case, _ = awaiting_approval(tenant, scheme=True)
    page = login(tenant.agent).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "validation pour ce dossier\u202f; avis de 2 étoiles ou moins" in page
    with translation.override("en"):
        assert join_reasons(["a", "b"]) == "a; b"
    with translation.override("fr"):
        assert join_reasons(["a", "b"]) == "a\u202f; b"


# --- 4. Errors of HTMX forms are shown beside the form, with what was typed -------------------------


def test_a_refused_private_email_comes_back_with_the_message_and_the_typed_text(
    tenant: Tenant, login: Login
) -> None:
    case = forum_case(tenant)
    response = login(tenant.agent).post(
        reverse("private_email_open", args=[case.pk]),
        {"address": "pas-une-adresse", "subject": "Votre dossier", "body": "Bonjour, voici la suite."},
        HTTP_HX_REQUEST="true",
    )
    fragment = response.content.decode()
    assert response.status_code == 400
    assert "<details open>" in fragment
    form = fragment[fragment.index(reverse("private_email_open", args=[case.pk])) :]
    form = form[: form.index("</form>")]
    assert 'role="alert"' in form
    assert 'value="pas-une-adresse"' in form
    assert 'value="Votre dossier"' in form
    assert "Bonjour, voici la suite.</textarea>" in form


def test_htmx_is_told_to_swap_refused_forms() -> None:
    from django.template.loader import render_to_string

    page = render_to_string("base.html", {})
    assert 'name="htmx-config"' in page
    assert '"code": "400|422", "swap": true, "error": false' in page
    assert "vigie/htmx-errors.js" in page
