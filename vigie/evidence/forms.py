"""Forms of the evidence pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class LiftHoldForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Pourquoi lever la conservation ?"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("ex. : affaire classée, délai expiré")}),
    )
