"""Pages of the comment-handling scheme, under /routing/: the ordered rules (read by every member,
changed by managers), a rule's form, the dry-run, and members' availability."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError as PydanticValidationError

from vigie.analysis.queries import read_text, reader_theme_choices
from vigie.charter.document import FIRST_RESPONSE_HOURS
from vigie.connectors.models import Source
from vigie.connectors.platforms import all_platforms, platform_name
from vigie.core.decorators import current_membership, forbidden, member_required
from vigie.core.models import Membership, Organisation, Team
from vigie.core.queries import organisation_locations, organisation_teams
from vigie.core.roles import HANDLE_CASES, MANAGE, READ
from vigie.core.tenancy import get_in_org, scoped
from vigie.inbox.models import MemberAvailability, RoutingRule, Template, TemplateCategory
from vigie.inbox.queries import assignable_members
from vigie.inbox.routing.actions import (
    do_create_routing_rule,
    do_delete_routing_rule,
    do_move_routing_rule,
    do_seed_default_routing,
    do_set_member_availability,
    do_set_routing_rule_enabled,
    do_update_routing_rule,
)
from vigie.inbox.routing.dryrun import DryRun, explain_facts, explain_mention
from vigie.inbox.routing.rules import (
    Facts,
    RuleActions,
    RuleConditions,
    check_conditions,
    ordered_rules,
    rule_actions,
    rule_conditions,
    rule_platforms,
)
from vigie.mentions.models import Mention, MentionType, Sentiment
from vigie.mentions.queries import platforms

TRI_STATE = [("", gettext_lazy("Indifférent")), ("yes", gettext_lazy("Oui")), ("no", gettext_lazy("Non"))]
ASSIGN_CHOICES = [
    ("none", gettext_lazy("Ne pas attribuer")),
    ("round_robin", gettext_lazy("À tour de rôle")),
    ("least_loaded", gettext_lazy("Au moins chargé")),
]
FLAG_LABELS = {
    "customer": gettext_lazy("Client"),
    "employee": gettext_lazy("Salarié"),
    "influencer": gettext_lazy("Influenceur"),
    "competitor": gettext_lazy("Concurrent"),
}


def _words(value: str) -> list[str]:
    parts = value.replace("\n", ",").split(",")
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def _tri(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def _from_tri(value: str) -> bool | None:
    return None if not value else value == "yes"


DELAY_RANGE = lazy(FIRST_RESPONSE_HOURS.message, str)()


class RuleForm(forms.Form):
    """A rule in plain fields; ``clean`` turns them into validated conditions and actions."""

    name = forms.CharField(label=gettext_lazy("Nom"), max_length=150)
    description = forms.CharField(
        label=gettext_lazy("Conduite à tenir"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    enabled = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    # Conditions
    types = forms.MultipleChoiceField(
        label=gettext_lazy("Types"),
        required=False,
        choices=MentionType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    sentiments = forms.MultipleChoiceField(
        label=gettext_lazy("Sentiments"),
        required=False,
        choices=Sentiment.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    stars_min = forms.FloatField(
        label=gettext_lazy("Étoiles au moins"), required=False, min_value=1, max_value=5
    )
    stars_max = forms.FloatField(
        label=gettext_lazy("Étoiles au plus"), required=False, min_value=1, max_value=5
    )
    themes = forms.MultipleChoiceField(
        label=gettext_lazy("Thèmes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    # Boxes named as people name the platforms: typing "google_business" was a slug to guess.
    platforms = forms.MultipleChoiceField(
        label=gettext_lazy("Plateformes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sources = forms.MultipleChoiceField(label=gettext_lazy("Sources"), required=False)
    locations = forms.MultipleChoiceField(label=gettext_lazy("Lieux"), required=False)
    languages = forms.CharField(
        label=gettext_lazy("Langues"),
        required=False,
        help_text=gettext_lazy("Codes séparés par des virgules : fr, en."),
    )
    keywords = forms.CharField(
        label=gettext_lazy("Mots-clés"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Un par ligne ou séparés par des virgules ; un seul suffit."),
    )
    reach_min = forms.IntegerField(
        label=gettext_lazy("Audience de l'auteur au moins"), required=False, min_value=0
    )
    author_flags = forms.MultipleChoiceField(
        label=gettext_lazy("Profil de l'auteur"),
        required=False,
        choices=list(FLAG_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    toxic = forms.ChoiceField(label=gettext_lazy("Toxique"), required=False, choices=TRI_STATE)
    legal_risk = forms.ChoiceField(label=gettext_lazy("Risque juridique"), required=False, choices=TRI_STATE)
    # Actions
    team = forms.ChoiceField(label=gettext_lazy("Équipe"), required=False)
    assign = forms.ChoiceField(label=gettext_lazy("Attribution"), choices=ASSIGN_CHOICES, initial="none")
    priority = forms.IntegerField(
        label=gettext_lazy("Priorité minimale (0–100)"), required=False, min_value=0, max_value=100
    )
    sla_hours = forms.FloatField(
        label=gettext_lazy("Délai de première réponse (heures ouvrées)"),
        required=False,
        # The charter's range for a first answer (a billion hours was accepted), said in words.
        min_value=FIRST_RESPONSE_HOURS.low,
        max_value=FIRST_RESPONSE_HOURS.high,
        error_messages={"min_value": DELAY_RANGE, "max_value": DELAY_RANGE},
        help_text=gettext_lazy("Vide : le délai de la charte."),
    )
    templates = forms.MultipleChoiceField(
        label=gettext_lazy("Modèles suggérés"), required=False, widget=forms.CheckboxSelectMultiple
    )
    template_categories = forms.MultipleChoiceField(
        label=gettext_lazy("Catégories de modèles suggérées"),
        required=False,
        choices=TemplateCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    approval_required = forms.BooleanField(
        label=gettext_lazy("Validation par un superviseur"), required=False
    )
    tags = forms.CharField(
        label=gettext_lazy("Étiquettes"), required=False, help_text=gettext_lazy("Séparées par des virgules.")
    )
    no_answer = forms.BooleanField(label=gettext_lazy("Pas de réponse nécessaire"), required=False)
    escalate = forms.BooleanField(label=gettext_lazy("Escalader aux responsables"), required=False)

    CONDITION_FIELDS = (
        "types",
        "sentiments",
        "stars_min",
        "stars_max",
        "themes",
        "platforms",
        "sources",
        "locations",
        "languages",
        "keywords",
        "reach_min",
        "author_flags",
        "toxic",
        "legal_risk",
    )
    ACTION_FIELDS = (
        "team",
        "assign",
        "priority",
        "sla_hours",
        "templates",
        "template_categories",
        "approval_required",
        "tags",
        "no_answer",
        "escalate",
    )

    def __init__(
        self, *args: Any, organisation: Organisation, rule: RoutingRule | None = None, **kwargs: Any
    ) -> None:
        self.organisation = organisation
        self.rule = rule
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(rule)
        super().__init__(*args, **kwargs)
        fields = self.fields
        conditions = rule_conditions(rule) if rule else None
        cast(forms.MultipleChoiceField, fields["themes"]).choices = reader_theme_choices(
            organisation, extra=tuple(conditions.themes) if conditions else ()
        )
        cast(forms.MultipleChoiceField, fields["sources"]).choices = [
            (str(s.pk), f"{s.name} ({s.platform})") for s in scoped(Source, organisation).order_by("name")
        ]
        cast(forms.MultipleChoiceField, fields["locations"]).choices = [
            (str(loc.pk), loc.name) for loc in organisation_locations(organisation)
        ]
        cast(forms.ChoiceField, fields["team"]).choices = [("", _("Aucune"))] + [
            (str(t.pk), t.name) for t in organisation_teams(organisation)
        ]
        cast(forms.MultipleChoiceField, fields["templates"]).choices = [
            (str(t.pk), f"{t.name} ({t.language})") for t in scoped(Template, organisation).order_by("name")
        ]
        # The organisation's platforms first, then every other one Vigie knows, then any the rule
        # already names (a plug-in removed since): a saved rule never loses a platform by being edited.
        # Each platform once, by its connector's name ("Google Business Profile", "X"): the connectors say
        # which slugs name one platform (a rule for "x" also takes the items imported as "twitter").
        own = rule_platforms(platforms(organisation))
        known = sorted(
            (slug for slug, facts in all_platforms().items() if not facts.same_as),
            key=lambda slug: platform_name(slug).casefold(),
        )
        kept = rule_platforms(conditions.platforms) if conditions else []
        slugs = list(dict.fromkeys([*own, *known, *kept]))
        cast(forms.MultipleChoiceField, fields["platforms"]).choices = [
            (slug, platform_name(slug)) for slug in slugs
        ]
        if own:
            fields["platforms"].help_text = _(
                "Aucune case cochée : toutes. Vos sources sont sur : %(list)s."
            ) % {"list": ", ".join(platform_name(slug) for slug in own)}
        else:
            fields["platforms"].help_text = _("Aucune case cochée : toutes.")

    @staticmethod
    def initial_from(rule: RoutingRule) -> dict[str, Any]:
        """The form's values for an existing rule."""
        c = rule_conditions(rule) or RuleConditions()
        a = rule_actions(rule)
        return {
            "name": rule.name,
            "description": rule.description,
            "enabled": rule.enabled,
            "types": [str(t) for t in c.types],
            "sentiments": [str(s) for s in c.sentiments],
            "stars_min": c.stars_min,
            "stars_max": c.stars_max,
            "themes": c.themes,
            # A platform stored under another of its names ("twitter") is ticked, and saved, under
            # the one the form offers ("x"): the rule takes the same mentions.
            "platforms": rule_platforms(c.platforms),
            "sources": [str(pk) for pk in c.source_ids],
            "locations": [str(pk) for pk in c.location_ids],
            "languages": ", ".join(c.languages),
            "keywords": "\n".join(c.keywords),
            "reach_min": c.reach_min,
            "author_flags": c.author_flags,
            "toxic": _tri(c.toxic),
            "legal_risk": _tri(c.legal_risk),
            "team": str(a.team_id or ""),
            "assign": a.assign,
            "priority": a.priority,
            "sla_hours": a.sla_hours,
            "templates": [str(pk) for pk in a.template_ids],
            "template_categories": [str(c) for c in a.template_categories],
            "approval_required": a.approval_required,
            "tags": ", ".join(a.tags),
            "no_answer": a.no_answer,
            "escalate": a.escalate,
        }

    def condition_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CONDITION_FIELDS]

    def action_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ACTION_FIELDS]

    def clean_name(self) -> str:
        name = cast(str, self.cleaned_data["name"]).strip()
        others = scoped(RoutingRule, self.organisation).filter(name=name)
        if self.rule is not None:
            others = others.exclude(pk=self.rule.pk)
        if others.exists():
            raise forms.ValidationError(_("Une règle porte déjà ce nom."))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.conditions = RuleConditions(
                types=data["types"],
                sentiments=data["sentiments"],
                stars_min=data["stars_min"],
                stars_max=data["stars_max"],
                themes=data["themes"],
                platforms=list(data["platforms"]),
                source_ids=[int(pk) for pk in data["sources"]],
                location_ids=[int(pk) for pk in data["locations"]],
                languages=[code.lower() for code in _words(data["languages"])],
                keywords=_words(data["keywords"]),
                reach_min=data["reach_min"],
                author_flags=data["author_flags"],
                toxic=_from_tri(data["toxic"]),
                legal_risk=_from_tri(data["legal_risk"]),
            )
            self.actions = RuleActions(
                team_id=int(data["team"]) if data["team"] else None,
                assign=data["assign"],
                priority=data["priority"],
                sla_hours=data["sla_hours"],
                template_ids=[int(pk) for pk in data["templates"]],
                template_categories=data["template_categories"],
                approval_required=data["approval_required"],
                tags=_words(data["tags"]),
                no_answer=data["no_answer"],
                escalate=data["escalate"],
            )
        except PydanticValidationError as error:
            for item in error.errors():
                raise forms.ValidationError(f"{'.'.join(map(str, item['loc']))}: {item['msg']}") from None
        if (
            self.conditions.stars_min is not None
            and self.conditions.stars_max is not None
            and self.conditions.stars_min > self.conditions.stars_max
        ):
            self.add_error("stars_max", _("Le maximum doit être au moins égal au minimum."))
        return data


