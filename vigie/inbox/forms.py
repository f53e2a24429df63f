"""The inbox's forms: filters, bulk actions, saved views, and the case page's controls (assignment,
status, analysis corrections, notes, author flags, the reply and its approval)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigie.analysis.queries import reader_theme_choices
from vigie.connectors.platforms import all_platforms, platform_name, platform_of
from vigie.connectors.queries import live_sources
from vigie.core.models import Membership, User
from vigie.core.queries import organisation_locations, organisation_teams
from vigie.inbox.actions import (
    BulkAction,
)
from vigie.inbox.models import Case, CaseStatus, ReplyChannel, Template
from vigie.inbox.queries import (
    CaseFilters,
    SlaState,
    assignable_members,
    platform_filter_choices,
)
from vigie.inbox.templating.queries import templates_for
from vigie.mentions.models import AuthorFlag, Mention, MentionType, Sentiment
from vigie.mentions.queries import platforms

UNASSIGNED = "none"
LANGUAGES = ("fr", "en", "es", "de", "it", "nl", "pt")


def _blank(label: str) -> list[tuple[str, Any]]:
    return [("", label)]


class PlatformFilterField(forms.ChoiceField):
    """A platform, read under the slug the menu offers it by: a link or saved view naming another
    of its slugs ("?platform=twitter") filters by that platform rather than being dropped."""

    def to_python(self, value: Any) -> str:
        return platform_of(super().to_python(value))


class InboxFilterForm(forms.Form):
    """The inbox's GET parameters. An unknown value simply drops that one filter."""

    q = forms.CharField(label=gettext_lazy("Rechercher"), required=False, max_length=200)
    platform = PlatformFilterField(label=gettext_lazy("Plateforme"), required=False)
    location = forms.TypedChoiceField(
        label=gettext_lazy("Lieu"), required=False, coerce=int, empty_value=None
    )
    sentiment = forms.ChoiceField(label=gettext_lazy("Sentiment"), required=False)
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Statut"), required=False)
    assignee = forms.ChoiceField(label=gettext_lazy("Attribué à"), required=False)
    team = forms.TypedChoiceField(label=gettext_lazy("Équipe"), required=False, coerce=int, empty_value=None)
    sla = forms.ChoiceField(label=gettext_lazy("Échéance"), required=False)
    source = forms.TypedChoiceField(
        label=gettext_lazy("Source"), required=False, coerce=int, empty_value=None
    )
    stars = forms.TypedChoiceField(
        label=gettext_lazy("Étoiles"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(str(n), f"{n} ★") for n in range(1, 6)]],
    )
    theme = forms.ChoiceField(label=gettext_lazy("Thème"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Langue"), required=False)
    since = forms.DateField(
        label=gettext_lazy("Depuis le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("Jusqu'au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data: Any, membership: Membership) -> None:
        if data is not None and data.get("platform"):
            # A link naming a platform's older slug ("twitter") shows its menu entry ("X") chosen.
            data = data.copy()
            data["platform"] = platform_of(str(data["platform"]))
        super().__init__(data)
        organisation = membership.organisation
        every = _("Toutes")
        fields = self.fields
        # Each platform once, by its connector's name ("Google Business Profile", "X"): the connectors say
        # which slugs name one platform; filtering by it finds the cases of each of its slugs.
        offered = platform_filter_choices(platforms(organisation))
        wanted = self.data.get("platform") if data is not None else ""
        if wanted and wanted not in offered and wanted in all_platforms():
            # A platform Vigie knows but no case comes from yet ("?platform=tripadvisor" from a
            # link or a saved view): an empty list says so; dropping the filter listed every case.
            offered = [*offered, wanted]
        cast(forms.ChoiceField, fields["platform"]).choices = _blank(every) + [
            (p, platform_name(p)) for p in offered
        ]
        cast(forms.ChoiceField, fields["location"]).choices = _blank(_("Tous")) + [
            (str(loc.pk), loc.name) for loc in organisation_locations(organisation)
        ]
        cast(forms.ChoiceField, fields["sentiment"]).choices = _blank(_("Tous")) + list(Sentiment.choices)
        cast(forms.ChoiceField, fields["type"]).choices = _blank(_("Tous")) + list(MentionType.choices)
        cast(forms.ChoiceField, fields["status"]).choices = _blank(_("Tous")) + list(CaseStatus.choices)
        cast(forms.ChoiceField, fields["assignee"]).choices = (
            _blank(_("Tout le monde"))
            + [(UNASSIGNED, _("Personne"))]
            + [(str(m.user_id), str(m.user)) for m in assignable_members(organisation)]
        )
        cast(forms.ChoiceField, fields["team"]).choices = _blank(every) + [
            (str(team.pk), team.name) for team in organisation_teams(organisation)
        ]
        cast(forms.ChoiceField, fields["sla"]).choices = _blank(_("Toutes")) + list(SlaState.choices)
        cast(forms.ChoiceField, fields["source"]).choices = _blank(every) + [
            (str(source.pk), source.name) for source in live_sources(organisation)
        ]
        cast(forms.ChoiceField, fields["theme"]).choices = _blank(_("Tous")) + list(
            reader_theme_choices(organisation)
        )
        cast(forms.ChoiceField, fields["language"]).choices = _blank(every) + [
            (code, code) for code in LANGUAGES
        ]

    def filters(self) -> CaseFilters:
        """The valid filters; invalid ones are left out rather than failing the page."""
        self.is_valid()
        data = self.cleaned_data
        assignee = data.get("assignee") or ""
        return CaseFilters(
            text=(data.get("q") or "").strip(),
            platform=data.get("platform") or "",
            location_id=data.get("location"),
            sentiment=data.get("sentiment") or "",
            mention_type=data.get("type") or "",
            status=data.get("status") or "",
            unassigned=assignee == UNASSIGNED,
            assignee_id=int(assignee) if assignee and assignee != UNASSIGNED else None,
            team_id=data.get("team"),
            sla=data.get("sla") or "",
            source_id=data.get("source"),
            stars=data.get("stars"),
            theme=data.get("theme") or "",
            language=data.get("language") or "",
            since=_day_start(data.get("since")),
            until=_day_start(data.get("until"), next_day=True),
        )

    @property
    def active_count(self) -> int:
        return sum(1 for name in self.fields if self.data.get(name))

    # Always in view (one row on a laptop): what an agent narrows the queue by several times a
    # day. The others fold away, so the cases come first on the screen.
    PRIMARY = ("q", "sla", "sentiment", "type")

    def primary_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PRIMARY]

    def more_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.PRIMARY]

    @property
    def more_active(self) -> int:
        """How many of the folded filters are set (the fold then opens by itself)."""
        return sum(1 for name in self.fields if name not in self.PRIMARY and self.data.get(name))


class BulkForm(forms.Form):
    """A bulk action on the ticked cases of the inbox."""

    ids = forms.TypedMultipleChoiceField(
        coerce=int,
        required=True,
        widget=forms.MultipleHiddenInput,
        error_messages={"required": gettext_lazy("Cochez au moins un dossier.")},
    )
    action = forms.ChoiceField(label=gettext_lazy("Action groupée"), choices=BulkAction.choices)
    assignee = forms.ChoiceField(label=gettext_lazy("Attribuer à"), required=False)
    tag = forms.CharField(label=gettext_lazy("Étiquette"), required=False, max_length=40)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(m.user_id): m.user for m in assignable_members(membership.organisation)}
        cast(forms.ChoiceField, self.fields["assignee"]).choices = _blank(_("Personne")) + [
            (pk, str(user)) for pk, user in self.members.items()
        ]
        # Any integer is accepted here; the action itself answers "not found" for ids not ours.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        cast(forms.ChoiceField, self.fields["ids"]).choices = [(v, v) for v in raw if str(v).isdigit()][:500]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == BulkAction.TAG and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Indiquez l'étiquette à ajouter."))
        return data


class SavedViewForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom de la vue"), max_length=80)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    team = forms.TypedChoiceField(
        label=gettext_lazy("Partager avec"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {team.pk: team for team in membership.teams.all()}
        cast(forms.ChoiceField, self.fields["team"]).choices = _blank(_("Moi seulement")) + [
            (str(pk), team.name) for pk, team in self.teams.items()
        ]

    def clean_query(self) -> str:
        # Only the inbox's own parameters are kept: a saved view cannot smuggle anything else.
        allowed = {"view", *InboxFilterForm.base_fields}
        pairs = [(k, v) for k, v in QueryDict(self.cleaned_data.get("query") or "").lists() if k in allowed]
        kept = QueryDict(mutable=True)
        for key, values in pairs:
            kept.setlist(key, values)
        return kept.urlencode()


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=gettext_lazy("Attribuer à"), required=False)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(m.user_id): m.user for m in assignable_members(membership.organisation)}
        cast(forms.ChoiceField, self.fields["assignee"]).choices = _blank(_("Personne")) + [
            (pk, f"{user} ({user.email})" if user.get_full_name() else user.email)
            for pk, user in self.members.items()
        ]

    def chosen_assignee(self) -> User | None:
        return self.members.get(self.cleaned_data["assignee"] or "")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Statut"), choices=CaseStatus.choices)


