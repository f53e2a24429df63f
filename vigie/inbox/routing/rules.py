"""The rules of the comment-handling scheme, and the decision they lead to for a mention.

Each organisation keeps an ordered list of ``RoutingRule`` rows. A rule's conditions
(``RuleConditions``) look at what the analysis said of a mention (type, sentiment, stars, themes,
toxicity, legal risk, language), where it comes from (platform, source, location) and who wrote
it (reach, flags): its ``Facts``. The first enabled rule whose conditions all hold decides
(``RuleActions``) the case's team, assignee, priority, SLA, suggested templates, approval, tags,
whether an answer is needed, and escalation. With no match, the charter's defaults apply (answer
or not per comment type, the SLA delay, approval of low ratings). ``decide`` says what all this
leads to for one mention, and writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from django.db.models import Q
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vigie.analysis.queries import results_by_mention, user_toxicity
from vigie.charter.document import CharterDocument
from vigie.charter.queries import current_charter
from vigie.connectors.platforms import (
    PlatformKind,
    platform_facts,
    platform_name,
    platform_of,
)
from vigie.core.models import Organisation, Team
from vigie.core.tenancy import scoped
from vigie.inbox.models import NoAnswerReason, RoutingRule, Template, TemplateCategory
from vigie.inbox.sla.clock import first_response_hours
from vigie.mentions.models import Mention, MentionKind, MentionType, Sentiment

logger = logging.getLogger(__name__)

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
    # A customer review with its own star rating, whatever brought it in (an imported file's
    # reviews too, whose source is no review platform).
    rated_review: bool = False


# The sentence encoder's result holds the toxicity verdict a user sees where the fast one doubted.
FACT_ANALYZERS = ("toxicity", "sentiment", "encoder_sentiment")


def analysis_results(organisation: Organisation, mention_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The toxicity and sentiment results of many mentions in one query, merged per mention."""
    return results_by_mention(organisation, mention_ids, FACT_ANALYZERS)


def facts_for(mention: Mention, results: dict[str, Any] | None = None) -> Facts:
    """The facts of a stored mention: its denormalised analysis plus the toxicity and stars results
    (read here unless ``results`` already holds them)."""
    if results is None:
        results = analysis_results(mention.organisation, [mention.pk]).get(mention.pk, {})
    toxicity = user_toxicity(results) if isinstance(results.get("toxicity"), dict) else {}
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
        rated_review=mention.kind == MentionKind.REVIEW and mention.rating is not None,
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


def rule_platforms(slugs: Sequence[str]) -> list[str]:
    """The platforms a rule names, each once under the slug the rule form offers it by: a rule
    stored with another name of a platform ("twitter", "google") reads "x", "google_business"."""
    return list(dict.fromkeys(platform_of(str(slug)) for slug in slugs))


def platform_matches(wanted: Sequence[str], platform: str) -> bool:
    """Whether a mention from ``platform`` meets a rule's platforms ``wanted`` (none: any). One
    platform under two names is one platform: a rule for X takes the items imported as
    "twitter", one stored as "google" the Google Business Profile reviews, and the reverse."""
    return not wanted or (bool(platform) and platform_of(platform) in rule_platforms(wanted))


def check_conditions(
    conditions: RuleConditions, facts: Facts, names: Mapping[str, Mapping[str, str]] | None = None
) -> list[Check]:
    """Every non-empty condition, with whether the facts satisfy it.

    Values are compared as stored (slugs, ids) and shown by their labels: types, sentiments,
    platforms and author profiles always; sources, locations and themes when ``names`` gives
    the organisation's (``{"source": {id: name}, "location": {...}, "theme": {slug: label}}``).
    """
    from vigie.mentions.models import AuthorFlag

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
    if c.platforms:
        # One name per platform, the connector's, for the rule's platforms and the mention's.
        wanted = rule_platforms(c.platforms)
        checks.append(
            Check(
                _("Plateforme"),
                _fmt(platform_name(slug) for slug in wanted),
                platform_name(facts.platform) if facts.platform else "—",
                platform_matches(c.platforms, facts.platform),
            )
        )
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
        and platform_matches(c.platforms, facts.platform)
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


# A review rated this low always needs an answer, whatever its type.
ALWAYS_ANSWER_STARS = 1.0


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
    no_answer_reason: str
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
    no_answer_reason = ""
    if actions.no_answer:
        reasons.append(_("La règle dit : pas de réponse"))
        no_answer_reason = NoAnswerReason.RULE
    elif not policy.answer:
        reasons.append(_("La charte ne prévoit pas de réponse pour ce type"))
        no_answer_reason = NoAnswerReason.CHARTER
    if no_answer_reason and facts.type in (MentionType.TROLL, MentionType.SPAM):
        no_answer_reason = NoAnswerReason(facts.type)
    # A one-star review is read by every future customer: it always gets an answer, even when
    # its tone reads like a troll's (spam excepted: a fake review is reported, not answered).
    one_star_review = (
        facts.stars is not None
        and facts.stars <= ALWAYS_ANSWER_STARS
        and (facts.rated_review or platform_facts(facts.platform).kind == PlatformKind.REVIEWS)
    )
    answer_type = facts.type or "other"
    if not needs_answer and one_star_review and facts.type != MentionType.SPAM:
        needs_answer, no_answer_reason = True, ""
        answer_type = MentionType.COMPLAINT
        reasons.append(_("Avis 1★ : une réponse est toujours due"))
    if channel is not None and not channel.engaged:
        needs_answer = False
        no_answer_reason = NoAnswerReason.CHANNEL
        reasons.append(
            _("La charte n'engage pas la conversation sur %(platform)s") % {"platform": facts.platform}
        )
    sla_hours: float | None = None
    if needs_answer:
        sla_hours = actions.sla_hours or first_response_hours(
            charter, platform=facts.platform, comment_type=answer_type
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
        no_answer_reason="" if needs_answer else str(no_answer_reason or NoAnswerReason.CHARTER),
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
