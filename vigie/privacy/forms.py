"""Forms of the privacy pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

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
