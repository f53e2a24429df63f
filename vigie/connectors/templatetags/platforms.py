"""Platform filters every page uses (a built-in library in settings: no ``{% load %}``). They live
with the connectors because the connectors own what Vigie knows of each platform."""

from __future__ import annotations

from django import template

from vigie.connectors.platforms import platform_name as _platform_name

register = template.Library()


@register.filter
def platform_name(slug: str) -> str:
    """A platform by its connector's one name, whichever of its slugs an item came under
    ("google" and "google_business" -> "Google Business Profile", "twitter" -> "X")."""
    return _platform_name(slug)


@register.filter
def platform_label(slug: str) -> str:
    """The same one name as ``platform_name``: a page never names a platform two ways (an item
    imported as "google" read "Google" beside the dashboard's "Google Business Profile")."""
    return _platform_name(slug)
