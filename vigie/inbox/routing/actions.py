"""Writes of the comment-handling scheme: its rules (create, update, switch on or off, move,
delete), Vigie's default scheme and its seeding, and members' availability for assignment."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vigie.charter.document import FIRST_RESPONSE_HOURS
from vigie.core.actions import do_record_audit_event
from vigie.core.models import AuditEvent, Membership, Organisation, Team, User
from vigie.core.tenancy import scoped
from vigie.inbox.models import MemberAvailability, RoutingRule, TemplateCategory
from vigie.inbox.routing.rules import RuleActions, RuleConditions, ordered_rules
from vigie.mentions.models import MentionType

SEEDED_VERB = "routing.scheme_seeded"


def _validate_team(organisation: Organisation, actions: RuleActions) -> None:
    if actions.team_id is not None and not scoped(Team, organisation).filter(pk=actions.team_id).exists():
        raise ValueError(_("Équipe inconnue."))
    # The charter's range for a first answer: a delay of a billion hours was stored.
    if problem := FIRST_RESPONSE_HOURS.problem(actions.sla_hours):
        raise ValueError(problem)


@transaction.atomic
def do_create_routing_rule(
    organisation: Organisation,
    name: str,
    conditions: RuleConditions,
    actions: RuleActions,
    *,
    description: str = "",
    enabled: bool = True,
    actor: User | None = None,
    position: int | None = None,
) -> RoutingRule:
    """Add a rule at the end of the scheme (or at ``position``)."""
    _validate_team(organisation, actions)
    if position is None:
        last = scoped(RoutingRule, organisation).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    rule = RoutingRule.objects.create(
        organisation=organisation,
        position=position,
        name=name,
        description=description,
        enabled=enabled,
        conditions=conditions.model_dump(mode="json", exclude_defaults=True),
        actions=actions.model_dump(mode="json", exclude_defaults=True),
    )
    do_record_audit_event(
        organisation,
        "routing.rule_created",
        actor=actor,
        obj=rule,
        data={"name": name, "conditions": rule.conditions, "actions": rule.actions},
    )
    return rule


@transaction.atomic
def do_update_routing_rule(
    rule: RoutingRule,
    *,
    name: str,
    conditions: RuleConditions,
    actions: RuleActions,
    description: str = "",
    enabled: bool = True,
    actor: User | None = None,
) -> RoutingRule:
    """Replace a rule's name, conditions and actions."""
    _validate_team(rule.organisation, actions)
    before = {
        "name": rule.name,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "enabled": rule.enabled,
    }
    fields = {
        "name": name,
        "description": description,
        "enabled": enabled,
        "conditions": conditions.model_dump(mode="json", exclude_defaults=True),
        "actions": actions.model_dump(mode="json", exclude_defaults=True),
        "updated_at": timezone.now(),
    }
    RoutingRule.objects.filter(pk=rule.pk).update(**fields)
    for key, value in fields.items():
        setattr(rule, key, value)
    after = {"name": name, "conditions": rule.conditions, "actions": rule.actions, "enabled": enabled}
    do_record_audit_event(
        rule.organisation,
        "routing.rule_updated",
        actor=actor,
        obj=rule,
        data={"before": before, "after": after},
    )
    return rule


@transaction.atomic
def do_set_routing_rule_enabled(
    rule: RoutingRule, enabled: bool, *, actor: User | None = None
) -> RoutingRule:
    """Switch a rule on or off; a disabled rule is skipped by routing."""
    if rule.enabled == enabled:
        return rule
    RoutingRule.objects.filter(pk=rule.pk).update(enabled=enabled, updated_at=timezone.now())
    rule.enabled = enabled
    do_record_audit_event(
        rule.organisation,
        "routing.rule_enabled" if enabled else "routing.rule_disabled",
        actor=actor,
        obj=rule,
        data={"name": rule.name},
    )
    return rule


def _renumber(rules: list[RoutingRule]) -> None:
    for index, rule in enumerate(rules):
        if rule.position != index:
            RoutingRule.objects.filter(pk=rule.pk).update(position=index)
            rule.position = index


@transaction.atomic
def do_move_routing_rule(rule: RoutingRule, offset: int, *, actor: User | None = None) -> RoutingRule:
    """Move a rule ``offset`` places (negative: earlier, tried sooner)."""
    Organisation.objects.select_for_update().filter(pk=rule.organisation_id).first()
    rules = ordered_rules(rule.organisation)
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    target = max(0, min(len(rules) - 1, index + offset))
    if target == index:
        return rule
    moved = rules.pop(index)
    rules.insert(target, moved)
    _renumber(rules)
    rule.position = target
    do_record_audit_event(
        rule.organisation,
        "routing.rule_moved",
        actor=actor,
        obj=rule,
        data={"name": rule.name, "from": index + 1, "to": target + 1},
    )
    return rule


@transaction.atomic
def do_delete_routing_rule(rule: RoutingRule, *, actor: User | None = None) -> None:
    """Remove a rule; cases it routed keep their settings and its name."""
    organisation = rule.organisation
    data = {"name": rule.name, "conditions": rule.conditions, "actions": rule.actions}
    pk = rule.pk
    rule.delete()
    do_record_audit_event(organisation, "routing.rule_deleted", actor=actor, data=data | {"id": pk})
    _renumber(ordered_rules(organisation))


