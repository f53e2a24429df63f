"""Filters every page uses (registered as a built-in library in settings: no ``{% load %}``)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vigie.core.numbers import percent

register = template.Library()

# How platforms spell a whole-star rating in words (Google's starRating enum): nothing a person
# needs to see beside the stars.
_RATING_WORDS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}


@register.filter
def informative_raw_rating(raw: str, rating: float | None) -> str:
    """The platform's own rating text when it says more than the stars shown ("9,2/10"), else ""."""
    text = (raw or "").strip()
    if not text or rating is None:
        return text
    if _RATING_WORDS.get(text.upper()) == rating:
        return ""
    try:
        if float(text.replace(",", ".")) == float(rating):
            return ""
    except ValueError:
        pass
    return text


@register.filter
def actor_name(label: str) -> str:
    """Who did something, as the audit log recorded it: a person's address, or Vigie itself
    (routing, the SLA watch, a job), which the log records as "system"."""
    if not label or label == "system":
        return _("Vigie (automatique)")
    return label


# Languages the analysis detects, by ISO 639-1 code: people read the language's name, not "fr".
_LANGUAGE_NAMES = {
    "fr": "Français",
    "en": "Anglais",
    "es": "Espagnol",
    "de": "Allemand",
    "it": "Italien",
    "nl": "Néerlandais",
    "pt": "Portugais",
    "ar": "Arabe",
}


@register.filter
def language_label(code: str) -> str:
    """A language's name in the interface's language ("fr" -> "Français"); an unknown code is
    shown in capitals, "—" when there is none."""
    if not code:
        return "—"
    name = _LANGUAGE_NAMES.get(code)
    return _(name) if name else code.upper()


@register.simple_tag
def colon() -> str:
    """The colon between a label and its value, as the language writes it: " : " in French (a
    no-break space before it), ": " in English ("Target : ≥ 4 / 5" read wrong in English)."""
    return ": " if (get_language() or "fr").startswith("en") else "\u00a0: "


@register.filter
def pct(share: float | None, decimals: int = 0) -> str:
    """A share 0..1 as a percentage the way the interface's language writes it: "85 %" in French,
    "85%" in English ("85 %" read as French typography in the English pages, whose PDF report
    wrote "85%"); the report's own rule (``vigie.core.numbers``). "—" when unknown."""
    if share is None or share == "":
        return "—"
    return percent(float(share), int(decimals))
