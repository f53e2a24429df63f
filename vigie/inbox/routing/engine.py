"""The comment-handling scheme: ordered rules that turn analysed mentions into cases.

Each organisation keeps an ordered list of ``RoutingRule`` rows. A rule's conditions look at what
the analysis said of a mention (type, sentiment, stars, themes, toxicity, legal risk, language),
where it comes from (platform, source, location) and who wrote it (reach, flags); the first enabled
rule whose conditions all hold decides the case's team, assignee, priority, SLA, suggested
templates, approval, tags, whether an answer is needed, and escalation. With no match, the charter's
defaults apply (answer or not per comment type, the SLA delay, approval of low ratings).

``do_route_mention`` is called after each analysis batch. It creates the case, or on re-analysis
updates what routing decides without undoing what a person decided (an assignment, a status or a
priority set by hand). ``explain_mention`` answers the dry-run question, "which rule would this
mention hit, and why", and writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vigie.analysis.models import AnalysisResult
from vigie.charter.document import CharterDocument
from vigie.charter.queries import current_charter
from vigie.core.actions import do_notify, do_record_audit_event, do_record_audit_events
from vigie.core.models import AuditEvent, Membership, Organisation, Team, User
from vigie.core.roles import HANDLE_CASES, MANAGE, Role, has_role
from vigie.core.tenancy import scoped
from vigie.inbox.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    MemberAvailability,
    RoutingRule,
    Template,
    TemplateCategory,
)
from vigie.inbox.sla.clock import calendar_for_organisation, due_at, first_response_hours
from vigie.mentions.models import Mention, MentionType, Sentiment

logger = logging.getLogger(__name__)

SEEDED_VERB = "routing.scheme_seeded"
AssignMode = Literal["none", "round_robin", "least_loaded"]


# --- the rule's two halves -------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleConditions(_Strict):
    """What a mention must show for a rule to apply. Empty fields are not checked; a list holds
    when any of its values matches; all non-empty fields must hold."""

    types: list[MentionType] = Field(default_factory=list)
    sentiments: list[Sentiment] = Field(default_factory=list)
    stars_min: float | None = Field(default=None, ge=1, le=5)
    stars_max: float | None = Field(default=None, ge=1, le=5)
    themes: list[str] = Field(default_factory=list)
    platforms: list[str] = Field(default_factory=list)
    source_ids: list[int] = Field(default_factory=list)
    location_ids: list[int] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    reach_min: int | None = Field(default=None, ge=0)
    author_flags: list[str] = Field(default_factory=list)
    toxic: bool | None = None
    legal_risk: bool | None = None


class RuleActions(_Strict):
    """What a matching rule does to the case."""

    team_id: int | None = None
    assign: AssignMode = "none"
    # A floor: the case's priority is at least this (the analysis may rank it higher).
    priority: int | None = Field(default=None, ge=0, le=100)
    # Business hours for a first answer; empty means the charter's delay.
    sla_hours: float | None = Field(default=None, gt=0)
    template_ids: list[int] = Field(default_factory=list)
    template_categories: list[TemplateCategory] = Field(default_factory=list)
    approval_required: bool = False
    tags: list[str] = Field(default_factory=list)
    no_answer: bool = False
    escalate: bool = False


def rule_conditions(rule: RoutingRule) -> RuleConditions | None:
    """The rule's conditions; None for a row edited by hand into nonsense, which then matches nothing.

    Parsed once per rule object and JSON value: routing asks for every rule of every mention.
    """
    raw = rule.conditions
    cached = rule.__dict__.get("_parsed_conditions")
    if cached is not None and cached[0] is raw:
        return cast(RuleConditions | None, cached[1])
    try:
        parsed: RuleConditions | None = RuleConditions.model_validate(raw or {})
    except ValidationError:
        logger.warning("routing rule %s has invalid conditions; it is skipped", rule.pk)
        parsed = None
    rule.__dict__["_parsed_conditions"] = (raw, parsed)
    return parsed


def rule_actions(rule: RoutingRule) -> RuleActions:
    """The rule's actions; a row edited by hand into nonsense does nothing rather than crash."""
    raw = rule.actions
    cached = rule.__dict__.get("_parsed_actions")
    if cached is not None and cached[0] is raw:
        return cast(RuleActions, cached[1])
    try:
        parsed = RuleActions.model_validate(raw or {})
    except ValidationError:
        logger.warning("routing rule %s has invalid actions; none applied", rule.pk)
        parsed = RuleActions()
    rule.__dict__["_parsed_actions"] = (raw, parsed)
    return parsed


# --- what a rule sees of a mention -------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """Everything a rule's conditions look at, gathered from a mention and its analysis (or typed
    into the dry-run form)."""

    type: str = ""
    sentiment: str = ""
    stars: float | None = None
    themes: tuple[str, ...] = ()
    platform: str = ""
    source_id: int | None = None
    location_id: int | None = None
    language: str = ""
    text: str = ""
    reach: int = 0
    author_flags: tuple[str, ...] = ()
    toxic: bool = False
    legal_risk: bool = False
    toxicity_categories: tuple[str, ...] = ()


FACT_ANALYZERS = ("toxicity", "sentiment")


def analysis_results(organisation: Organisation, mention_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The toxicity and sentiment results of many mentions in one query, merged per mention."""
    merged: dict[int, dict[str, Any]] = {}
    rows = scoped(AnalysisResult, organisation).filter(
        mention_id__in=list(mention_ids), analyzer__in=FACT_ANALYZERS
    )
    for mention_id, result in rows.values_list("mention_id", "result"):
        if isinstance(result, dict):
            merged.setdefault(mention_id, {}).update(result)
    return merged


