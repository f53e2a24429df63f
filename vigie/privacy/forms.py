"""Forms of the privacy pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from vigie.privacy.models import RequestKind
from vigie.privacy.subjects import MAX_LENGTH, Subject, SubjectError, parse_subject


class SubjectForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Personne concernée"),
        max_length=MAX_LENGTH,
        help_text=gettext_lazy("Pseudonyme sur une plateforme, adresse e-mail, téléphone ou nom complet."),
    )

    def clean_subject(self) -> Subject:
        try:
            return parse_subject(self.cleaned_data["subject"])
        except SubjectError as error:
            raise ValidationError(
                gettext_lazy("Saisissez un pseudonyme, une adresse e-mail, un téléphone ou un nom."),
                code="invalid_subject",
            ) from error


class EraseForm(SubjectForm):
    confirm = forms.BooleanField(
        label=gettext_lazy("Je confirme l'effacement : il est définitif."),
        required=True,
    )


class RequestForm(forms.Form):
    """A person's request as received (by mail, e-mail, at a counter)."""

    kind = forms.ChoiceField(label=gettext_lazy("Demande"), choices=RequestKind.choices)
    subject = forms.CharField(
        label=gettext_lazy("Personne qui fait la demande"),
        max_length=MAX_LENGTH,
        help_text=gettext_lazy("Pseudonyme sur une plateforme, adresse e-mail, téléphone ou nom complet."),
    )
    received_on = forms.DateField(
        label=gettext_lazy("Reçue le"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        # Its own ids: the search form on the same page has a "subject" field too.
        kwargs.setdefault("auto_id", "id_request_%s")
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["received_on"].initial = today

    def clean_subject(self) -> str:
        value: str = self.cleaned_data["subject"]
        try:
            parse_subject(value)
        except SubjectError as error:
            raise ValidationError(
                gettext_lazy("Saisissez un pseudonyme, une adresse e-mail, un téléphone ou un nom."),
                code="invalid_subject",
            ) from error
        return value.strip()

    def clean_received_on(self) -> date:
        value: date = self.cleaned_data["received_on"]
        if value > self.today:
            raise ValidationError(gettext_lazy("Une demande ne peut pas être reçue dans le futur."))
        return value


class RequestNoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Réponse donnée"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RectifyForm(SubjectForm):
    """The corrected values of a person's contact details (art. 16); empty: unchanged."""

    name = forms.CharField(label=gettext_lazy("Nom corrigé"), max_length=200, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail corrigé"), max_length=254, required=False)
    phone = forms.RegexField(
        label=gettext_lazy("Téléphone corrigé"),
        regex=r"^\+?[\d\s().-]{6,30}$",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        error_messages={"invalid": gettext_lazy("Numéro de téléphone invalide : six chiffres au moins.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the search form on the same page has a "subject" field too.
        kwargs.setdefault("auto_id", "id_rectify_%s")
        super().__init__(*args, **kwargs)
        self.fields["subject"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not any(str(cleaned.get(name) or "").strip() for name in ("name", "email", "phone")):
            raise ValidationError(gettext_lazy("Indiquez au moins une valeur corrigée."), code="empty")
        return cleaned