def _rule_rows(organisation: Organisation) -> list[dict[str, Any]]:
    teams = {t.pk: t.name for t in organisation_teams(organisation)}
    names = {
        "source": {str(s.pk): s.name for s in scoped(Source, organisation)},
        "location": {str(loc.pk): loc.name for loc in organisation_locations(organisation)},
        "theme": dict(reader_theme_choices(organisation)),
    }
    rows = []
    for rule in ordered_rules(organisation):
        conditions = rule_conditions(rule)
        actions = rule_actions(rule)
        when = None
        if conditions is not None:
            # The dry-run's checks against no facts: each condition with its label and wanted values.
            checks = check_conditions(conditions, Facts(), names)
            when = [(check.label, check.expected) for check in checks]
        rows.append(
            {
                "rule": rule,
                "when": when,
                "actions": actions,
                "assign_label": dict(ASSIGN_CHOICES).get(actions.assign, ""),
                "categories": ", ".join(str(TemplateCategory(c).label) for c in actions.template_categories),
                "team": teams.get(actions.team_id or 0, ""),
            }
        )
    return rows


@member_required(READ)
@require_GET
def routing_page(request: HttpRequest) -> HttpResponse:
    """The scheme in order: first matching rule wins."""
    member = current_membership(request)
    organisation = member.organisation
    return render(
        request,
        "inbox/routing/rules.html",
        {
            "nav": "routing",
            "rows": _rule_rows(organisation),
            "can_edit": member.can(MANAGE),
        },
    )


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    """A new rule, added at the end of the scheme (managers)."""
    member = current_membership(request)
    form = RuleForm(request.POST or None, organisation=member.organisation)
    if request.method == "POST" and form.is_valid():
        rule = do_create_routing_rule(
            member.organisation,
            form.cleaned_data["name"],
            form.conditions,
            form.actions,
            description=form.cleaned_data["description"],
            enabled=form.cleaned_data["enabled"],
            actor=member.user,
        )
        messages.success(request, _("Règle « %(name)s » ajoutée en fin de schéma.") % {"name": rule.name})
        return redirect("routing")
    return render(
        request,
        "inbox/routing/rule_form.html",
        {"nav": "routing", "form": form, "rule": None},
        status=400 if request.method == "POST" else 200,
    )


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a rule's name, conditions and actions (managers)."""
    member = current_membership(request)
    rule = get_in_org(RoutingRule, member.organisation, pk)
    form = RuleForm(request.POST or None, organisation=member.organisation, rule=rule)
    if request.method == "POST" and form.is_valid():
        do_update_routing_rule(
            rule,
            name=form.cleaned_data["name"],
            conditions=form.conditions,
            actions=form.actions,
            description=form.cleaned_data["description"],
            enabled=form.cleaned_data["enabled"],
            actor=member.user,
        )
        messages.success(request, _("Règle « %(name)s » enregistrée.") % {"name": rule.name})
        return redirect("routing")
    return render(
        request,
        "inbox/routing/rule_form.html",
        {"nav": "routing", "form": form, "rule": rule},
        status=400 if request.method == "POST" else 200,
    )