def facts_for(mention: Mention, results: dict[str, Any] | None = None) -> Facts:
    """The facts of a stored mention: its denormalised analysis plus the toxicity and stars results
    (read here unless ``results`` already holds them)."""
    if results is None:
        results = analysis_results(mention.organisation, [mention.pk]).get(mention.pk, {})
    toxicity = results.get("toxicity") if isinstance(results.get("toxicity"), dict) else {}
    stars: float | None = float(mention.rating) if mention.rating is not None else None
    if stars is None and isinstance(results.get("stars"), int | float):
        stars = float(results["stars"])
    author = mention.author
    reach = max(mention.reach or 0, (author.followers_count or 0) if author else 0)
    return Facts(
        type=mention.mention_type,
        sentiment=mention.sentiment,
        stars=stars,
        themes=tuple(str(t) for t in mention.themes or ()),
        platform=mention.source.platform,
        source_id=mention.source_id,
        location_id=mention.location_id,
        language=mention.language,
        text=f"{mention.title}\n{mention.text}",
        reach=reach,
        author_flags=tuple(str(f) for f in (author.flags if author else []) or ()),
        toxic=bool((toxicity or {}).get("toxic")),
        legal_risk=bool((toxicity or {}).get("legal_risk")),
        toxicity_categories=tuple(str(c) for c in (toxicity or {}).get("categories") or ()),
    )


@dataclass(frozen=True)
class Check:
    """One condition of a rule tested against the facts: shown by the dry-run."""

    label: str
    expected: str
    actual: str
    ok: bool


def _fmt(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values) or "—"


def _shown(choices: Iterable[tuple[str, Any]]) -> Callable[[str], str]:
    """Show a stored value by its label among ``choices`` (itself when unknown)."""
    labels = dict(choices)
    return lambda value: str(labels.get(value, value))


def check_conditions(
    conditions: RuleConditions, facts: Facts, names: Mapping[str, Mapping[str, str]] | None = None
) -> list[Check]:
    """Every non-empty condition, with whether the facts satisfy it.

    Values are compared as stored (slugs, ids) and shown by their labels: types, sentiments,
    platforms and author profiles always; sources, locations and themes when ``names`` gives
    the organisation's (``{"source": {id: name}, "location": {...}, "theme": {slug: label}}``).
    """
    from vigie.connectors.registry import platform_label
    from vigie.inbox.actions import AuthorFlag

    checks: list[Check] = []

    def one_of(label: str, wanted: Sequence[Any], actual: str, shown: Callable[[str], str] = str) -> None:
        if wanted:
            values = [str(v) for v in wanted]
            display = shown(actual) if actual else "—"
            checks.append(Check(label, _fmt(shown(v) for v in values), display, actual in values))

    def any_of(
        label: str, wanted: Sequence[str], actual: Sequence[str], shown: Callable[[str], str] = str
    ) -> None:
        if wanted:
            ok = bool({w.casefold() for w in wanted} & {a.casefold() for a in actual})
            checks.append(Check(label, _fmt(shown(w) for w in wanted), _fmt(shown(a) for a in actual), ok))

    c = conditions
    one_of(_("Type"), c.types, facts.type, _shown(MentionType.choices))
    one_of(_("Sentiment"), c.sentiments, facts.sentiment, _shown(Sentiment.choices))
    stars = "—" if facts.stars is None else f"{facts.stars:g}"
    if c.stars_min is not None:
        checks.append(
            Check(
                _("Étoiles au moins"),
                f"{c.stars_min:g}",
                stars,
                facts.stars is not None and facts.stars >= c.stars_min,
            )
        )
    if c.stars_max is not None:
        checks.append(
            Check(
                _("Étoiles au plus"),
                f"{c.stars_max:g}",
                stars,
                facts.stars is not None and facts.stars <= c.stars_max,
            )
        )
    names = names or {}
    any_of(_("Thèmes"), c.themes, facts.themes, _shown(names.get("theme", {}).items()))
    one_of(_("Plateforme"), c.platforms, facts.platform, platform_label)
    one_of(_("Source"), c.source_ids, str(facts.source_id or ""), _shown(names.get("source", {}).items()))
    one_of(_("Lieu"), c.location_ids, str(facts.location_id or ""), _shown(names.get("location", {}).items()))
    one_of(_("Langue"), c.languages, facts.language)
    if c.keywords:
        text = facts.text.casefold()
        found = [k for k in c.keywords if k.strip() and k.strip().casefold() in text]
        checks.append(Check(_("Mots-clés"), _fmt(c.keywords), _fmt(found), bool(found)))
    if c.reach_min is not None:
        checks.append(
            Check(_("Audience au moins"), str(c.reach_min), str(facts.reach), facts.reach >= c.reach_min)
        )
    any_of(_("Profil de l'auteur"), c.author_flags, facts.author_flags, _shown(AuthorFlag.choices))
    if c.toxic is not None:
        checks.append(Check(_("Toxique"), _yes_no(c.toxic), _yes_no(facts.toxic), facts.toxic == c.toxic))
    if c.legal_risk is not None:
        checks.append(
            Check(
                _("Risque juridique"),
                _yes_no(c.legal_risk),
                _yes_no(facts.legal_risk),
                facts.legal_risk == c.legal_risk,
            )
        )
    return checks


