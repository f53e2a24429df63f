"""Forms of the insights pages: the shared period and filter bar, action plans, schedules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.connectors.platforms import platform_of
from vigie.core.models import Membership, User
from vigie.core.periods import Period, last_days, organisation_today, period_between
from vigie.core.queries import (
    active_members,
    group_location_ids,
    organisation_location_groups,
    organisation_locations,
    organisation_teams,
)
from vigie.insights.models import REPORT_FORMATS, REPORT_LANGUAGES, ActionPlanStatus, ReportFrequency
from vigie.insights.queries.breakdowns import platform_filter_choices
from vigie.insights.queries.filters import DEFAULT_PERIOD_DAYS, PERIOD_CHOICES, InsightFilters
from vigie.insights.queries.themes import reader_theme_labels
from vigie.mentions.models import MentionKind, Sentiment

MAX_PERIOD_DAYS = 3 * 366


def _by_label(item: tuple[str, str]) -> str:
    return item[1].lower()


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class PlatformFilterField(forms.ChoiceField):
    """A platform, read under the slug the menu offers it by: a link naming another of its slugs
    ("?platform=twitter") filters by that platform rather than being set aside."""

    def to_python(self, value: Any) -> str:
        return platform_of(super().to_python(value))


class InsightFilterForm(forms.Form):
    """The GET parameters shared by the dashboard, the drill-down list, the theme board and exports.

    An invalid value drops that one filter rather than failing the page; ``from``/``to`` win
    over ``period`` (7, 30 or 90 days ending today).
    """

    period = forms.TypedChoiceField(
        label=_("Période"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(str(d), str(d)) for d in PERIOD_CHOICES],
    )
    start = forms.DateField(label=_("Du"), required=False)
    end = forms.DateField(label=_("Au"), required=False)
    location = forms.TypedChoiceField(label=_("Lieu"), required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(label=_("Groupe de lieux"), required=False, coerce=int, empty_value=None)
    platform = PlatformFilterField(label=_("Plateforme"), required=False)
    team = forms.TypedChoiceField(label=_("Équipe"), required=False, coerce=int, empty_value=None)
    theme = forms.ChoiceField(label=_("Thème"), required=False)
    agent = forms.TypedChoiceField(label=_("Agent"), required=False, coerce=int, empty_value=None)
    # Drill-down only: which slice of a chart was clicked.
    sentiment = forms.ChoiceField(label=_("Sentiment"), required=False)
    stars = forms.TypedChoiceField(
        label=_("Note"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "")] + [(str(i), str(i)) for i in range(1, 6)],
    )
    kind = forms.ChoiceField(label=_("Type de contenu"), required=False)
    not_kind = forms.ChoiceField(label=_("Sauf le type de contenu"), required=False)

    def __init__(self, data: Any, membership: Membership) -> None:
        # The form reads ``from``/``to`` (the API's and the inbox's names) as well as start/end.
        data = data.copy() if data is not None else {}
        for alias, name in (("from", "start"), ("to", "end")):
            if data.get(alias) and not data.get(name):
                data[name] = data.get(alias)
        super().__init__(data)
        self.organisation = membership.organisation
        org = self.organisation
        fields = self.fields
        cast(forms.ChoiceField, fields["location"]).choices = _blank(_("Tous")) + [
            (str(loc.pk), loc.name) for loc in organisation_locations(org)
        ]
        self.groups = {group.pk: group for group in organisation_location_groups(org)}
        cast(forms.ChoiceField, fields["group"]).choices = _blank(_("Tous")) + [
            (str(pk), group.name) for pk, group in self.groups.items()
        ]
        # Each platform once, named as the dashboard's rows name it (the survey's answers as
        # "Enquête de satisfaction", not the "Webhook signé" that brought them).
        cast(forms.ChoiceField, fields["platform"]).choices = _blank(_("Toutes")) + platform_filter_choices(
            org
        )
        cast(forms.ChoiceField, fields["team"]).choices = _blank(_("Toutes")) + [
            (str(t.pk), t.name) for t in organisation_teams(org)
        ]
        labels = reader_theme_labels(org)
        cast(forms.ChoiceField, fields["theme"]).choices = _blank(_("Tous")) + sorted(
            labels.items(), key=_by_label
        )
        cast(forms.ChoiceField, fields["agent"]).choices = _blank(_("Tout le monde")) + [
            (str(m.user_id), str(m.user)) for m in active_members(org)
        ]
        cast(forms.ChoiceField, fields["sentiment"]).choices = _blank(_("Tous")) + list(Sentiment.choices)
        cast(forms.ChoiceField, fields["kind"]).choices = _blank(_("Tous")) + list(MentionKind.choices)
        cast(forms.ChoiceField, fields["not_kind"]).choices = _blank(_("Aucun")) + list(MentionKind.choices)
        self.is_valid()

    def _value(self, name: str) -> Any:
        if name in self.errors:
            return None
        return self.cleaned_data.get(name)

    def get_period(self) -> Period:
        start, end = self._value("start"), self._value("end")
        if start or end:
            end = end or organisation_today(self.organisation)
            start = start or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
            if start <= end and (end - start).days < MAX_PERIOD_DAYS:
                return period_between(self.organisation, start, end)
        return last_days(self.organisation, self.days)

    @property
    def period_error(self) -> str:
        """Why ``from``/``to`` were set aside for the default period ("" when they were not): the
        dashboard showed the last 30 days without a word for "?from=abc" or an end before the start."""
        for name in ("start", "end"):
            if name in self.errors:
                return str(_("Date illisible : %(value)s") % {"value": self.data.get(name, "")})
        # "?period=2026-13" (or "2026-11": these pages read 7, 30 or 90 days, not months) set
        # aside without a word showed the last 30 days under the reader's eyes as if asked for.
        if "period" in self.errors and not self.custom:
            return str(
                _("Période illisible : %(value)s (7, 30 ou 90 jours, ou des dates Du / Au)")
                % {"value": self.data.get("period", "")}
            )
        start, end = self._value("start"), self._value("end")
        if start or end:
            end = end or organisation_today(self.organisation)
            start = start or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
            if start > end:
                return str(_("Période invalide : la fin précède le début"))
            if (end - start).days >= MAX_PERIOD_DAYS:
                return str(_("Période invalide : %(days)s jours au plus") % {"days": MAX_PERIOD_DAYS})
        return ""

    @property
    def days(self) -> int:
        days = self._value("period")
        return days if days in PERIOD_CHOICES else DEFAULT_PERIOD_DAYS

    @property
    def custom(self) -> bool:
        return bool(self._value("start") or self._value("end"))

    def get_filters(self) -> InsightFilters:
        group = self.groups.get(self._value("group"))
        return InsightFilters(
            location_id=self._value("location"),
            location_ids=group_location_ids(group) if group is not None else None,
            group_id=group.pk if group is not None else None,
            platform=self._value("platform") or "",
            team_id=self._value("team"),
            theme=self._value("theme") or "",
            agent_id=self._value("agent"),
        )

    def slice(self) -> dict[str, Any]:
        """The drill-down's extra narrowing: sentiment, stars, kind (or every kind but one)."""
        return {
            "sentiment": self._value("sentiment") or "",
            "stars": self._value("stars"),
            "kind": self._value("kind") or "",
            "not_kind": self._value("not_kind") or "",
        }