@member_required(MANAGE)
@require_POST
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a rule one place up or down (managers)."""
    member = current_membership(request)
    rule = get_in_org(RoutingRule, member.organisation, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    do_move_routing_rule(rule, offset, actor=member.user)
    return redirect("routing")


@member_required(MANAGE)
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Enable or disable a rule (managers)."""
    member = current_membership(request)
    rule = get_in_org(RoutingRule, member.organisation, pk)
    do_set_routing_rule_enabled(rule, not rule.enabled, actor=member.user)
    return redirect("routing")


@member_required(MANAGE)
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a rule (managers); cases it routed keep what it decided."""
    member = current_membership(request)
    rule = get_in_org(RoutingRule, member.organisation, pk)
    name = rule.name
    do_delete_routing_rule(rule, actor=member.user)
    messages.success(request, _("Règle « %(name)s » supprimée.") % {"name": name})
    return redirect("routing")


@member_required(MANAGE)
@require_POST
def routing_seed(request: HttpRequest) -> HttpResponse:
    """Restore Vigie's default scheme into an empty scheme."""
    member = current_membership(request)
    rules = do_seed_default_routing(member.organisation, actor=member.user, force=True)
    if rules:
        messages.success(request, _("Schéma par défaut installé (%(count)s règles).") % {"count": len(rules)})
    else:
        messages.info(request, _("Le schéma contient déjà des règles : rien n'a été ajouté."))
    return redirect("routing")