def conditions_hold(conditions: RuleConditions, facts: Facts) -> bool:
    """Whether every condition holds: ``check_conditions`` without the explanations, for the
    routing of each new mention (a test keeps the two in agreement)."""
    c = conditions

    def one_of(wanted: Sequence[Any], actual: str) -> bool:
        return not wanted or actual in [str(v) for v in wanted]

    def any_of(wanted: Sequence[str], actual: Sequence[str]) -> bool:
        return not wanted or bool({w.casefold() for w in wanted} & {a.casefold() for a in actual})

    stars = facts.stars
    return (
        one_of(c.types, facts.type)
        and one_of(c.sentiments, facts.sentiment)
        and (c.stars_min is None or (stars is not None and stars >= c.stars_min))
        and (c.stars_max is None or (stars is not None and stars <= c.stars_max))
        and any_of(c.themes, facts.themes)
        and one_of(c.platforms, facts.platform)
        and one_of(c.source_ids, str(facts.source_id or ""))
        and one_of(c.location_ids, str(facts.location_id or ""))
        and one_of(c.languages, facts.language)
        and (
            not c.keywords
            or any(k.strip() and k.strip().casefold() in facts.text.casefold() for k in c.keywords)
        )
        and (c.reach_min is None or facts.reach >= c.reach_min)
        and any_of(c.author_flags, facts.author_flags)
        and (c.toxic is None or facts.toxic == c.toxic)
        and (c.legal_risk is None or facts.legal_risk == c.legal_risk)
    )


def _yes_no(value: bool) -> str:
    return _("oui") if value else _("non")


# --- the decision ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleEvaluation:
    rule: RoutingRule
    checks: list[Check]
    matched: bool


@dataclass
class Decision:
    """What routing decides for one mention."""

    rule: RoutingRule | None
    actions: RuleActions
    needs_answer: bool
    sla_hours: float | None
    priority: int
    approval_required: bool
    approval_reasons: list[str]
    template_ids: list[int]
    tags: list[str]
    team: Team | None
    reasons: list[str] = field(default_factory=list)
    evaluations: list[RuleEvaluation] = field(default_factory=list)

    @property
    def rule_name(self) -> str:
        return self.rule.name if self.rule else ""


def ordered_rules(organisation: Organisation) -> list[RoutingRule]:
    """The organisation's rules in the order routing tries them."""
    return list(scoped(RoutingRule, organisation).order_by("position", "id"))


def evaluate_rules(
    rules: Sequence[RoutingRule], facts: Facts, *, explain: bool = True
) -> tuple[RoutingRule | None, list[RuleEvaluation]]:
    """First-match: the first enabled rule whose conditions all hold, and how every rule fared
    (only the first when ``explain`` is false: routing needs no explanation of the others)."""
    chosen: RoutingRule | None = None
    evaluations = []
    if not explain:
        for rule in rules:
            conditions = rule_conditions(rule)
            if rule.enabled and conditions is not None and conditions_hold(conditions, facts):
                return rule, []
        return None, []
    for rule in rules:
        conditions = rule_conditions(rule)
        if conditions is None:
            checks = [Check(_("Conditions"), _("valides"), _("invalides"), False)]
        else:
            checks = check_conditions(conditions, facts)
        matched = rule.enabled and all(check.ok for check in checks)
        evaluations.append(RuleEvaluation(rule, checks, matched and chosen is None))
        if matched and chosen is None:
            chosen = rule
    return chosen, evaluations


def decide(
    organisation: Organisation,
    facts: Facts,
    *,
    mention_priority: int = 0,
    language: str = "",
    charter: CharterDocument | None = None,
    rules: Sequence[RoutingRule] | None = None,
    teams: dict[int, Team] | None = None,
    template_cache: dict[tuple[Any, ...], list[int]] | None = None,
    explain: bool = True,
) -> Decision:
    """What the scheme and the charter say for a mention with ``facts``. Reads only.

    ``explain`` false leaves out how each rule fared (``evaluations``), which only the dry-run
    shows."""
    charter = charter or current_charter(organisation)
    rules = ordered_rules(organisation) if rules is None else rules
    rule, evaluations = evaluate_rules(rules, facts, explain=explain)
    actions = rule_actions(rule) if rule else RuleActions()
    reasons: list[str] = []
    if rule is not None:
        reasons.append(_("Règle « %(name)s »") % {"name": rule.name})
    else:
        reasons.append(_("Aucune règle ne s'applique : valeurs par défaut de la charte"))
    policy = charter.response_for(facts.type or "other")
    channel = charter.channel(facts.platform)
    needs_answer = policy.answer and not actions.no_answer
    if actions.no_answer:
        reasons.append(_("La règle dit : pas de réponse"))
    elif not policy.answer:
        reasons.append(_("La charte ne prévoit pas de réponse pour ce type"))
    if channel is not None and not channel.engaged:
        needs_answer = False
        reasons.append(
            _("La charte n'engage pas la conversation sur %(platform)s") % {"platform": facts.platform}
        )
    sla_hours: float | None = None
    if needs_answer:
        sla_hours = actions.sla_hours or first_response_hours(
            charter, platform=facts.platform, comment_type=facts.type or "other"
        )
    approval_reasons: list[str] = []
    if actions.approval_required:
        approval_reasons.append(_("exigée par la règle"))
    threshold = charter.approval.stars_at_most
    if threshold is not None and facts.stars is not None and facts.stars <= threshold:
        approval_reasons.append(_("note de %(stars)s étoile(s) ou moins") % {"stars": threshold})
    if charter.approval.legal_risk and facts.legal_risk:
        approval_reasons.append(_("risque juridique"))
    team = None
    if actions.team_id is not None:
        if teams is None:
            team = scoped(Team, organisation).filter(pk=actions.team_id).first()
        else:
            team = teams.get(actions.team_id)
    return Decision(
        rule=rule,
        actions=actions,
        needs_answer=needs_answer,
        sla_hours=sla_hours,
        priority=max(mention_priority, actions.priority or 0),
        approval_required=bool(approval_reasons),
        approval_reasons=approval_reasons,
        template_ids=_templates(organisation, rule, actions, language, facts.platform, template_cache),
        tags=list(dict.fromkeys(t.strip() for t in actions.tags if t.strip())),
        team=team,
        reasons=reasons,
        evaluations=evaluations,
    )


