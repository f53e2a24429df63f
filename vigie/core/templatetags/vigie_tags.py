"""Filters every page uses (registered as a built-in library in settings: no ``{% load %}``)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()

# How platforms spell a whole-star rating in words (Google's starRating enum): nothing a person
# needs to see beside the stars.
_RATING_WORDS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}


# Platforms Vigie may hold mentions of without a connector of its own (imported files, webhooks,
# a plug-in since removed): their usual spelling.
KNOWN_PLATFORMS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "x": "X",
    "twitter": "X (Twitter)",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "google": "Google",
    "tripadvisor": "Tripadvisor",
    "glassdoor": "Glassdoor",
    "indeed": "Indeed",
    "reddit": "Reddit",
    "press": "Presse",
}


@register.filter
def platform_label(slug: str) -> str:
    """The connector's name for a platform slug ("google_business" -> "Google Business Profile"),
    else the platform's usual name, else the slug itself."""
    from vigie.connectors.registry import UnknownPlatform, get_connector_class

    try:
        return str(get_connector_class(slug).label)
    except UnknownPlatform:
        return KNOWN_PLATFORMS.get(slug, slug)


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