class DryRunForm(forms.Form):
    """Either a mention of the organisation, or the facts of a made-up one."""

    mention = forms.IntegerField(label=gettext_lazy("Numéro de la mention"), required=False, min_value=1)
    text = forms.CharField(
        label=gettext_lazy("Texte"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    type = forms.ChoiceField(
        label=gettext_lazy("Type"), required=False, choices=[("", "—"), *MentionType.choices]
    )
    sentiment = forms.ChoiceField(
        label=gettext_lazy("Sentiment"), required=False, choices=[("", "—"), *Sentiment.choices]
    )
    stars = forms.FloatField(label=gettext_lazy("Étoiles"), required=False, min_value=1, max_value=5)
    platform = forms.CharField(label=gettext_lazy("Plateforme"), required=False, max_length=40)
    language = forms.CharField(label=gettext_lazy("Langue"), required=False, max_length=8)
    themes = forms.CharField(
        label=gettext_lazy("Thèmes"), required=False, help_text=gettext_lazy("Séparés par des virgules.")
    )
    reach = forms.IntegerField(label=gettext_lazy("Audience de l'auteur"), required=False, min_value=0)
    author_flags = forms.MultipleChoiceField(
        label=gettext_lazy("Profil de l'auteur"),
        required=False,
        choices=list(FLAG_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    toxic = forms.BooleanField(label=gettext_lazy("Toxique"), required=False)
    legal_risk = forms.BooleanField(label=gettext_lazy("Risque juridique"), required=False)

    def facts(self, organisation: Organisation) -> tuple[Facts, list[str]]:
        """The facts of the described mention, for the dry-run, and the names of those read in its
        text: what the user leaves blank, the analysis reads in the text as it would in a mention's
        (a user who types "Bunch of crooks" expects the rules to see an accusation)."""
        data = self.cleaned_data
        platform = data["platform"].strip().lower()
        reading = (
            read_text(organisation, data["text"], platform=platform, rating=data["stars"])
            if data["text"].strip()
            else None
        )
        read: list[str] = []

        def typed_or_read(typed: Any, name: str, label: str) -> Any:
            if typed or reading is None:
                return typed
            value = getattr(reading, name)
            if value:
                read.append(label)
            return value

        facts = Facts(
            type=typed_or_read(data["type"], "type", _("type")),
            sentiment=typed_or_read(data["sentiment"], "sentiment", _("sentiment")),
            stars=data["stars"],
            themes=typed_or_read(tuple(_words(data["themes"])), "themes", _("thèmes")),
            platform=platform,
            language=typed_or_read(data["language"].strip().lower(), "language", _("langue")),
            text=data["text"],
            reach=data["reach"] or 0,
            author_flags=tuple(data["author_flags"]),
            toxic=typed_or_read(data["toxic"], "toxic", _("toxicité")),
            legal_risk=typed_or_read(data["legal_risk"], "legal_risk", _("risque juridique")),
            rated_review=data["stars"] is not None,
        )
        return facts, read


@member_required(READ)
@require_GET
def routing_dry_run(request: HttpRequest) -> HttpResponse:
    """Which rule a mention would hit, and why; nothing is written (GET only)."""
    member = current_membership(request)
    organisation = member.organisation
    form = DryRunForm(request.GET or None)
    result: DryRun | None = None
    mention: Mention | None = None
    read_in_text: list[str] = []
    if request.GET and form.is_valid():
        if form.cleaned_data["mention"]:
            mention = get_in_org(Mention, organisation, form.cleaned_data["mention"])
            result = explain_mention(mention)
        else:
            facts, read_in_text = form.facts(organisation)
            result = explain_facts(organisation, facts)
    teams = {t.pk: t.name for t in scoped(Team, organisation)}
    templates = {t.pk: t.name for t in scoped(Template, organisation)}
    return render(
        request,
        "inbox/routing/dry_run.html",
        {
            "nav": "routing",
            "form": form,
            "result": result,
            "mention": mention,
            "read_in_text": read_in_text,
            "teams": teams,
            "template_names": [templates[pk] for pk in result.decision.template_ids if pk in templates]
            if result
            else [],
        },
    )


class AvailabilityForm(forms.Form):
    member = forms.TypedChoiceField(label=gettext_lazy("Membre"), coerce=int)
    unavailable_until = forms.DateField(
        label=gettext_lazy("Absent jusqu'au (inclus)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Vide : disponible."),
    )
    note = forms.CharField(label=gettext_lazy("Motif"), required=False, max_length=200)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = assignable_members(membership.organisation)
        if not membership.can(MANAGE):
            # Agents declare their own absences; managers set anyone's.
            members = members.filter(user_id=membership.user_id)
        cast(forms.ChoiceField, self.fields["member"]).choices = [(m.user_id, str(m.user)) for m in members]


@member_required(READ)
@require_http_methods(["GET", "POST"])
def availability_page(request: HttpRequest) -> HttpResponse:
    """Who is away: automatic assignment skips them until the date given. Managers set anyone's,
    agents their own; viewers only read."""
    member = current_membership(request)
    organisation = member.organisation
    form = AvailabilityForm(request.POST or None, membership=member)
    if request.method == "POST":
        target_id = request.POST.get("member", "")
        if not member.can(HANDLE_CASES) or (not member.can(MANAGE) and target_id != str(member.user_id)):
            return forbidden(
                request, _("Votre rôle dans cette organisation ne permet pas d'ouvrir cette page.")
            )
        if form.is_valid():
            target = assignable_members(organisation).get(user_id=form.cleaned_data["member"])
            day = form.cleaned_data["unavailable_until"]
            until = None
            if day is not None:
                # Away "until the 12th included": back on the 13th, in the organisation's time.
                until = datetime.combine(day, time.max, tzinfo=zoneinfo.ZoneInfo(organisation.timezone))
            do_set_member_availability(
                organisation, target.user, until, note=form.cleaned_data["note"], actor=member.user
            )
            messages.success(request, _("Disponibilité de %(name)s enregistrée.") % {"name": target.user})
            return redirect("routing_availability")
    now = timezone.now()
    away = {a.user_id: a for a in scoped(MemberAvailability, organisation).filter(unavailable_until__gt=now)}
    rows = [(m, away.get(m.user_id)) for m in assignable_members(organisation)]
    return render(
        request,
        "inbox/routing/availability.html",
        {"nav": "routing", "form": form, "rows": rows, "can_edit": member.can(HANDLE_CASES)},
        status=400 if request.method == "POST" else 200,
    )
