"""The comment-handling scheme: default rules, first-match order, assignment, re-analysis, dry-run."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from vigie.analysis.models import AnalysisResult
from vigie.charter.actions import do_update_charter
from vigie.charter.document import ChannelPolicy, CharterDocument, SlaPolicy
from vigie.conftest import Tenant
from vigie.core.actions import do_add_team_member, do_create_member, do_create_team
from vigie.core.models import AuditEvent, Membership, Notification, Organisation, Team
from vigie.core.roles import Role
from vigie.inbox.actions import do_assign_case, do_set_case_status
from vigie.inbox.handling import Closing, do_close_case
from vigie.inbox.models import Case, CaseStatus, RoutingRule, Template
from vigie.inbox.routing.actions import (
    do_create_routing_rule,
    do_delete_routing_rule,
    do_move_routing_rule,
    do_seed_default_routing,
    do_set_member_availability,
    do_set_routing_rule_enabled,
)
from vigie.inbox.routing.dryrun import explain_mention
from vigie.inbox.routing.route import do_route_mention, do_route_mentions
from vigie.inbox.routing.rules import (
    Facts,
    RuleActions,
    RuleConditions,
    check_conditions,
    conditions_hold,
    ordered_rules,
    rule_actions,
)
from vigie.inbox.tests.factories import make_case
from vigie.mentions.models import Mention, MentionType, Sentiment
from vigie.mentions.tests.factories import make_author, make_mention, make_source


def analysed(
    organisation: Organisation,
    text: str,
    *,
    type: str = MentionType.OTHER,
    sentiment: str = Sentiment.NEUTRAL,
    toxic: bool = False,
    legal_risk: bool = False,
    categories: tuple[str, ...] = (),
    priority: int = 20,
    **fields: Any,
) -> Mention:
    """A mention stored as the analysis pipeline leaves it: denormalised columns plus results."""
    mention = make_mention(
        organisation,
        text=text,
        mention_type=type,
        sentiment=sentiment,
        priority=priority,
        language=fields.pop("language", "fr"),
        **fields,
    )
    AnalysisResult.objects.create(
        organisation=organisation,
        mention=mention,
        analyzer="toxicity",
        version="1.0",
        result={
            "toxicity": {
                "toxic": toxic,
                "score": 0.9 if toxic else 0.05,
                "categories": list(categories),
                "legal_risk": legal_risk,
            }
        },
    )
    return mention


def case_events(case: Case) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="inbox.case", object_id=str(case.pk))
        .order_by("seq")
        .values_list("verb", flat=True)
    )


@pytest.fixture
def teams(tenant: Tenant) -> dict[str, Team]:
    """The teams the default scheme looks for, with the tenant's agent and manager in customer service."""
    org = tenant.organisation
    made = {
        "service": do_create_team(org, "Service client"),
        "experts": do_create_team(org, "Experts remboursements"),
        "community": do_create_team(org, "Community management"),
        "legal": do_create_team(org, "Juridique"),
    }
    do_add_team_member(made["service"], tenant.agent)
    do_add_team_member(made["service"], tenant.manager)
    do_add_team_member(made["legal"], tenant.manager)
    return made


# --- the default scheme ------------------------------------------------------------------------------


def test_an_english_organisation_gets_the_default_scheme_and_charter_in_english(tenant: Tenant) -> None:
    """An English organisation read "Avis 1–2 étoiles" in its case histories and its replies were
    signed "Andy, service client Brightside Coffee"."""
    from vigie.charter.queries import current_charter

    org = tenant.organisation
    Organisation.objects.filter(pk=org.pk).update(language="en")
    org.refresh_from_db()
    do_route_mention(
        analysed(org, "Lovely coffee, thanks!", type=MentionType.PRAISE, sentiment=Sentiment.POSITIVE)
    )
    rules = ordered_rules(org)
    assert [rule.name for rule in rules][:5] == [
        "Threats and possible defamation",
        "Insults",
        "Spam",
        "Troll",
        "1–2 star reviews",
    ]
    assert rules[4].description.startswith("Acknowledge, apologise")
    assert rules[4].actions["tags"] == ["negative review"]
    charter = current_charter(org)
    assert charter.signature == "{agent_first_name}, {organisation} customer care"
    assert charter.response_for("complaint").approach.startswith("Acknowledge")
    assert charter.crisis_playbook[2].title == "Publish a holding statement"
    assert charter.public_or_private.startswith("In public")
    # A French organisation keeps the French defaults.
    Organisation.objects.filter(pk=org.pk).update(language="fr")
    org.refresh_from_db()
    assert current_charter(org).signature == "{agent_first_name}, service client {organisation}"


def test_the_default_scheme_is_seeded_on_first_routing_and_only_once(tenant: Tenant) -> None:
    org = tenant.organisation
    do_route_mention(
        analysed(org, "Super accueil, merci !", type=MentionType.PRAISE, sentiment=Sentiment.POSITIVE)
    )
    names = [rule.name for rule in ordered_rules(org)]
    assert names == [
        "Menaces et diffamation possible",
        "Insultes",
        "Spam",
        "Troll",
        "Avis 1–2 étoiles",
        "Réclamation",
        "Question",
        "Compliment",
    ]
    for rule in ordered_rules(org):
        do_delete_routing_rule(rule)
    do_route_mention(analysed(org, "Encore merci", type=MentionType.PRAISE))
    assert not RoutingRule.objects.filter(organisation=org).exists()  # emptied on purpose: not refilled
    assert len(do_seed_default_routing(org, force=True)) == 8