def _templates(
    organisation: Organisation,
    rule: RoutingRule | None,
    actions: RuleActions,
    language: str,
    platform: str,
    cache: dict[tuple[Any, ...], list[int]] | None,
) -> list[int]:
    if cache is None:
        return suggested_templates(organisation, actions, language=language, platform=platform)
    key = (rule.pk if rule else None, language, platform)
    if key not in cache:
        cache[key] = suggested_templates(organisation, actions, language=language, platform=platform)
    return list(cache[key])


def suggested_templates(
    organisation: Organisation, actions: RuleActions, *, language: str = "", platform: str = ""
) -> list[int]:
    """The rule's templates by id, then those of its categories that fit the language and platform."""
    templates = scoped(Template, organisation)
    ids = list(templates.filter(pk__in=actions.template_ids).values_list("pk", flat=True))
    ordered = [pk for pk in actions.template_ids if pk in ids]
    if actions.template_categories:
        fitting = templates.filter(category__in=actions.template_categories).filter(
            Q(platform="") | Q(platform=platform)
        )
        if language:
            fitting = fitting.filter(language=language)
        by_category = sorted(
            fitting.order_by("-pre_approved", "-usage_count", "name").values_list("pk", "category"),
            key=lambda row: actions.template_categories.index(TemplateCategory(row[1])),
        )
        ordered += [pk for pk, _category in by_category if pk not in ordered]
    return ordered


# --- assignment --------------------------------------------------------------------------------------


def away_user_ids(organisation: Organisation, at: datetime) -> set[int]:
    """Members marked unavailable at ``at``."""
    return set(
        scoped(MemberAvailability, organisation)
        .filter(unavailable_until__gt=at)
        .values_list("user_id", flat=True)
    )


def assignment_pool(organisation: Organisation, team: Team | None, at: datetime) -> list[Membership]:
    """Who may receive a case automatically: the team's members who handle cases, or, with no team,
    the organisation's agents. People marked away are left out."""
    members = scoped(Membership, organisation).filter(is_active=True, user__is_active=True)
    if team is not None:
        members = members.filter(teams=team)
        members = members.filter(role__in=[r.value for r in Role if has_role(r, HANDLE_CASES)])
    else:
        members = members.filter(role=Role.AGENT)
    away = away_user_ids(organisation, at)
    return [m for m in members.select_related("user").order_by("user_id") if m.user_id not in away]


@dataclass
class AssignmentState:
    """What assignment reads once per routing batch instead of once per case: each round-robin
    rule's cursor (locked for the batch, written back by ``save``) and everyone's open cases."""

    cursors: dict[int, int | None] = field(default_factory=dict)  # rule id -> last assignee id
    loads: dict[int, int] | None = None  # user id -> open cases, counting this batch's
    moved: set[int] = field(default_factory=set)

    def save(self) -> None:
        """Write back the cursors the batch moved."""
        for rule_id in sorted(self.moved):
            RoutingRule.objects.filter(pk=rule_id).update(last_assignee_id=self.cursors[rule_id])
        self.moved.clear()


def _open_loads(organisation: Organisation, user_ids: Iterable[int] | None = None) -> dict[int, int]:
    cases = scoped(Case, organisation).filter(status__in=OPEN_STATUSES, assignee_id__isnull=False)
    if user_ids is not None:
        cases = cases.filter(assignee_id__in=list(user_ids))
    return dict(cases.values_list("assignee_id").annotate(n=Count("id")).values_list("assignee_id", "n"))


