"""Forms of the analysis settings page: what an organisation tells the analyzers about itself."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigie.analysis.builtin.personal_data.detect import unsafe_pattern_reason
from vigie.analysis.builtin.personal_data.patterns import MAX_PATTERN_LENGTH, MAX_PATTERNS

MAX_TERMS = 50
MAX_TERM_LENGTH = 120


def check_number_pattern(pattern: str) -> str | None:
    """Why ``pattern`` cannot be one of the organisation's number patterns (in the user's
    language), or None. They run on every mention: one that could backtrack for ever or that
    matches nothing but the empty text is refused here, at the edge."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return _("%(count)d caractères, au plus %(limit)d") % {
            "count": len(pattern),
            "limit": MAX_PATTERN_LENGTH,
        }
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return _("expression régulière invalide (%(error)s)") % {"error": exc}
    if unsafe_pattern_reason(pattern) is not None:
        return _(
            "une partie répétée qui contient elle-même une répétition variable ou une alternative "
            "(par exemple (\\d+)+) pourrait bloquer l'analyse"
        )
    if compiled.fullmatch(""):
        return _("correspond au texte vide")
    return None


def _lines(value: str) -> list[str]:
    seen: dict[str, None] = {}
    for line in value.splitlines():
        line = line.strip()
        if line:
            seen.setdefault(line, None)
    return list(seen)


class PatternsField(forms.CharField):
    """One regular expression per line; each one checked, the first refusal says which line."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_PATTERNS * (MAX_PATTERN_LENGTH + 2))
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "class": "mono", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[str]:
        patterns = _lines(super().clean(value))
        if len(patterns) > MAX_PATTERNS:
            raise ValidationError(
                _("%(count)d motifs : au plus %(limit)d.") % {"count": len(patterns), "limit": MAX_PATTERNS}
            )
        errors = []
        for number, pattern in enumerate(patterns, start=1):
            reason = check_number_pattern(pattern)
            if reason is not None:
                errors.append(
                    _("Ligne %(line)d (%(pattern)s) : %(reason)s.")
                    % {
                        "line": number,
                        "pattern": pattern,
                        "reason": reason,
                    }
                )
        if errors:
            raise ValidationError(errors)
        return patterns


class TermsField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_TERMS * (MAX_TERM_LENGTH + 2))
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[str]:
        terms = _lines(super().clean(value))
        if len(terms) > MAX_TERMS:
            raise ValidationError(
                _("%(count)d noms : au plus %(limit)d.") % {"count": len(terms), "limit": MAX_TERMS}
            )
        too_long = [term for term in terms if len(term) > MAX_TERM_LENGTH]
        if too_long:
            raise ValidationError(
                _("« %(term)s… » : au plus %(limit)d caractères par nom.")
                % {"term": too_long[0][:30], "limit": MAX_TERM_LENGTH}
            )
        return terms


class AnalysisSettingsForm(forms.Form):
    order_patterns = PatternsField(
        label=gettext_lazy("Numéros de commande"),
        help_text=gettext_lazy(
            "Une expression régulière par ligne, par exemple CMD-\\d{6}. Ces numéros sont traités comme "
            "des données personnelles : masqués dans les citations, signalés dans les réponses."
        ),
    )
    customer_patterns = PatternsField(
        label=gettext_lazy("Numéros de client"),
        help_text=gettext_lazy("Une expression régulière par ligne, par exemple CLI\\d{8}."),
    )
    organisation_terms = TermsField(
        label=gettext_lazy("Noms de l'organisation"),
        help_text=gettext_lazy(
            "Marques, enseignes, produits, un par ligne (le nom de l'organisation est déjà connu). "
            "La relecture ne les signale pas comme fautes ni comme cris (MAJUSCULES)."
        ),
    )


MAX_KEYWORDS = 80
MAX_KEYWORD_LENGTH = 60


class ThemeForm(forms.Form):
    """A theme of the taxonomy: its label and the words or phrases that name it."""

    label = forms.CharField(label=gettext_lazy("Nom du thème"), max_length=120)
    keywords = forms.CharField(
        label=gettext_lazy("Mots-clés"),
        max_length=MAX_KEYWORDS * (MAX_KEYWORD_LENGTH + 2),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Séparés par des virgules ou un par ligne : des noms ou expressions (« un avoir », "
            "« délai de livraison »), pas des verbes seuls. Les variantes (pluriel, fautes) sont reconnues."
        ),
    )
    active = forms.BooleanField(label=gettext_lazy("Actif"), required=False, initial=True)

    def clean_label(self) -> str:
        label = " ".join(self.cleaned_data["label"].split())
        if not label:
            raise ValidationError(_("Donnez un nom au thème."))
        return label

    def clean_keywords(self) -> list[str]:
        seen: dict[str, None] = {}
        for part in re.split(r"[,\n;]", self.cleaned_data["keywords"]):
            keyword = " ".join(part.split()).lower()
            if keyword:
                seen.setdefault(keyword, None)
        keywords = list(seen)
        if not keywords:
            raise ValidationError(_("Donnez au moins un mot-clé."))
        if len(keywords) > MAX_KEYWORDS:
            raise ValidationError(
                _("%(count)d mots-clés : au plus %(limit)d.")
                % {"count": len(keywords), "limit": MAX_KEYWORDS}
            )
        for keyword in keywords:
            if len(keyword) < 3 or len(keyword) > MAX_KEYWORD_LENGTH:
                raise ValidationError(
                    _("« %(keyword)s » : un mot-clé a de 3 à %(limit)d caractères.")
                    % {"keyword": keyword[:30], "limit": MAX_KEYWORD_LENGTH}
                )
        return keywords
