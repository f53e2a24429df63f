"""Each notification is written in its recipient's language: theirs, else the organisation's.

A French organisation, one member who chose English and one who left the language blank: the
escalations, mentions in notes, SLA warnings and approval requests each reach them in their own
language, whatever language the job or the request that wrote them ran in."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import datetime

from django.test import Client
from django.urls import reverse

from vigie.analysis.models import AnalysisResult
from vigie.conftest import Tenant
from vigie.core.actions import do_add_team_member, do_create_team, do_notify
from vigie.core.models import AuditEvent, Membership, Notification, User
from vigie.inbox.models import Case
from vigie.inbox.routing.route import do_route_mention, do_route_mentions
from vigie.inbox.sla.watch import watch_slas
from vigie.inbox.tests.factories import make_case
from vigie.mentions.models import Mention, MentionType, Sentiment
from vigie.mentions.tests.factories import make_mention

Login = Callable[[Membership], Client]
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

CLEAN = (
    "Bonjour, merci pour votre retour et toutes nos excuses pour l'attente. Nous allons revoir "
    "l'organisation de l'accueil. Contactez-nous en message privé pour en parler. Cordialement, l'équipe"
)


def speaks(member: Membership, language: str) -> User:
    user = member.user
    user.language = language
    user.save(update_fields=["language"])
    return user


def title_of(user: User, event: str) -> str:
    return Notification.objects.get(recipient=user, event=event).title


def defamation(tenant: Tenant) -> Mention:
    """A mention as the analysis leaves it, which the default scheme escalates to the legal team."""
    org = tenant.organisation
    mention = make_mention(
        org,
        text="Le directeur Dupont est un escroc, il a détourné l'argent des clients !",
        mention_type=MentionType.COMPLAINT,
        sentiment=Sentiment.NEGATIVE,
        language="fr",
    )
    AnalysisResult.objects.create(
        organisation=org,
        mention=mention,
        analyzer="toxicity",
        version="1.0",
        result={"toxicity": {"toxic": True, "score": 0.9, "categories": ["accusation"], "legal_risk": True}},
    )
    return mention


def legal_team(tenant: Tenant) -> tuple[User, User]:
    """The legal team's supervisors: the manager (English) and the admin (language left blank)."""
    team = do_create_team(tenant.organisation, "Juridique")
    do_add_team_member(team, tenant.manager)
    do_add_team_member(team, tenant.admin)
    return speaks(tenant.manager, "en"), speaks(tenant.admin, "")


def test_an_escalation_by_a_rule_reaches_each_supervisor_in_their_language(tenant: Tenant) -> None:
    english, french = legal_team(tenant)
    case = do_route_mention(defamation(tenant))
    assert case is not None
    assert case.escalated_at is not None
    assert title_of(english, "case.escalated") == (
        f"Case {case.reference} escalated: rule “Menaces et diffamation possible”"
    )
    assert title_of(french, "case.escalated") == (
        f"Dossier {case.reference} escaladé : règle « Menaces et diffamation possible »"
    )
    # The case's history is the organisation's: in French.
    event = AuditEvent.objects.get(object_id=str(case.pk), verb="case.escalated")
    assert event.data["reason"] == "règle « Menaces et diffamation possible »"


def test_a_batch_escalation_reaches_each_supervisor_in_their_language(tenant: Tenant) -> None:
    english, french = legal_team(tenant)
    mention = defamation(tenant)
    assert do_route_mentions(tenant.organisation, [mention.pk]) == 1
    case = Case.objects.get(mention=mention)
    assert title_of(english, "case.escalated").startswith(f"Case {case.reference} escalated: rule “")
    assert title_of(french, "case.escalated").startswith(f"Dossier {case.reference} escaladé : règle « ")
    event = AuditEvent.objects.get(object_id=str(case.pk), verb="case.escalated")
    assert event.data["reason"] == "règle « Menaces et diffamation possible »"