def pick_assignee(
    rule: RoutingRule,
    mode: AssignMode,
    pool: Sequence[Membership],
    *,
    commit: bool,
    state: AssignmentState | None = None,
) -> User | None:
    """The next person under ``mode``. Round-robin moves the rule's cursor only when ``commit``;
    with a batch's ``state``, the cursor and the loads are read once and kept there."""
    if mode == "none" or not pool:
        return None
    if mode == "least_loaded":
        if state is None:
            loads = _open_loads(rule.organisation, [m.user_id for m in pool])
        else:
            if state.loads is None:
                state.loads = _open_loads(rule.organisation)
            loads = state.loads
        chosen = min(pool, key=lambda m: (loads.get(m.user_id, 0), m.user_id))
        if commit and state is not None:
            loads[chosen.user_id] = loads.get(chosen.user_id, 0) + 1
        return chosen.user
    last = rule.last_assignee_id
    if commit:
        if state is not None and rule.pk in state.cursors:
            last = state.cursors[rule.pk]
        else:
            last = (
                RoutingRule.objects.select_for_update()
                .filter(pk=rule.pk)
                .values_list("last_assignee_id", flat=True)
                .first()
            )
    following = [m for m in pool if last is None or m.user_id > last]
    chosen = (following or list(pool))[0]
    if commit:
        if state is None:
            RoutingRule.objects.filter(pk=rule.pk).update(last_assignee=chosen.user)
        else:
            state.cursors[rule.pk] = chosen.user_id
            state.moved.add(rule.pk)
        rule.last_assignee_id = chosen.user_id
    return chosen.user


# --- routing a mention ---------------------------------------------------------------------------------

# Audit verbs by which a person takes a decision routing must not undo, and the field each guards.
HUMAN_VERBS = {
    "case.assigned": "assignee",
    "case.team_changed": "team",
    "case.status_changed": "status",
    "case.priority_changed": "priority",
}


def human_decisions(organisation: Organisation, case_ids: Iterable[int]) -> dict[int, set[str]]:
    """Per case, the fields a person decided (from the audit log), for many cases in one query."""
    decided: dict[int, set[str]] = {}
    rows = scoped(AuditEvent, organisation).filter(
        object_type=Case._meta.label_lower,
        object_id__in=[str(pk) for pk in case_ids],
        actor__isnull=False,
        verb__in=list(HUMAN_VERBS),
    )
    for object_id, verb in rows.values_list("object_id", "verb"):
        decided.setdefault(int(object_id), set()).add(HUMAN_VERBS[verb])
    return decided


def _is_own_post(mention: Mention) -> bool:
    # The organisation's own posts and replies come back through the connectors; they are no case.
    handle = (mention.source.account_handle or "").strip().lstrip("@").casefold()
    author = mention.author
    return bool(handle and author and (author.handle or "").strip().lstrip("@").casefold() == handle)


def _deadline(
    mention: Mention, decision: Decision, charter: CharterDocument, paused_seconds: int
) -> datetime | None:
    if not decision.needs_answer or decision.sla_hours is None:
        return None
    calendar = calendar_for_organisation(
        charter, mention.organisation.timezone, location=mention.location if mention.location_id else None
    )
    deadline = due_at(mention.created_at, decision.sla_hours, calendar)
    if paused_seconds:
        deadline = due_at(deadline, paused_seconds / 3600, calendar)
    return deadline


@dataclass(frozen=True)
class Scheme:
    """What routing reads once per batch: the charter, the ordered rules and the teams, plus what
    it looks up along the way (templates per rule, assignment pools per team, analysis results)."""

    charter: CharterDocument
    rules: list[RoutingRule]
    teams: dict[int, Team]
    templates: dict[tuple[Any, ...], list[int]] = field(default_factory=dict)
    pools: dict[int | None, list[Membership]] = field(default_factory=dict)
    analysis: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Preloaded for a batch (mention id -> its case, locked); None: read each case when needed.
    cases: dict[int, Case] | None = None
    human: dict[int, set[str]] = field(default_factory=dict)
    # A batch's audit events, appended to the log in one go by ``flush`` (None: one at a time),
    # and its assignment cursors and loads.
    events: list[dict[str, Any]] | None = None
    assignment: AssignmentState | None = None

    def record(
        self, organisation: Organisation, verb: str, case: Case, data: dict[str, Any], at: datetime
    ) -> None:
        """Log ``verb`` on ``case``: now, or with the batch."""
        if self.events is None:
            do_record_audit_event(organisation, verb, obj=case, data=data, at=at)
            return
        self.events.append(
            {
                "verb": verb,
                "at": at,
                "object_type": case._meta.label_lower,
                "object_id": str(case.pk),
                "data": data,
            }
        )

    def flush(self, organisation: Organisation) -> None:
        """Append the batch's pending events to the log (before anything else writes to it)."""
        if self.events:
            do_record_audit_events(organisation, self.events)
            self.events.clear()

    @classmethod
    def load(cls, organisation: Organisation) -> Scheme:
        """Read the organisation's charter, rules and teams."""
        return cls(
            current_charter(organisation),
            ordered_rules(organisation),
            {team.pk: team for team in scoped(Team, organisation)},
        )

    def pool(self, organisation: Organisation, team: Team | None, at: datetime) -> list[Membership]:
        """``assignment_pool`` for ``team``, read once per batch."""
        key = team.pk if team else None
        if key not in self.pools:
            self.pools[key] = assignment_pool(organisation, team, at)
        return self.pools[key]


