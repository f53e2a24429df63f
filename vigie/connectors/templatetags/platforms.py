"""Platform filters every page uses (a built-in library in settings: no ``{% load %}``). They live
with the connectors because the connectors own what Vigie knows of each platform."""

from __future__ import annotations

from django import template

from vigie.connectors.platforms import platform_label as _platform_label

register = template.Library()


@register.filter
def platform_label(slug: str) -> str:
    """A platform's name for people ("google_business" -> "Google Business Profile")."""
    return _platform_label(slug)