@transaction.atomic
def do_set_member_availability(
    organisation: Organisation,
    user: User,
    unavailable_until: datetime | None,
    *,
    note: str = "",
    actor: User | None = None,
) -> MemberAvailability:
    """Mark ``user`` away until ``unavailable_until`` (None: available again)."""
    if not scoped(Membership, organisation).filter(user=user).exists():
        raise ValueError(_("Cette personne n'est pas membre de l'organisation."))
    availability, _created = MemberAvailability.objects.update_or_create(
        organisation=organisation,
        user=user,
        defaults={"unavailable_until": unavailable_until, "note": note, "updated_at": timezone.now()},
    )
    do_record_audit_event(
        organisation,
        "member.availability_changed",
        actor=actor,
        obj=availability,
        data={
            "member": user.email,
            "unavailable_until": unavailable_until.isoformat() if unavailable_until else None,
            "note": note,
        },
    )
    return availability


# --- the default scheme -------------------------------------------------------------------------------------


def _team_named(organisation: Organisation, *words: str) -> int | None:
    for team in scoped(Team, organisation).order_by("pk"):
        name = team.name.casefold()
        if any(word in name for word in words):
            return team.pk
    return None


def default_scheme(organisation: Organisation) -> list[tuple[str, str, RuleConditions, RuleActions]]:
    """Vigie's recommended comment-handling scheme, fitted to the organisation's teams by name
    (a team called "Juridique", "Experts…", "Community…" is used when it exists)."""
    legal = _team_named(organisation, "juridique", "legal", "droit")
    moderation = _team_named(organisation, "modération", "moderation", "community")
    experts = _team_named(organisation, "expert")
    service = _team_named(organisation, "service client", "customer", "relation client")
    low_stars = 2.0
    # In the organisation's language: names, descriptions and tags are what its people read (an
    # English organisation's case history said "Routed — rule “Avis 1–2 étoiles”").
    with translation.override(organisation.language):
        return _scheme_texts(legal, moderation, experts, service, low_stars)


def _scheme_texts(
    legal: int | None, moderation: int | None, experts: int | None, service: int | None, low_stars: float
) -> list[tuple[str, str, RuleConditions, RuleActions]]:
    return [
        (
            _("Menaces et diffamation possible"),
            _(
                "Menace, haine ou accusation : modération, équipe juridique, preuve à capturer, "
                "validation obligatoire et escalade immédiate."
            ),
            RuleConditions(legal_risk=True),
            RuleActions(
                team_id=legal or moderation,
                priority=90,
                approval_required=True,
                tags=[_("modération"), _("juridique"), _("preuve")],
                escalate=True,
            ),
        ),
        (
            _("Insultes"),
            _("Propos injurieux : modération et preuve ; ne répondre qu'après validation."),
            RuleConditions(toxic=True),
            RuleActions(
                team_id=moderation,
                priority=70,
                approval_required=True,
                tags=[_("modération"), _("preuve")],
            ),
        ),
        (
            _("Spam"),
            _("Masquer ou ignorer : pas de réponse."),
            RuleConditions(types=[MentionType.SPAM]),
            RuleActions(no_answer=True, tags=[_("spam"), _("à masquer")]),
        ),
        (
            _("Troll"),
            _("Ne pas nourrir le troll : pas de réponse, surveiller."),
            RuleConditions(types=[MentionType.TROLL]),
            RuleActions(team_id=moderation, no_answer=True, tags=[_("troll"), _("à surveiller")]),
        ),
        (
            _("Avis 1–2 étoiles"),
            _(
                "Accuser réception, s'excuser, proposer une solution et un canal privé ; "
                "la réponse est validée par un superviseur."
            ),
            RuleConditions(stars_max=low_stars),
            RuleActions(
                team_id=service,
                assign="least_loaded",
                priority=50,
                approval_required=True,
                template_categories=[TemplateCategory.APOLOGY, TemplateCategory.PRIVATE_CHANNEL],
                tags=[_("avis négatif")],
            ),
        ),
        (
            _("Réclamation"),
            _("Accuser réception, s'excuser, proposer une solution concrète et un canal privé."),
            RuleConditions(types=[MentionType.COMPLAINT]),
            RuleActions(
                team_id=service,
                assign="least_loaded",
                priority=40,
                template_categories=[TemplateCategory.APOLOGY, TemplateCategory.PRIVATE_CHANNEL],
                tags=[_("réclamation")],
            ),
        ),
        (
            _("Question"),
            _("Répondre, ou orienter vers l'équipe experte."),
            RuleConditions(types=[MentionType.QUESTION]),
            RuleActions(
                team_id=experts or service,
                assign="round_robin",
                template_categories=[TemplateCategory.INFORMATION],
                tags=[_("question")],
            ),
        ),
        (
            _("Compliment"),
            _("Remercier personnellement."),
            RuleConditions(types=[MentionType.PRAISE]),
            RuleActions(
                team_id=service,
                assign="round_robin",
                template_categories=[TemplateCategory.THANKS],
                tags=[_("compliment")],
            ),
        ),
    ]


def do_seed_default_routing(
    organisation: Organisation, *, actor: User | None = None, force: bool = False
) -> list[RoutingRule]:
    """Give ``organisation`` the default scheme, once: a scheme a manager emptied on purpose is not
    refilled behind their back (``force`` does it on request, when the scheme is empty)."""
    if scoped(RoutingRule, organisation).exists():
        return []
    if not force and scoped(AuditEvent, organisation).filter(verb=SEEDED_VERB).exists():
        return []
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if scoped(RoutingRule, organisation).exists():
            return []
        rules = [
            do_create_routing_rule(
                organisation, name, conditions, actions, description=description, actor=actor, position=index
            )
            for index, (name, description, conditions, actions) in enumerate(default_scheme(organisation))
        ]
        do_record_audit_event(organisation, SEEDED_VERB, actor=actor, data={"rules": [r.name for r in rules]})
    return rules
