"""Template filters of the management report: numbers, shares, delays and dates in its language."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from vigie.connectors.platforms import platform_name
from vigie.insights import report_format as fmt

register = template.Library()


@register.filter
def num(value: float | int | None, decimals: int = 0) -> str:
    return fmt.number(value, int(decimals))


@register.filter
def pct(value: float | None, decimals: int = 0) -> str:
    return fmt.percent(value, int(decimals))


@register.filter
def rating(value: float | None) -> str:
    return fmt.stars(value)


@register.filter
def signed(value: float | int | None, decimals: int = 0) -> str:
    return "—" if value is None else fmt.signed(value, int(decimals))


@register.filter
def pts(value: float | None) -> str:
    return "—" if value is None else fmt.points(value)


@register.filter
def delay(seconds: float | None) -> str:
    return fmt.delay(seconds)


@register.filter
def hours(value: float | None) -> str:
    return "—" if value is None else fmt.delay(value * 3600)


@register.filter
def long_date(value: date | None) -> str:
    return "" if value is None else fmt.long_date(value)


@register.filter
def day(value: date | None) -> str:
    """A day in a sentence: "1er janvier 2025" in French, "1 Jan 2025" in English (its DATE_FORMAT)."""
    if value is None:
        return ""
    if (get_language() or "fr").startswith("fr"):
        return fmt.long_date(value)
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def width(share: float | None) -> str:
    """A share 0..1 as a CSS width in percent, with a dot whatever the language."""
    return f"{max(0.0, min(1.0, share or 0.0)) * 100:.1f}%"


@register.filter
def of_max(value: float | None, highest: float | None) -> float:
    return (value or 0) / highest if highest else 0.0


@register.filter
def change(value: int, previous: int) -> str:
    """The change from ``previous`` to ``value``: "+12", "−3", "0"."""
    return fmt.signed(value - previous)


# The filter moved to the connectors' built-in library (every page has it without a load); a
# template loading this library keeps the same one name.
register.filter("platform_name", platform_name)


@register.filter
def quoted(text: str) -> SafeString:
    """A customer's words between the report language's quotation marks: « … » in French, “…” in
    English (an English report printed French guillemets); the text itself is escaped."""
    opening, closing = fmt.quote_marks()
    return format_html("{}{}{}", opening, text, closing)