def test_praise_is_thanked_personally(tenant: Tenant, teams: dict[str, Team]) -> None:
    org = tenant.organisation
    thanks = Template.objects.create(
        organisation=org, name="Merci", category="thanks", body="Merci {{customer_name}} !"
    )
    Template.objects.create(organisation=org, name="Excuses", category="apology", body="Toutes nos excuses.")
    mention = analysed(
        org,
        "Conseillère très à l'écoute à l'agence de Lyon, dossier réglé en dix minutes. Merci !",
        type=MentionType.PRAISE,
        sentiment=Sentiment.POSITIVE,
        rating=5,
    )
    case = do_route_mention(mention)
    assert case is not None
    assert case.routing_rule == "Compliment"
    assert case.needs_answer
    assert case.status == CaseStatus.NEW
    assert case.suggested_template_ids == [thanks.pk]
    assert case.team == teams["service"]
    assert case.assignee == tenant.agent.user  # the team's only agent-level member available first
    assert case.approval_required is False
    assert "compliment" in case.tags


def test_a_question_goes_to_the_expert_team(tenant: Tenant, teams: dict[str, Team]) -> None:
    org = tenant.organisation
    info = Template.objects.create(
        organisation=org, name="Info", category="information", body="Voici la marche à suivre."
    )
    case = do_route_mention(
        analysed(
            org,
            "Bonjour, comment faire pour obtenir le remboursement de ma franchise ? Quel formulaire ?",
            type=MentionType.QUESTION,
            kind="comment",
        )
    )
    assert case is not None
    assert case.routing_rule == "Question"
    assert case.team == teams["experts"]
    assert case.suggested_template_ids == [info.pk]
    assert case.sla_due_at is not None


def test_a_complaint_gets_apology_and_private_channel_templates(
    tenant: Tenant, teams: dict[str, Team]
) -> None:
    org = tenant.organisation
    private = Template.objects.create(
        organisation=org, name="MP", category="private_channel", body="Écrivez-nous en privé."
    )
    apology = Template.objects.create(
        organisation=org, name="Désolé", category="apology", body="Nous sommes désolés."
    )
    Template.objects.create(organisation=org, name="Sorry", category="apology", language="en", body="Sorry.")
    case = do_route_mention(
        analysed(
            org,
            "Toujours pas de remboursement trois semaines après ma réclamation, personne ne répond au téléphone.",
            type=MentionType.COMPLAINT,
            sentiment=Sentiment.NEGATIVE,
            kind="post",
        )
    )
    assert case is not None
    assert case.routing_rule == "Réclamation"
    assert case.suggested_template_ids == [apology.pk, private.pk]  # apologise first, then go private
    assert case.priority == 40  # the rule's floor beats the analysis' 20
    assert case.approval_required is False


def test_a_one_star_review_needs_a_supervisor(tenant: Tenant, teams: dict[str, Team]) -> None:
    org = tenant.organisation
    case = do_route_mention(
        analysed(
            org,
            "Attente interminable au guichet et conseiller désagréable. Je ne recommande pas.",
            type=MentionType.COMPLAINT,
            sentiment=Sentiment.NEGATIVE,
            rating=1,
        )
    )
    assert case is not None
    assert case.routing_rule == "Avis 1–2 étoiles"
    assert case.approval_required is True
    assert "avis négatif" in case.tags


def test_a_troll_is_not_fed_but_watched(tenant: Tenant, teams: dict[str, Team]) -> None:
    org = tenant.organisation
    case = do_route_mention(
        analysed(
            org,
            "Mdr encore une boîte qui sert à rien, allez tous à la plage 🤡",
            type=MentionType.TROLL,
            kind="comment",
        )
    )
    assert case is not None
    assert case.routing_rule == "Troll"
    assert case.status == CaseStatus.NO_ANSWER
    assert case.needs_answer is False
    assert case.resolved_at is not None
    assert case.sla_due_at is None
    assert case.team == teams["community"]
    assert "à surveiller" in case.tags


def test_spam_is_hidden_and_ignored(tenant: Tenant) -> None:
    org = tenant.organisation
    case = do_route_mention(
        analysed(
            org,
            "Gagnez 5000€ par semaine depuis chez vous !!! cliquez bit.ly/xx",
            type=MentionType.SPAM,
            kind="comment",
        )
    )
    assert case is not None
    assert case.routing_rule == "Spam"
    assert case.status == CaseStatus.NO_ANSWER
    assert case.tags == ["spam", "à masquer"]


def test_insults_go_to_moderation_with_evidence(tenant: Tenant, teams: dict[str, Team]) -> None:
    org = tenant.organisation
    case = do_route_mention(
        analysed(
            org,
            "Bande d'incompétents, vous êtes des abrutis",
            type=MentionType.COMPLAINT,
            sentiment=Sentiment.NEGATIVE,
            toxic=True,
            categories=("insult",),
            kind="comment",
        )
    )
    assert case is not None
    assert case.routing_rule == "Insultes"
    assert case.team == teams["community"]
    assert case.approval_required is True
    assert {"modération", "preuve"} <= set(case.tags)
    assert case.escalated_at is None