def do_route_mentions(organisation: Organisation, mention_ids: Iterable[int]) -> int:
    """Route each of the organisation's mentions ``mention_ids``; returns how many cases exist for them.

    The charter and the rules are read once for the batch, and the batch is one transaction.
    """
    mentions = (
        scoped(Mention, organisation)
        .filter(pk__in=list(mention_ids))
        .select_related("source", "author", "location", "organisation")
        .order_by("created_at", "pk")
    )
    do_seed_default_routing(organisation)
    scheme = Scheme.load(organisation)
    batch = list(mentions)
    scheme.analysis.update(analysis_results(organisation, [m.pk for m in batch]))
    routed = 0
    with transaction.atomic():
        # The batch's audit events are appended at its end: hold the organisation's log (the
        # lock every audit writer takes) from now on, so none can slip in between and the log
        # stays in the order things happened.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        # The batch's existing cases and what people decided on them, in two queries.
        existing = (
            Case.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(mention_id__in=[m.pk for m in batch])
        )
        cases = {case.mention_id: case for case in existing}
        scheme = replace(
            scheme,
            cases=cases,
            human=human_decisions(organisation, [c.pk for c in cases.values()]),
            events=[],
            assignment=AssignmentState(),
        )
        for mention in batch:
            if do_route_mention(mention, scheme=scheme) is not None:
                routed += 1
        scheme.flush(organisation)
        assert scheme.assignment is not None
        scheme.assignment.save()
    return routed


def do_route_mention(mention: Mention, *, scheme: Scheme | None = None) -> Case | None:
    """Create or update the case of an analysed ``mention`` from the scheme and the charter.

    Idempotent: routing the same mention twice changes nothing the second time. On re-analysis,
    what routing owns (rule, approval, templates, tags added, deadline before the first answer)
    follows the new analysis, while an assignee, team, status or priority set by a person stays.
    Deleted mentions and the organisation's own posts get no case (None).
    """
    organisation = mention.organisation
    if mention.deleted_at is not None or _is_own_post(mention):
        return Case.objects.filter(mention=mention).first()
    if scheme is None:
        do_seed_default_routing(organisation)
        scheme = Scheme.load(organisation)
    pending = len(scheme.events) if scheme.events is not None else 0
    try:
        with transaction.atomic():
            return _route(mention, scheme)
    except IntegrityError:
        # Another worker created the case between our read and our insert: update it instead
        # (and forget what the rolled-back attempt meant to log).
        if scheme.events is not None:
            del scheme.events[pending:]
        with transaction.atomic():
            return _route(mention, replace(scheme, cases=None))


def _route(mention: Mention, scheme: Scheme) -> Case:
    organisation = mention.organisation
    charter = scheme.charter
    results = scheme.analysis.get(mention.pk, {}) if scheme.analysis else None
    decision = decide(
        organisation,
        facts_for(mention, results),
        mention_priority=mention.priority,
        language=mention.language,
        charter=charter,
        rules=scheme.rules,
        teams=scheme.teams,
        template_cache=scheme.templates,
        explain=False,
    )
    now = timezone.now()
    if scheme.cases is not None:
        existing = scheme.cases.get(mention.pk)
    else:
        existing = Case.objects.select_for_update().filter(mention=mention).first()
    if existing is None:
        return _create_case(mention, decision, scheme, now)
    return _update_case(existing, mention, decision, scheme, now)


# An escalation pages people: it is for what is happening now, not for an imported backlog.
ESCALATE_WITHIN = timedelta(days=7)


def _recent(mention: Mention, now: datetime) -> bool:
    return mention.created_at > now - ESCALATE_WITHIN


def _decision_data(decision: Decision) -> dict[str, Any]:
    return {
        "rule": decision.rule_name,
        "rule_id": decision.rule.pk if decision.rule else None,
        "reasons": decision.reasons,
        "needs_answer": decision.needs_answer,
        "approval_reasons": decision.approval_reasons,
    }


def _create_case(mention: Mention, decision: Decision, scheme: Scheme, now: datetime) -> Case:
    organisation = mention.organisation
    assignee = None
    if decision.rule is not None and decision.needs_answer:
        pool = scheme.pool(organisation, decision.team, now)
        assignee = pick_assignee(
            decision.rule, decision.actions.assign, pool, commit=True, state=scheme.assignment
        )
    status = CaseStatus.NEW if decision.needs_answer else CaseStatus.NO_ANSWER
    case = Case.objects.create(
        organisation=organisation,
        mention=mention,
        status=status,
        team=decision.team,
        assignee=assignee,
        priority=decision.priority,
        needs_answer=decision.needs_answer,
        sla_due_at=_deadline(mention, decision, scheme.charter, 0),
        resolved_at=None if decision.needs_answer else now,
        tags=decision.tags,
        routing_rule=decision.rule_name,
        approval_required=decision.approval_required,
        suggested_template_ids=decision.template_ids,
        created_at=now,
        updated_at=now,
    )
    data = _decision_data(decision) | {
        "team": decision.team.name if decision.team else None,
        "assignee": assignee.email if assignee else None,
        "priority": case.priority,
        "sla_due_at": case.sla_due_at.isoformat() if case.sla_due_at else None,
        "tags": case.tags,
    }
    scheme.record(organisation, "case.routed", case, data, now)
    if decision.actions.escalate and _recent(mention, now):
        scheme.flush(organisation)  # the escalation's own event comes after this one
        do_escalate_case(case, reason=_("règle « %(name)s »") % {"name": decision.rule_name}, at=now)
    return case


