"""Forms of the alerts pages: untrusted fields are validated here, at the edge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.alerts.crisis.actions import check_crisis_start
from vigie.alerts.models import ChannelKind, CrisisRole, Severity

EVENT_CHOICES = [
    ("alert.opened", _("Nouvelle alerte")),
    ("alert.escalated", _("Alerte escaladée")),
    ("alert.severity_raised", _("Alerte aggravée")),
    ("alert.woken", _("Alerte sortie de sommeil")),
]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


class SnoozeForm(forms.Form):
    hours = forms.IntegerField(label=_("Durée (heures)"), min_value=1, max_value=168, initial=4)


# The browser's date-and-time picker sends "2025-03-14T09:30"; typed by hand, the French way works too.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class CrisisForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    severity = forms.ChoiceField(label=_("Gravité"), choices=Severity.choices, initial=Severity.WARNING)
    # In the organisation's time zone (activated for the request): Django reads and shows it there.
    started_at = forms.DateTimeField(
        label=_("Début de la crise"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    keywords = forms.CharField(
        label=_("Mots-clés"), required=False, max_length=1000, help_text=_("Séparés par des virgules.")
    )
    themes = forms.MultipleChoiceField(label=_("Thèmes"), required=False, choices=[])
    sources = forms.MultipleChoiceField(label=_("Sources"), required=False, choices=[])
    locations = forms.MultipleChoiceField(label=_("Lieux"), required=False, choices=[])

    def __init__(
        self,
        *args: Any,
        themes: list[tuple[str, str]],
        sources: list[tuple[int, str]],
        locations: list[tuple[int, str]],
        members: list[tuple[int, str]],
        zone: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["started_at"].help_text = _(
            "Heure de %(zone)s. Le périmètre compte les mentions publiées depuis ce moment : par "
            "défaut le début de l'épisode de l'alerte ou de l'incident en cours, sinon maintenant."
        ) % {"zone": zone or "UTC"}
        self.fields["themes"].choices = themes  # type: ignore[attr-defined]
        self.fields["sources"].choices = [(str(pk), name) for pk, name in sources]  # type: ignore[attr-defined]
        self.fields["locations"].choices = [(str(pk), name) for pk, name in locations]  # type: ignore[attr-defined]
        member_choices = [("", "—"), *[(str(pk), label) for pk, label in members]]
        for role, label in CrisisRole.choices:
            self.fields[f"role_{role}"] = forms.ChoiceField(
                label=label, required=False, choices=member_choices
            )

    def clean_started_at(self) -> datetime:
        return check_crisis_start(self.cleaned_data["started_at"])

    def keyword_list(self) -> list[str]:
        return _split(self.cleaned_data["keywords"])

    def cell(self) -> dict[str, int]:
        return {
            role: int(self.cleaned_data[f"role_{role}"])
            for role in CrisisRole.values
            if self.cleaned_data.get(f"role_{role}")
        }


class CrisisStartForm(forms.Form):
    """Correct an open crisis' start (the room's figures, timeline and post-mortem follow it)."""

    started_at = forms.DateTimeField(
        label=_("Début de la crise"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )

    def clean_started_at(self) -> datetime:
        return check_crisis_start(self.cleaned_data["started_at"])


class TimelineForm(forms.Form):
    text = forms.CharField(
        label=_("Nouvelle entrée"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatementForm(forms.Form):
    body = forms.CharField(
        label=_("Texte de la déclaration"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class PublishForm(forms.Form):
    where = forms.CharField(label=_("Où ?"), required=False, max_length=300)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=CrisisRole.choices)
    user = forms.IntegerField(required=False)


class CloseForm(forms.Form):
    causes = forms.CharField(label=_("Causes"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    what_worked = forms.CharField(
        label=_("Ce qui a fonctionné"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    what_did_not = forms.CharField(
        label=_("Ce qui n'a pas fonctionné"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionForm(forms.Form):
    """One corrective action of the post-mortem: all of it left empty, or a title with its owner
    and due date (the labels said "facultatif" for both, and the error came at the top)."""

    title = forms.CharField(label=_("Action corrective"), max_length=300, required=False)
    owner = forms.TypedChoiceField(
        label=_("Responsable"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
        help_text=_("Obligatoire si l'action a un intitulé."),
    )
    due_on = forms.DateField(
        label=_("Échéance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Obligatoire si l'action a un intitulé."),
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *[(str(pk), label) for pk, label in members]]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("title"):
            if data.get("owner") is None:
                self.add_error("owner", _("Choisissez le responsable de cette action."))
            if data.get("due_on") is None:
                self.add_error("due_on", _("Indiquez l'échéance de cette action."))
        elif data.get("owner") is not None or data.get("due_on") is not None:
            self.add_error(
                "title",
                _("Donnez un intitulé à cette action, ou videz aussi son responsable et son échéance."),
            )
        return data


class SettingsForm(forms.Form):
    escalate_after_minutes = forms.IntegerField(
        label=_("Escalader après (minutes sans prise en compte)"), min_value=0, max_value=1440
    )
    one_star_reviews = forms.BooleanField(label=_("Une alerte pour chaque avis 1★"), required=False)
    influencer_followers = forms.IntegerField(label=_("Auteur influent à partir de (abonnés)"), min_value=100)


class SeriesForm(forms.Form):
    key = forms.CharField(max_length=200)
    sensitivity = forms.FloatField(label=_("Sensibilité"), min_value=0.1, max_value=10)
    enabled = forms.BooleanField(required=False)


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=ChannelKind.choices)
    name = forms.CharField(label=_("Nom"), max_length=100)
    url = forms.URLField(label=_("URL du webhook entrant"), max_length=1000, assume_scheme="https")
    secret = forms.CharField(
        label=_("Secret de signature (webhook signé)"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput,
    )
    minimum_severity = forms.ChoiceField(
        label=_("Gravité minimale"), choices=Severity.choices, initial=Severity.WARNING
    )


class PreferencesForm(forms.Form):
    events = forms.MultipleChoiceField(
        label=_("Événements"),
        choices=EVENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : tous."),
    )
    email = forms.BooleanField(label=_("Recevoir aussi par e-mail"), required=False)
    minimum_severity = forms.ChoiceField(label=_("Gravité minimale"), choices=Severity.choices)
    quiet_start = forms.TimeField(
        label=_("Heures calmes : début"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=_("Heures calmes : fin"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