def test_a_missed_deadline_and_a_near_one_are_told_in_each_persons_language(tenant: Tenant) -> None:
    org = tenant.organisation
    team = do_create_team(org, "Service client")
    for member in (tenant.agent, tenant.manager, tenant.admin):
        do_add_team_member(team, member)
    agent, manager, admin = speaks(tenant.agent, "en"), speaks(tenant.manager, ""), speaks(tenant.admin, "en")
    late = make_case(org, team=team, sla_due_at=datetime(2026, 3, 2, 9, tzinfo=PARIS))
    near = make_case(org, team=team, sla_due_at=datetime(2026, 3, 2, 12, tzinfo=PARIS))
    report = watch_slas(datetime(2026, 3, 2, 10, tzinfo=PARIS))
    assert (report.escalated, report.warned) == (1, 1)
    # The missed deadline: the team's supervisors.
    assert title_of(admin, "case.escalated") == (
        f"Case {late.reference} escalated: first-response deadline missed"
    )
    assert title_of(manager, "case.escalated") == (
        f"Dossier {late.reference} escaladé : délai de première réponse dépassé"
    )
    event = AuditEvent.objects.get(object_id=str(late.pk), verb="case.escalated")
    assert event.data["reason"] == "délai de première réponse dépassé"
    # The near one: whoever may answer in the team, the date in their language too.
    warned = title_of(agent, "case.sla_warning")
    assert warned.startswith(f"Case {near.reference}: deadline near (2 Mar"), warned
    warned = title_of(manager, "case.sla_warning")
    assert warned.startswith(f"Dossier {near.reference} : échéance proche (2 "), warned


def test_members_named_in_a_note_read_it_in_their_language(tenant: Tenant, login: Login) -> None:
    # The author works in English: the request runs in English, a French colleague still reads
    # French.
    speaks(tenant.agent, "en")
    manager, admin = speaks(tenant.manager, ""), speaks(tenant.admin, "en")
    case = make_case(tenant.organisation)
    response = login(tenant.agent).post(
        reverse("case_add_note", args=[case.pk]),
        {"body": "@manager@acme.example et @admin@acme.example : à voir ensemble"},
    )
    assert response.status_code == 302
    author = str(tenant.agent.user)
    assert title_of(manager, "case.mentioned") == f"{author} vous a mentionné sur le dossier {case.reference}"
    assert title_of(admin, "case.mentioned") == f"{author} mentioned you on case {case.reference}"


def test_a_reply_to_approve_is_asked_in_each_supervisors_language(tenant: Tenant, login: Login) -> None:
    manager, admin = speaks(tenant.manager, "en"), speaks(tenant.admin, "")
    org = tenant.organisation
    case = make_case(org, make_mention(org, rating=1, text="Attente interminable", language="fr"))
    response = login(tenant.agent).post(
        reverse("case_reply", args=[case.pk]), {"body": CLEAN, "intent": "submit"}
    )
    assert response.status_code == 302
    english = Notification.objects.get(recipient=manager, event="reply.approval_requested")
    french = Notification.objects.get(recipient=admin, event="reply.approval_requested")
    assert english.title == f"Reply to approve on case {case.reference}"
    assert french.title == f"Réponse à valider sur le dossier {case.reference}"
    assert "stars or fewer" in english.body, english.body
    assert "étoiles ou moins" in french.body, french.body


def test_do_notify_writes_a_lazy_text_or_a_function_in_the_recipients_language(tenant: Tenant) -> None:
    from django.utils.translation import gettext as _
    from django.utils.translation import gettext_lazy

    english, french = speaks(tenant.agent, "en"), speaks(tenant.viewer, "")
    for user in (english, french):
        do_notify(
            tenant.organisation,
            user,
            "test.lazy",
            gettext_lazy("Publication refusée"),
            body=lambda: _("Message privé du client"),
            data={"plain": "json"},
        )
    assert Notification.objects.get(recipient=english).title == "Publication refused"
    assert Notification.objects.get(recipient=english).body == "Private message from the customer"
    assert Notification.objects.get(recipient=french).title == "Publication refusée"
    assert Notification.objects.get(recipient=french).body == "Message privé du client"
