"""How the charter's pages write its figures, in the reader's language: "0,5 h ouvrées",
"1 095 jours", "4,5 / 5" in French; "0.5 business hours", "1,095 days", "4.5 / 5" in English (a
number never parts from its unit at a line break)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from vigie.core.numbers import NBSP, number

register = template.Library()


@register.filter
def figure(value: float | int | None) -> str:
    """``value`` with at most two decimals, digits grouped: "1 095", "0,25", "24"."""
    if value is None:
        return "—"
    rounded = round(float(value), 2)
    decimals = 0 if rounded == int(rounded) else (1 if rounded * 10 == int(rounded * 10) else 2)
    return number(rounded, decimals)


@register.filter
def business_hours(value: float | int | None) -> str:
    """ "24 h ouvrées" / "24 business hours", the number held to its unit."""
    shown = figure(value)
    return (gettext("%(hours)s h ouvrées") % {"hours": shown}).replace(f"{shown} ", f"{shown}{NBSP}", 1)


@register.filter
def hours(value: float | int | None) -> str:
    """ "48 h", a no-break space before the unit."""
    return f"{figure(value)}{NBSP}h"


@register.filter
def out_of_five(value: float | int | None) -> str:
    """An average rating target: "4,5 / 5"."""
    return f"{figure(value)}{NBSP}/{NBSP}5"