def period_query(period: Period, filters: InsightFilters, **extra: Any) -> dict[str, str]:
    """GET parameters reproducing ``period`` and ``filters`` (plus ``extra``) on another page."""
    params = {"from": period.first_day.isoformat(), "to": period.last_day.isoformat(), **filters.as_query()}
    params.update({key: str(value) for key, value in extra.items() if value not in (None, "")})
    return params


class ActionPlanForm(forms.Form):
    # No theme is chosen for the author: the first one ("Accueil et amabilité") went with every new
    # plan whose author did not open the menu, a refunds crisis' plan included.
    theme = forms.ChoiceField(
        label=_("Thème"),
        error_messages={"required": _("Choisissez le thème du plan.")},
        help_text=_("Le thème dont le plan doit faire baisser les avis négatifs."),
    )
    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.TypedChoiceField(label=_("Responsable"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Statut"), choices=ActionPlanStatus.choices)
    started_on = forms.DateField(
        label=_("Début"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    due_on = forms.DateField(
        label=_("Échéance"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(
        self,
        data: Any,
        membership: Membership,
        *,
        initial: dict[str, Any] | None = None,
        current_owner: User | None = None,
    ) -> None:
        """``current_owner``: the edited plan's owner. People who can act are offered; the current
        owner stays offered too when they no longer can (suspended), marked so, or the menu read
        "Personne" and saving the plan cleared its owner without a word."""
        super().__init__(data, initial=initial)
        org = membership.organisation
        theme_choices: list[tuple[str, str]] = sorted(reader_theme_labels(org).items(), key=_by_label)
        cast(forms.ChoiceField, self.fields["theme"]).choices = (
            _blank(_("Choisissez un thème…")) + theme_choices
        )
        self.members = {m.user_id: m.user for m in active_members(org)}
        labels = {pk: str(user) for pk, user in self.members.items()}
        if current_owner is not None and current_owner.pk not in self.members:
            self.members[current_owner.pk] = current_owner
            labels[current_owner.pk] = _("%(name)s (suspendu)") % {"name": current_owner}
        cast(forms.ChoiceField, self.fields["owner"]).choices = _blank(_("Personne")) + [
            (str(pk), label) for pk, label in labels.items()
        ]

    def owner_user(self) -> User | None:
        owner_id = self.cleaned_data.get("owner")
        return self.members.get(owner_id) if owner_id is not None else None


class ScheduledReportForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Fréquence"), choices=ReportFrequency.choices)
    recipients = forms.CharField(
        label=_("Destinataires"),
        help_text=_("Une adresse par ligne ou séparées par des virgules."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    language = forms.ChoiceField(label=_("Langue"), choices=REPORT_LANGUAGES)
    report_format = forms.ChoiceField(label=_("Format"), choices=REPORT_FORMATS)
    location = forms.TypedChoiceField(
        label=_("Établissement"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Vide : toute l'organisation."),
    )
    location_group = forms.TypedChoiceField(
        label=_("Groupe de lieux"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Le rapport additionne les lieux du groupe (à la place d'un établissement)."),
    )

    def __init__(
        self,
        *args: Any,
        locations: list[tuple[int, str]] | None = None,
        groups: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["location"]).choices = [("", _("Toute l'organisation"))] + [
            (str(pk), name) for pk, name in (locations or [])
        ]
        cast(forms.ChoiceField, self.fields["location_group"]).choices = [("", _("Aucun"))] + [
            (str(pk), name) for pk, name in (groups or [])
        ]
        if not groups:
            del self.fields["location_group"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("location") and data.get("location_group"):
            raise forms.ValidationError(_("Choisissez un établissement ou un groupe de lieux, pas les deux."))
        return data

    def recipient_list(self) -> list[str]:
        raw = self.cleaned_data.get("recipients", "")
        return [part for chunk in raw.splitlines() for part in chunk.split(",") if part.strip()]


class ReportForm(forms.Form):
    period = forms.CharField(
        label=_("Période"),
        max_length=30,
        help_text=_("AAAA-MM, AAAA-Wss, AAAA-Tn (trimestre) ou AAAA-MM-JJ:AAAA-MM-JJ"),
    )
    language = forms.ChoiceField(label=_("Langue"), choices=REPORT_LANGUAGES)
    report_format = forms.ChoiceField(label=_("Format"), choices=REPORT_FORMATS)
    location_group = forms.TypedChoiceField(
        label=_("Groupe de lieux"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, groups: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["location_group"]).choices = [("", _("Toute l'organisation"))] + [
            (str(pk), name) for pk, name in (groups or [])
        ]
        if not groups:
            del self.fields["location_group"]


class ReportBrandingForm(forms.Form):
    """The colour and logo of the organisation's reports."""

    colour = forms.CharField(
        label=_("Couleur"), max_length=7, widget=forms.TextInput(attrs={"type": "color"}), initial="#1f4e79"
    )
    logo = forms.FileField(label=_("Logo (PNG ou JPEG, 300 ko au plus)"), required=False)
    remove_logo = forms.BooleanField(label=_("Retirer le logo"), required=False)