def test_an_angry_complaint_the_encoder_clears_is_not_sent_to_moderation(
    tenant: Tenant, teams: dict[str, Team]
) -> None:
    """Where the fast toxicity model doubted and the sentence encoder settled it, routing follows
    the verdict a user sees (the encoder's), not the fast one."""
    org = tenant.organisation
    mention = analysed(
        org,
        "J'ai attendu 2 heures, c'est honteux",
        type=MentionType.COMPLAINT,
        sentiment=Sentiment.NEGATIVE,
        toxic=True,
        kind="comment",
    )
    AnalysisResult.objects.create(
        organisation=org,
        mention=mention,
        analyzer="encoder_sentiment",
        version="2.0",
        result={
            "sentiment_encoder": None,
            "toxicity_encoder": {"toxic": False, "score": 0.41, "fast_score": 0.66},
        },
    )
    case = do_route_mention(mention)
    assert case is not None
    assert case.routing_rule != "Insultes"
    assert "modération" not in set(case.tags)


def test_possible_defamation_goes_to_legal_and_is_escalated(tenant: Tenant, teams: dict[str, Team]) -> None:
    org = tenant.organisation
    case = do_route_mention(
        analysed(
            org,
            "Le directeur Dupont est un escroc, il a détourné l'argent des clients !",
            type=MentionType.COMPLAINT,
            sentiment=Sentiment.NEGATIVE,
            toxic=True,
            legal_risk=True,
            categories=("accusation", "named_person"),
            rating=1,
        )
    )
    assert case is not None
    assert case.routing_rule == "Menaces et diffamation possible"  # before the 1-star and insult rules
    assert case.team == teams["legal"]
    assert case.approval_required is True
    assert {"juridique", "preuve", "modération"} <= set(case.tags)
    assert case.escalated_at is not None
    assert case.priority == 90
    # The legal team's manager hears of it at once.
    notification = Notification.objects.get(recipient=tenant.manager.user, event="case.escalated")
    assert case.reference in notification.title
    assert "case.escalated" in case_events(case)


def test_the_timeline_records_the_rule_and_why(tenant: Tenant, teams: dict[str, Team]) -> None:
    org = tenant.organisation
    case = do_route_mention(analysed(org, "Merci pour tout", type=MentionType.PRAISE))
    assert case is not None
    event = AuditEvent.objects.get(object_type="inbox.case", object_id=str(case.pk), verb="case.routed")
    assert event.data["rule"] == "Compliment"
    assert event.data["team"] == "Service client"
    assert event.data["assignee"] == tenant.agent.user.email
    assert event.actor is None


# --- charter defaults -----------------------------------------------------------------------------------


def test_without_any_rule_the_charter_decides(tenant: Tenant) -> None:
    org = tenant.organisation
    do_seed_default_routing(org)
    for rule in ordered_rules(org):
        do_delete_routing_rule(rule)
    charter = CharterDocument(sla=SlaPolicy(per_platform_hours={"twitter": 2}))
    do_update_charter(org, charter)
    tweet = analysed(
        org,
        "Un avis sur vos nouveaux horaires ?",
        type=MentionType.QUESTION,
        source=make_source(org, "twitter"),
        kind="post",
    )
    case = do_route_mention(tweet)
    assert case is not None
    assert case.routing_rule == ""
    assert case.team is None
    assert case.assignee is None
    assert case.sla_due_at is not None
    assert case.sla_due_at > tweet.created_at
    troll = do_route_mention(analysed(org, "lol", type=MentionType.TROLL))
    assert troll is not None
    assert troll.needs_answer is False


def test_a_platform_the_charter_does_not_engage_on_is_watched_only(tenant: Tenant) -> None:
    org = tenant.organisation
    do_update_charter(org, CharterDocument(channels=[ChannelPolicy(platform="reddit", engaged=False)]))
    case = do_route_mention(
        analysed(
            org, "Des avis sur cette banque ?", type=MentionType.QUESTION, source=make_source(org, "reddit")
        )
    )
    assert case is not None
    assert case.needs_answer is False
    assert case.status == CaseStatus.NO_ANSWER


def test_the_charter_asks_approval_for_low_ratings_whatever_the_rule(tenant: Tenant) -> None:
    org = tenant.organisation
    do_seed_default_routing(org)
    for rule in ordered_rules(org):
        do_delete_routing_rule(rule)
    do_create_routing_rule(org, "Tout", RuleConditions(), RuleActions(tags=["tout"]))
    case = do_route_mention(analysed(org, "Bof", rating=2, type=MentionType.OTHER))
    assert case is not None
    assert case.approval_required is True
    ok = do_route_mention(analysed(org, "Bien", rating=4, type=MentionType.OTHER))
    assert ok is not None
    assert ok.approval_required is False


# --- order and first match ----------------------------------------------------------------------------