def _update_case(case: Case, mention: Mention, decision: Decision, scheme: Scheme, now: datetime) -> Case:
    if scheme.cases is not None:
        human = scheme.human.get(case.pk, set())
    else:
        human = human_decisions(case.organisation, [case.pk]).get(case.pk, set())
    changes: dict[str, Any] = {}
    if case.routing_rule != decision.rule_name:
        changes["routing_rule"] = decision.rule_name
    if case.approval_required != decision.approval_required:
        changes["approval_required"] = decision.approval_required
    if case.suggested_template_ids != decision.template_ids:
        changes["suggested_template_ids"] = decision.template_ids
    tags = list(dict.fromkeys([*case.tags, *decision.tags]))
    if tags != case.tags:
        changes["tags"] = tags
    if "priority" not in human and case.priority != decision.priority:
        changes["priority"] = decision.priority
    team_changed = False
    if (
        "team" not in human
        and "assignee" not in human
        and case.team_id != (decision.team.pk if decision.team else None)
    ):
        changes["team"] = decision.team
        team_changed = True
    # Routing's own assignment stays put unless the case moves to another team.
    may_assign = "assignee" not in human and decision.rule is not None and decision.needs_answer
    if may_assign and case.is_open and (team_changed or case.assignee_id is None):
        assert decision.rule is not None
        pool = scheme.pool(case.organisation, decision.team, now)
        assignee = pick_assignee(
            decision.rule, decision.actions.assign, pool, commit=True, state=scheme.assignment
        )
        if assignee is not None and assignee.pk != case.assignee_id:
            changes["assignee"] = assignee
        elif team_changed and assignee is None and case.assignee_id is not None:
            changes["assignee"] = None
    if "status" not in human:
        if not decision.needs_answer and case.status == CaseStatus.NEW:
            changes |= {"status": CaseStatus.NO_ANSWER, "resolved_at": now}
        elif decision.needs_answer and case.status == CaseStatus.NO_ANSWER:
            changes |= {"status": CaseStatus.NEW, "resolved_at": None}
        if case.needs_answer != decision.needs_answer:
            changes["needs_answer"] = decision.needs_answer
    if case.first_response_at is None:
        deadline = _deadline(mention, decision, scheme.charter, case.sla_paused_seconds)
        if deadline != case.sla_due_at and (decision.needs_answer or "status" not in human):
            changes["sla_due_at"] = deadline
    if not changes:
        return case
    changes["updated_at"] = now
    Case.objects.filter(pk=case.pk).update(**changes)
    for name, value in changes.items():
        setattr(case, name, value)
    shown = {
        name: (
            str(value)
            if isinstance(value, Team | User)
            else value.isoformat()
            if isinstance(value, datetime)
            else value
        )
        for name, value in changes.items()
        if name != "updated_at"
    }
    scheme.record(
        case.organisation,
        "case.rerouted",
        case,
        _decision_data(decision) | {"changes": shown, "kept": sorted(human)},
        now,
    )
    if decision.actions.escalate and case.escalated_at is None and _recent(mention, now):
        scheme.flush(case.organisation)  # the escalation's own event comes after this one
        do_escalate_case(case, reason=_("règle « %(name)s »") % {"name": decision.rule_name}, at=now)
    return case


# --- escalation ---------------------------------------------------------------------------------------


def supervisors(case: Case) -> list[User]:
    """Who hears of an escalation: the team's managers, else the organisation's managers and admins."""
    managers = scoped(Membership, case.organisation).filter(
        is_active=True, user__is_active=True, role__in=[r.value for r in Role if has_role(r, MANAGE)]
    )
    if case.team_id:
        in_team = [m.user for m in managers.filter(teams=case.team_id).select_related("user")]
        if in_team:
            return in_team
    return [m.user for m in managers.select_related("user").order_by("user__email")]


def case_url(case: Case) -> str:
    """The case page's address, for notifications (empty when the page is not installed)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("case_detail", args=[case.pk])
    except NoReverseMatch:
        return ""


@transaction.atomic
def do_escalate_case(
    case: Case, *, reason: str, at: datetime | None = None, actor: User | None = None
) -> bool:
    """Mark ``case`` escalated and tell the supervisors; False if it was already escalated."""
    at = at or timezone.now()
    claimed = Case.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=at)
    if not claimed:
        return False
    case.escalated_at = at
    recipients = supervisors(case)
    for user in recipients:
        do_notify(
            case.organisation,
            user,
            "case.escalated",
            _("Dossier %(ref)s escaladé : %(reason)s") % {"ref": case.reference, "reason": reason},
            url=case_url(case),
            data={"case_id": case.pk},
        )
    do_record_audit_event(
        case.organisation,
        "case.escalated",
        actor=actor,
        obj=case,
        data={"reason": reason, "notified": [u.email for u in recipients]},
        at=at,
    )
    return True


# --- the dry-run -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DryRun:
    """What routing would do with a mention, and why. Produced without writing anything."""

    facts: Facts
    decision: Decision
    assignee: User | None
    sla_due_at: datetime | None
    existing_case: Case | None


def explain_mention(mention: Mention) -> DryRun:
    """Dry-run on a stored mention: the rule it would hit, each rule's checks, the outcome."""
    organisation = mention.organisation
    charter = current_charter(organisation)
    facts = facts_for(mention)
    decision = decide(
        organisation, facts, mention_priority=mention.priority, language=mention.language, charter=charter
    )
    return _dry_run(organisation, facts, decision, charter, mention=mention)