class AnalysisCorrectionForm(forms.Form):
    """An agent's correction of the analysis; only the fields that change are recorded."""

    # A blank choice keeps "not analysed yet" from turning into a correction by accident.
    sentiment = forms.ChoiceField(
        label=gettext_lazy("Sentiment"), required=False, choices=[("", "—"), *Sentiment.choices]
    )
    type = forms.ChoiceField(
        label=gettext_lazy("Type"), required=False, choices=[("", "—"), *MentionType.choices]
    )
    themes = forms.MultipleChoiceField(
        label=gettext_lazy("Thèmes"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, mention: Mention, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"sentiment": mention.sentiment, "type": mention.mention_type, "themes": list(mention.themes)},
        )
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["themes"]).choices = reader_theme_choices(
            mention.organisation, extra=mention.themes
        )

    def changes(self, mention: Mention) -> list[tuple[str, Any]]:
        """``(field, new value)`` for each field that differs from the current analysis."""
        data = self.cleaned_data
        changed: list[tuple[str, Any]] = []
        if data["sentiment"] and data["sentiment"] != mention.sentiment:
            changed.append(("sentiment", data["sentiment"]))
        if data["type"] and data["type"] != mention.mention_type:
            changed.append(("type", data["type"]))
        if sorted(data["themes"]) != sorted(mention.themes):
            changed.append(("themes", list(data["themes"])))
        return changed


class NoteForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Note interne"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Visible de l'équipe seulement. @adresse pour prévenir un collègue."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the composer on the same page has a "body" field too.
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)


class AuthorFlagsForm(forms.Form):
    flags = forms.MultipleChoiceField(
        label=gettext_lazy("Qualification de l'auteur"),
        required=False,
        choices=AuthorFlag.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class ReplyForm(forms.Form):
    """The composer: the text, the template it started from, the channel, and confirmed warnings."""

    body = forms.CharField(label=gettext_lazy("Votre réponse"), max_length=10000, required=False)
    template = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(
        label=gettext_lazy("Canal"), choices=ReplyChannel.choices, initial=ReplyChannel.PUBLIC, required=False
    )
    overrides = forms.MultipleChoiceField(required=False)
    override_reason = forms.CharField(
        label=gettext_lazy("Pourquoi passer outre ces avertissements ?"), required=False, max_length=500
    )

    def __init__(self, *args: Any, case: Case, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {template.pk: template for template in templates_for(case, membership)}
        self.snippets = {template.pk: template for template in templates_for(case, membership, snippets=True)}
        cast(forms.ChoiceField, self.fields["template"]).choices = _blank("—") + [
            (str(pk), template.name) for pk, template in {**self.templates, **self.snippets}.items()
        ]
        # Warning codes are the gate's; any short code may be confirmed, unknown ones are ignored.
        raw = self.data.getlist("overrides") if hasattr(self.data, "getlist") else []
        cast(forms.ChoiceField, self.fields["overrides"]).choices = [(c, c) for c in raw if len(c) <= 60]

    def clean_channel(self) -> str:
        # A public answer unless said otherwise: the most common case needs no choice.
        return str(self.cleaned_data.get("channel") or ReplyChannel.PUBLIC)

    def chosen_template(self) -> Template | None:
        return self.templates.get(self.cleaned_data.get("template") or 0)

    def chosen_snippet(self) -> Template | None:
        return self.snippets.get(self.cleaned_data.get("template") or 0)


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Ce qu'il faut changer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _day_start(day: date | None, *, next_day: bool = False) -> datetime | None:
    # "Until the 3rd" includes the whole 3rd: the bound is the start of the next day, exclusive.
    if day is None:
        return None
    if next_day:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))