def _only(org: Organisation, *rules: tuple[str, RuleConditions, RuleActions]) -> list[RoutingRule]:
    do_seed_default_routing(org)
    for rule in ordered_rules(org):
        do_delete_routing_rule(rule)
    return [do_create_routing_rule(org, name, c, a) for name, c, a in rules]


def test_the_first_matching_rule_wins_and_order_can_change(tenant: Tenant) -> None:
    org = tenant.organisation
    _broad, narrow = _only(
        org,
        ("Négatif", RuleConditions(sentiments=[Sentiment.NEGATIVE]), RuleActions(tags=["négatif"])),
        ("Facturation", RuleConditions(keywords=["facture"]), RuleActions(tags=["facturation"])),
    )
    first = do_route_mention(analysed(org, "Ma facture est fausse", sentiment=Sentiment.NEGATIVE))
    assert first is not None
    assert first.routing_rule == "Négatif"
    assert first.tags == ["négatif"]
    do_move_routing_rule(narrow, -1)
    assert [r.name for r in ordered_rules(org)] == ["Facturation", "Négatif"]
    second = do_route_mention(analysed(org, "Ma FACTURE est fausse", sentiment=Sentiment.NEGATIVE))
    assert second is not None
    assert second.routing_rule == "Facturation"


def test_a_disabled_rule_is_skipped(tenant: Tenant) -> None:
    org = tenant.organisation
    first, _second = _only(
        org,
        ("A", RuleConditions(), RuleActions(tags=["a"])),
        ("B", RuleConditions(), RuleActions(tags=["b"])),
    )
    do_set_routing_rule_enabled(first, False)
    case = do_route_mention(analysed(org, "x"))
    assert case is not None
    assert case.routing_rule == "B"


def test_every_condition_must_hold(tenant: Tenant) -> None:
    org = tenant.organisation
    location = Mention._meta.get_field("location").related_model.objects.create(organisation=org, name="Lyon")  # type: ignore[union-attr]
    _only(
        org,
        (
            "Influenceur mécontent à Lyon",
            RuleConditions(
                sentiments=[Sentiment.NEGATIVE],
                location_ids=[location.pk],
                reach_min=10000,
                author_flags=["influencer"],
                themes=["attente"],
                languages=["fr"],
                platforms=["google"],
            ),
            RuleActions(priority=80, tags=["vip"]),
        ),
    )
    star = make_author(org, followers_count=50000, flags=["influencer"])
    hit = do_route_mention(
        analysed(
            org,
            "Une heure d'attente",
            sentiment=Sentiment.NEGATIVE,
            location=location,
            author=star,
            themes=["attente"],
        )
    )
    assert hit is not None
    assert hit.routing_rule == "Influenceur mécontent à Lyon"
    assert hit.priority == 80
    small = make_author(org, followers_count=12, flags=["influencer"])
    miss = do_route_mention(
        analysed(
            org,
            "Une heure d'attente",
            sentiment=Sentiment.NEGATIVE,
            location=location,
            author=small,
            themes=["attente"],
        )
    )
    assert miss is not None
    assert miss.routing_rule == ""


# --- assignment ------------------------------------------------------------------------------------------


def _agents(tenant: Tenant, team: Team, count: int) -> list[Membership]:
    members = []
    for i in range(count):
        member = do_create_member(tenant.organisation, f"agent{i}@acme.example", Role.AGENT)
        do_add_team_member(team, member)
        members.append(member)
    return members


def test_round_robin_takes_turns_and_skips_people_away(tenant: Tenant) -> None:
    org = tenant.organisation
    team = do_create_team(org, "Équipe A")
    a, b, c = _agents(tenant, team, 3)
    _only(org, ("Tout", RuleConditions(), RuleActions(team_id=team.pk, assign="round_robin")))
    do_set_member_availability(org, b.user, timezone.now() + timedelta(days=3), note="congés")
    assignees = [do_route_mention(analysed(org, f"message {i}")).assignee for i in range(4)]  # type: ignore[union-attr]
    assert assignees == [a.user, c.user, a.user, c.user]
    do_set_member_availability(org, b.user, None)
    assert do_route_mention(analysed(org, "retour de congés")).assignee == a.user  # type: ignore[union-attr]
    assert do_route_mention(analysed(org, "et ensuite")).assignee == b.user  # type: ignore[union-attr]


def test_least_loaded_picks_the_member_with_fewest_open_cases(tenant: Tenant) -> None:
    org = tenant.organisation
    team = do_create_team(org, "Équipe B")
    a, b = _agents(tenant, team, 2)
    rule = _only(org, ("Tout", RuleConditions(), RuleActions(team_id=team.pk, assign="least_loaded")))[0]
    first = do_route_mention(analysed(org, "un"))
    assert first is not None
    assert first.assignee == a.user
    second = do_route_mention(analysed(org, "deux"))
    assert second is not None
    assert second.assignee == b.user
    do_set_case_status(first, CaseStatus.RESOLVED, actor=a.user)  # a's load drops to 0
    assert do_route_mention(analysed(org, "trois")).assignee == a.user  # type: ignore[union-attr]
    do_set_member_availability(org, a.user, timezone.now() + timedelta(days=1))
    assert do_route_mention(analysed(org, "quatre")).assignee == b.user  # type: ignore[union-attr]
    assert rule.last_assignee is None  # least-loaded keeps no cursor