def explain_facts(organisation: Organisation, facts: Facts, *, start: datetime | None = None) -> DryRun:
    """Dry-run on facts typed into the form (a mention that does not exist yet)."""
    charter = current_charter(organisation)
    decision = decide(organisation, facts, language=facts.language, charter=charter)
    return _dry_run(organisation, facts, decision, charter, start=start)


def _dry_run(
    organisation: Organisation,
    facts: Facts,
    decision: Decision,
    charter: CharterDocument,
    *,
    mention: Mention | None = None,
    start: datetime | None = None,
) -> DryRun:
    now = timezone.now()
    assignee = None
    if decision.rule is not None and decision.needs_answer:
        pool = assignment_pool(organisation, decision.team, now)
        assignee = pick_assignee(decision.rule, decision.actions.assign, pool, commit=False)
    deadline = None
    if decision.needs_answer and decision.sla_hours is not None:
        location = mention.location if mention is not None and mention.location_id else None
        calendar = calendar_for_organisation(charter, organisation.timezone, location=location)
        deadline = due_at(mention.created_at if mention else (start or now), decision.sla_hours, calendar)
    existing = Case.objects.filter(mention=mention).first() if mention is not None else None
    return DryRun(facts, decision, assignee, deadline, existing)


# --- editing the scheme ------------------------------------------------------------------------------------


def _validate_team(organisation: Organisation, actions: RuleActions) -> None:
    if actions.team_id is not None and not scoped(Team, organisation).filter(pk=actions.team_id).exists():
        raise ValueError(_("Équipe inconnue."))


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
    return [
        (
            "Menaces et diffamation possible",
            "Menace, haine ou accusation : modération, équipe juridique, preuve à capturer, "
            "validation obligatoire et escalade immédiate.",
            RuleConditions(legal_risk=True),
            RuleActions(
                team_id=legal or moderation,
                priority=90,
                approval_required=True,
                tags=["modération", "juridique", "preuve"],
                escalate=True,
            ),
        ),
        (
            "Insultes",
            "Propos injurieux : modération et preuve ; ne répondre qu'après validation.",
            RuleConditions(toxic=True),
            RuleActions(
                team_id=moderation,
                priority=70,
                approval_required=True,
                tags=["modération", "preuve"],
            ),
        ),
        (
            "Spam",
            "Masquer ou ignorer : pas de réponse.",
            RuleConditions(types=[MentionType.SPAM]),
            RuleActions(no_answer=True, tags=["spam", "à masquer"]),
        ),
        (
            "Troll",
            "Ne pas nourrir le troll : pas de réponse, surveiller.",
            RuleConditions(types=[MentionType.TROLL]),
            RuleActions(team_id=moderation, no_answer=True, tags=["troll", "à surveiller"]),
        ),
        (
            "Avis 1–2 étoiles",
            "Accuser réception, s'excuser, proposer une solution et un canal privé ; "
            "la réponse est validée par un superviseur.",
            RuleConditions(stars_max=low_stars),
            RuleActions(
                team_id=service,
                assign="least_loaded",
                priority=50,
                approval_required=True,
                template_categories=[TemplateCategory.APOLOGY, TemplateCategory.PRIVATE_CHANNEL],
                tags=["avis négatif"],
            ),
        ),
        (
            "Réclamation",
            "Accuser réception, s'excuser, proposer une solution concrète et un canal privé.",
            RuleConditions(types=[MentionType.COMPLAINT]),
            RuleActions(
                team_id=service,
                assign="least_loaded",
                priority=40,
                template_categories=[TemplateCategory.APOLOGY, TemplateCategory.PRIVATE_CHANNEL],
                tags=["réclamation"],
            ),
        ),
        (
            "Question",
            "Répondre, ou orienter vers l'équipe experte.",
            RuleConditions(types=[MentionType.QUESTION]),
            RuleActions(
                team_id=experts or service,
                assign="round_robin",
                template_categories=[TemplateCategory.INFORMATION],
                tags=["question"],
            ),
        ),
        (
            "Compliment",
            "Remercier personnellement.",
            RuleConditions(types=[MentionType.PRAISE]),
            RuleActions(
                team_id=service,
                assign="round_robin",
                template_categories=[TemplateCategory.THANKS],
                tags=["compliment"],
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


# --- the case timeline ----------------------------------------------------------------------------------------


def describe_routing_event(event: AuditEvent) -> str | None:
    """A sentence for the case timeline for the events routing and the SLA clock record; None for
    other verbs (the case page's own ``describe_event`` can fall back on it)."""
    data = event.data or {}
    if event.verb in ("case.routed", "case.rerouted"):
        rule = data.get("rule") or ""
        if event.verb == "case.rerouted":
            text = _("Aiguillage revu après une nouvelle analyse")
        else:
            text = _("Aiguillé")
        if rule:
            text += " — " + _("règle « %(name)s »") % {"name": rule}
        else:
            text += " — " + _("valeurs par défaut de la charte")
        if data.get("kept"):
            text += " " + _("(décisions conservées : %(fields)s)") % {"fields": ", ".join(data["kept"])}
        return text
    if event.verb == "case.escalated":
        return _("Escaladé : %(reason)s") % {"reason": data.get("reason") or "—"}
    if event.verb == "case.sla_warning":
        return _("Alerte : échéance proche")
    if event.verb == "case.sla_paused":
        return _("Délai suspendu : en attente du client")
    if event.verb == "case.sla_resumed":
        return _("Délai repris")
    return None
