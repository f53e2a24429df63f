"""What the QA walk of the reply flow found: a pre-approved template used as is, the manual
publication's composer and status, the approval wording, errors of HTMX forms shown in place."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.actions import do_create_reply, do_submit_reply, gate_findings
from vigie.inbox.models import Case, ReplyStatus, Template
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