def test_nobody_available_leaves_the_case_unassigned(tenant: Tenant) -> None:
    org = tenant.organisation
    team = do_create_team(org, "Équipe C")
    (a,) = _agents(tenant, team, 1)
    _only(org, ("Tout", RuleConditions(), RuleActions(team_id=team.pk, assign="round_robin")))
    do_set_member_availability(org, a.user, timezone.now() + timedelta(hours=2))
    case = do_route_mention(analysed(org, "personne"))
    assert case is not None
    assert case.team == team
    assert case.assignee is None


# --- re-analysis and idempotency ---------------------------------------------------------------------------


def test_routing_twice_changes_nothing(tenant: Tenant, teams: dict[str, Team]) -> None:
    org = tenant.organisation
    mention = analysed(org, "Merci beaucoup", type=MentionType.PRAISE)
    case = do_route_mention(mention)
    events = AuditEvent.objects.filter(organisation=org).count()
    again = do_route_mention(Mention.objects.get(pk=mention.pk))
    assert again is not None
    assert again.pk == case.pk
    assert Case.objects.filter(mention=mention).count() == 1
    assert AuditEvent.objects.filter(organisation=org).count() == events


def test_reanalysis_updates_routing_but_keeps_a_manual_assignment(
    tenant: Tenant, teams: dict[str, Team]
) -> None:
    org = tenant.organisation
    mention = analysed(org, "Merci pour votre aide", type=MentionType.PRAISE)
    case = do_route_mention(mention)
    assert case is not None
    assert case.assignee == tenant.agent.user
    do_assign_case(case, tenant.manager.user, actor=tenant.manager.user)
    # The analysis now reads it as a complaint with a one-star rating.
    Mention.objects.filter(pk=mention.pk).update(mention_type=MentionType.COMPLAINT, rating=1, priority=60)
    rerouted = do_route_mention(Mention.objects.get(pk=mention.pk))
    assert rerouted is not None
    assert rerouted.routing_rule == "Avis 1–2 étoiles"
    assert rerouted.approval_required is True
    assert rerouted.assignee == tenant.manager.user  # a person's choice stands
    assert rerouted.priority == 60
    assert {"compliment", "avis négatif"} <= set(rerouted.tags)
    event = AuditEvent.objects.filter(object_id=str(case.pk), verb="case.rerouted").get()
    assert event.data["kept"] == ["assignee"]


def test_reanalysis_does_not_reopen_a_case_a_person_closed(tenant: Tenant) -> None:
    org = tenant.organisation
    mention = analysed(org, "Question ?", type=MentionType.QUESTION)
    case = do_route_mention(mention)
    assert case is not None
    do_set_case_status(case, CaseStatus.RESOLVED, actor=tenant.agent.user)
    Mention.objects.filter(pk=mention.pk).update(mention_type=MentionType.TROLL)
    do_route_mention(Mention.objects.get(pk=mention.pk))
    Mention.objects.filter(pk=mention.pk).update(mention_type=MentionType.QUESTION)
    again = do_route_mention(Mention.objects.get(pk=mention.pk))
    assert again is not None
    assert again.status == CaseStatus.RESOLVED


def test_reanalysis_reopens_a_case_routing_itself_closed(tenant: Tenant) -> None:
    org = tenant.organisation
    mention = analysed(org, "Achetez mes followers", type=MentionType.SPAM)
    case = do_route_mention(mention)
    assert case is not None
    assert case.status == CaseStatus.NO_ANSWER
    Mention.objects.filter(pk=mention.pk).update(mention_type=MentionType.QUESTION)
    again = do_route_mention(Mention.objects.get(pk=mention.pk))
    assert again is not None
    assert again.status == CaseStatus.NEW
    assert again.resolved_at is None
    assert again.needs_answer is True
    assert again.sla_due_at is not None


def test_deleted_mentions_and_own_posts_get_no_case(tenant: Tenant) -> None:
    org = tenant.organisation
    source = make_source(org, "twitter", account_handle="@acme")
    own = analysed(
        org,
        "Nos agences sont ouvertes samedi",
        source=source,
        author=make_author(org, "twitter", handle="acme"),
    )
    assert do_route_mention(own) is None
    gone = analysed(org, "supprimé", deleted_at=timezone.now())
    assert do_route_mention(gone) is None
    assert not Case.objects.filter(organisation=org).exists()


def test_the_case_of_a_mention_deleted_since_keeps_following_the_analysis_priority(tenant: Tenant) -> None:
    org = tenant.organisation
    mention = analysed(org, "Question ?", type=MentionType.QUESTION)
    case = do_route_mention(mention)
    assert case is not None
    Mention.objects.filter(pk=mention.pk).update(deleted_at=timezone.now(), priority=77)
    again = do_route_mention(Mention.objects.get(pk=mention.pk))
    assert again is not None
    assert (again.pk, again.routing_rule) == (case.pk, case.routing_rule)
    assert Case.objects.get(pk=case.pk).priority == 77


def test_route_mentions_ignores_another_organisations_ids(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = analysed(other_tenant.organisation, "Bonjour", type=MentionType.QUESTION)
    assert do_route_mentions(tenant.organisation, [theirs.pk]) == 0
    assert not Case.objects.filter(mention=theirs).exists()


# --- dry-run ---------------------------------------------------------------------------------------------------


def test_dry_run_explains_and_writes_nothing(tenant: Tenant, teams: dict[str, Team]) -> None:
    org = tenant.organisation
    do_seed_default_routing(org)
    mention = analysed(org, "Bonjour, quels sont vos horaires ?", type=MentionType.QUESTION)
    cursor = {r.pk: r.last_assignee_id for r in ordered_rules(org)}
    counts = (AuditEvent.objects.count(), Case.objects.count(), Notification.objects.count())
    result = explain_mention(mention)
    assert result.decision.rule is not None
    assert result.decision.rule.name == "Question"
    assert result.sla_due_at is not None
    assert result.existing_case is None
    spam_rule = next(e for e in result.decision.evaluations if e.rule.name == "Spam")
    assert not spam_rule.matched
    # Shown by their labels, not their slugs.
    assert [(c.expected, c.actual, c.ok) for c in spam_rule.checks] == [("Spam", "Question", False)]
    assert (AuditEvent.objects.count(), Case.objects.count(), Notification.objects.count()) == counts
    assert {r.pk: r.last_assignee_id for r in ordered_rules(org)} == cursor


def test_dry_run_command_prints_the_rule(tenant: Tenant, capsys: pytest.CaptureFixture[str]) -> None:
    org = tenant.organisation
    mention = analysed(org, "Gagnez de l'argent facile", type=MentionType.SPAM)
    do_seed_default_routing(org)
    before = AuditEvent.objects.count()
    call_command("routing", "dry-run", "--org", org.slug, "--mention", str(mention.pk))
    out = capsys.readouterr().out
    assert "Spam" in out
    assert "✓" in out
    assert AuditEvent.objects.count() == before
    assert not Case.objects.filter(mention=mention).exists()


# --- after analysis --------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=False)
def test_the_analysis_job_creates_the_case(tenant: Tenant) -> None:
    """End to end with the shipped models: ingestion's job analyses, then hands on to routing."""
    from vigie.analysis.tasks import analyze_mentions
    from vigie.core.jobs import run_pending
    from vigie.core.models import Job

    org = tenant.organisation
    mention = make_mention(
        org,
        text="Attente de 45 minutes au guichet et personne pour nous renseigner. Très déçue.",
        rating=1,
    )
    analyze_mentions([mention.pk])
    # The analysis does not route: it queues the route step's job, by name.
    assert not Case.objects.filter(mention=mention).exists()
    assert Job.objects.get(name="inbox.route_mentions").payload == {"mention_ids": [mention.pk]}
    assert run_pending() == 1
    case = Case.objects.get(mention=mention)
    mention.refresh_from_db()
    assert case.routing_rule  # a rule of the default scheme matched
    assert case.approval_required is True  # one star: the charter wants a supervisor
    assert case.sla_due_at is not None
    # The analysis' priority, raised to the rule's floor.
    rule = next(r for r in ordered_rules(org) if r.name == case.routing_rule)
    assert case.priority == max(mention.priority, rule_actions(rule).priority or 0)
    analyze_mentions([mention.pk])  # re-analysis: still one case, nothing undone
    assert run_pending() == 1
    assert Case.objects.filter(mention=mention).count() == 1


# --- the demo ------------------------------------------------------------------------------------------------------


def test_the_demo_ships_the_default_scheme_fitted_to_its_teams(db: None) -> None:
    from vigie.core.queries import verify_audit_chain
    from vigie.demo import DEMO_SLUG
    from vigie.demo.loader import do_load_demo
    from vigie.inbox.routing.rules import rule_actions

    do_load_demo(seed=5, size=60)
    org = Organisation.objects.get(slug=DEMO_SLUG)
    teams = {team.pk: team.name for team in Team.objects.filter(organisation=org)}
    actions = {rule.name: rule_actions(rule) for rule in ordered_rules(org)}
    assert len(actions) == 8
    assert teams[actions["Menaces et diffamation possible"].team_id or 0] == "Juridique"
    assert teams[actions["Question"].team_id or 0] == "Experts remboursements"
    assert teams[actions["Troll"].team_id or 0] == "Community management"
    assert teams[actions["Compliment"].team_id or 0] == "Service client"
    assert verify_audit_chain(org).ok


def test_routing_events_read_as_sentences_on_the_timeline(tenant: Tenant, teams: dict[str, Team]) -> None:
    from vigie.inbox.routing.timeline import describe_routing_event

    org = tenant.organisation
    mention = analysed(org, "Vous êtes des escrocs", type=MentionType.COMPLAINT, legal_risk=True)
    case = do_route_mention(mention)
    assert case is not None
    events = AuditEvent.objects.filter(object_type="inbox.case", object_id=str(case.pk)).order_by("seq")
    sentences = [describe_routing_event(event) for event in events]
    assert sentences[0] == "Aiguillé — règle « Menaces et diffamation possible »"
    assert sentences[1] is not None
    assert sentences[1].startswith("Escaladé : ")
    other = AuditEvent.objects.filter(verb="routing.scheme_seeded").get()
    assert describe_routing_event(other) is None


def test_the_route_mentions_job_routes_each_organisations_mentions(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    from vigie.core.jobs import run_now

    ours = analysed(tenant.organisation, "Merci !", type=MentionType.PRAISE)
    theirs = analysed(other_tenant.organisation, "Une question ?", type=MentionType.QUESTION)
    assert run_now("inbox.route_mentions", {"mention_ids": [ours.pk, theirs.pk]}) == 2
    assert Case.objects.get(mention=ours).organisation == tenant.organisation
    assert Case.objects.get(mention=theirs).organisation == other_tenant.organisation
    assert Case.objects.get(mention=theirs).routing_rule == "Question"


def test_an_old_threat_from_an_import_is_routed_but_not_paged(tenant: Tenant, teams: dict[str, Team]) -> None:
    org = tenant.organisation
    mention = analysed(
        org,
        "Je vais vous retrouver",
        type=MentionType.COMPLAINT,
        toxic=True,
        legal_risk=True,
        created_at=timezone.now() - timedelta(days=90),
    )
    case = do_route_mention(mention)
    assert case is not None
    assert case.routing_rule == "Menaces et diffamation possible"
    assert case.team == teams["legal"]
    assert case.escalated_at is None
    assert not Notification.objects.filter(event="case.escalated").exists()


def test_the_fast_check_and_the_explained_check_always_agree() -> None:
    # Routing decides with conditions_hold; the dry-run explains with check_conditions.
    rng = random.Random(11)

    def some(values: list[Any]) -> list[Any]:
        return rng.sample(values, rng.choice([0, 0, 1, 2]))

    for _ in range(3000):
        conditions = RuleConditions(
            types=some(list(MentionType.values)),
            sentiments=some(list(Sentiment.values)),
            stars_min=rng.choice([None, 1, 2.5, 4]),
            stars_max=rng.choice([None, 2, 3, 5]),
            themes=some(["delai", "Prix", "accueil"]),
            platforms=some(["google_business", "mastodon"]),
            source_ids=some([1, 2, 3]),
            location_ids=some([7, 8]),
            languages=some(["fr", "en"]),
            keywords=some(["remboursement", " Avocat ", "  "]),
            reach_min=rng.choice([None, 0, 1000]),
            author_flags=some(["influencer", "Customer"]),
            toxic=rng.choice([None, True, False]),
            legal_risk=rng.choice([None, True, False]),
        )
        facts = Facts(
            type=rng.choice([*MentionType.values, ""]),
            sentiment=rng.choice([*Sentiment.values, ""]),
            stars=rng.choice([None, 1, 2, 3.5, 5]),
            themes=tuple(some(["delai", "prix", "Accueil", "autre"])),
            platform=rng.choice(["google_business", "mastodon", "feed"]),
            source_id=rng.choice([None, 1, 2, 3]),
            location_id=rng.choice([None, 7, 8]),
            language=rng.choice(["fr", "en", ""]),
            text=rng.choice(["Je veux un REMBOURSEMENT", "mon avocat vous écrira", "Merci"]),
            reach=rng.choice([0, 999, 5000]),
            author_flags=tuple(some(["customer", "influencer"])),
            toxic=rng.random() < 0.5,
            legal_risk=rng.random() < 0.5,
        )
        explained = all(check.ok for check in check_conditions(conditions, facts))
        assert conditions_hold(conditions, facts) == explained, (conditions, facts)


# --- batches (what ingestion and re-analysis hand over) ------------------------------------------------


def test_a_batch_takes_turns_like_one_by_one_and_the_next_batch_carries_on(tenant: Tenant) -> None:
    org = tenant.organisation
    team = do_create_team(org, "Équipe R")
    a, b, c = _agents(tenant, team, 3)
    rule = _only(org, ("Tout", RuleConditions(), RuleActions(team_id=team.pk, assign="round_robin")))[0]
    first = [analysed(org, f"lot un {i}") for i in range(4)]
    assert do_route_mentions(org, [m.pk for m in first]) == 4
    assignees = [Case.objects.get(mention=m).assignee for m in first]
    assert assignees == [a.user, b.user, c.user, a.user]
    rule.refresh_from_db()
    assert rule.last_assignee == a.user  # the cursor is saved at the end of the batch
    second = [analysed(org, f"lot deux {i}") for i in range(2)]
    do_route_mentions(org, [m.pk for m in second])
    assert [Case.objects.get(mention=m).assignee for m in second] == [b.user, c.user]


def test_a_batch_spreads_the_load_as_it_assigns(tenant: Tenant) -> None:
    org = tenant.organisation
    team = do_create_team(org, "Équipe L")
    a, b = _agents(tenant, team, 2)
    _only(org, ("Tout", RuleConditions(), RuleActions(team_id=team.pk, assign="least_loaded")))
    for i in range(3):  # a already holds three open cases
        make_case(org, make_mention(org, text=f"ancien {i}"), assignee=a.user)
    batch = [analysed(org, f"nouveau {i}") for i in range(5)]
    do_route_mentions(org, [m.pk for m in batch])
    assignees = [Case.objects.get(mention=m).assignee for m in batch]
    assert assignees == [b.user, b.user, b.user, a.user, b.user]


def test_a_batch_logs_each_case_before_its_escalation_and_keeps_the_chain(
    tenant: Tenant, teams: dict[str, Team]
) -> None:
    from vigie.core.queries import verify_audit_chain

    org = tenant.organisation
    batch = [
        analysed(org, "Merci !", type=MentionType.PRAISE),
        analysed(
            org,
            "Le directeur Dupont est un escroc !",
            type=MentionType.COMPLAINT,
            sentiment=Sentiment.NEGATIVE,
            legal_risk=True,
        ),
        analysed(org, "Quels horaires ?", type=MentionType.QUESTION),
    ]
    assert do_route_mentions(org, [m.pk for m in batch]) == 3
    escalated = Case.objects.get(mention=batch[1])
    assert escalated.escalated_at is not None
    verbs = list(
        AuditEvent.objects.filter(organisation=org, verb__in=["case.routed", "case.escalated"])
        .order_by("seq")
        .values_list("verb", "object_id")
    )
    cases = [str(Case.objects.get(mention=m).pk) for m in batch]
    assert verbs == [
        ("case.routed", cases[0]),
        ("case.routed", cases[1]),
        ("case.escalated", cases[1]),
        ("case.routed", cases[2]),
    ]
    assert verify_audit_chain(org).ok


def _crisis_batch(org: Organisation, count: int, start: int) -> list[int]:
    """``count`` analysed mentions, one in five a possible defamation (escalated by its rule)."""
    return [
        analysed(
            org,
            f"Le directeur Dupont est un escroc {n}" if n % 5 == 0 else f"Colis jamais arrivé {n}",
            type=MentionType.COMPLAINT,
            sentiment=Sentiment.NEGATIVE,
            toxic=n % 5 == 0,
            legal_risk=n % 5 == 0,
            categories=("accusation", "named_person") if n % 5 == 0 else (),
            rating=1,
        ).pk
        for n in range(start, start + count)
    ]


def test_a_batch_is_routed_with_as_many_queries_whatever_its_size(
    tenant: Tenant, teams: dict[str, Team]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vigie.core.queries import verify_audit_chain

    org = tenant.organisation
    small, large = _crisis_batch(org, 5, 0), _crisis_batch(org, 40, 100)
    do_route_mentions(org, _crisis_batch(org, 2, 500))  # the scheme seeded beforehand
    with CaptureQueriesContext(connection) as few:
        assert do_route_mentions(org, small) == 5
    with CaptureQueriesContext(connection) as many:
        assert do_route_mentions(org, large) == 40

    # No query per mention: 8 times the mentions, the same statements (the cases in one INSERT),
    # but for the in-app notice (its own save, in a savepoint) each supervisor gets of each
    # escalation: 1 of 5 mentions here, then 8 of 40.
    def statements(context: CaptureQueriesContext) -> list[str]:
        return [
            query["sql"][:60]
            for query in context.captured_queries
            if "core_notification" not in query["sql"] and "SAVEPOINT" not in query["sql"]
        ]

    assert len(statements(many)) == len(statements(few)), statements(many)
    cases = Case.objects.filter(mention_id__in=small + large)
    assert cases.count() == 45
    escalated = cases.filter(escalated_at__isnull=False)
    assert escalated.count() == 9
    # Each escalated case: its manager told, "routed" then "escalated" in the log, chain intact.
    notices = Notification.objects.filter(recipient=tenant.manager.user, event="case.escalated")
    assert notices.count() == 9 + 1  # and the one of the first batch
    for case in escalated:
        assert case_events(case)[:2] == ["case.routed", "case.escalated"]
    assert verify_audit_chain(org).ok
    # Routing the batch again changes nothing and opens nothing.
    assert do_route_mentions(org, large) == 40
    assert Case.objects.filter(mention_id__in=large).count() == 40


def test_reanalysis_leaves_an_old_case_routing_closed_closed(tenant: Tenant) -> None:
    # A re-analysis of last year's history brought months-old cases back to the top of the queue,
    # overdue on arrival ("En retard de 4 mois").
    org = tenant.organisation
    mention = analysed(org, "Achetez mes followers", type=MentionType.SPAM)
    Mention.objects.filter(pk=mention.pk).update(created_at=timezone.now() - timedelta(days=120))
    case = do_route_mention(Mention.objects.get(pk=mention.pk))
    assert case is not None
    assert case.status == CaseStatus.NO_ANSWER
    Mention.objects.filter(pk=mention.pk).update(mention_type=MentionType.QUESTION)
    again = do_route_mention(Mention.objects.get(pk=mention.pk))
    assert again is not None
    assert again.status == CaseStatus.NO_ANSWER


def test_reanalysis_leaves_a_case_a_person_closed_as_needing_no_answer_closed(tenant: Tenant) -> None:
    org = tenant.organisation
    mention = analysed(org, "Question ?", type=MentionType.QUESTION)
    case = do_route_mention(mention)
    assert case is not None
    do_close_case(case, Closing.NO_ANSWER, actor=tenant.agent.user)
    again = do_route_mention(Mention.objects.get(pk=mention.pk))
    assert again is not None
    assert again.status == CaseStatus.NO_ANSWER
