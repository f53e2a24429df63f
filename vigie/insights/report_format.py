"""How the management report writes numbers, dates and delays, in the active language.

French first: "3,03", "1 234" (a narrow no-break space groups digits), "6 décembre 2026",
"42 %" (a no-break space before the percent sign); English when the report is in English. Every
function reads the language activated by ``translation.override`` around the rendering.
"""

from __future__ import annotations

from datetime import date

from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from vigie.core.dates import long_date

# Numbers and shares are written as the web pages write them: one rule, in core.
from vigie.core.numbers import number as number
from vigie.core.numbers import percent as percent

NBSP = "\u00a0"


def _french() -> bool:
    return (get_language() or "fr").startswith("fr")


def signed(value: float | int, decimals: int = 0) -> str:
    """``value`` with its sign: "+0,3", "−12" (a true minus sign), "0"."""
    if round(value, decimals) == 0:
        return number(0, decimals)
    sign = "+" if value > 0 else "\u2212"
    return sign + number(abs(value), decimals)


def points(delta_share: float, decimals: int = 0) -> str:
    """A change of a share in percentage points: "+4 pts", "+1 pt", "−12 pts" (a true minus sign).

    The abbreviation follows the language's plural rule: in French 0 and 1 take the singular."""
    shown = abs(round(delta_share * 100, decimals))
    # French is the source language (no catalogue, so gettext's n == 1 rule): below 2 is singular.
    french_count = 1 if shown < 2 else 2
    count = french_count if _french() else (int(shown) if shown == int(shown) else 2)
    return f"{signed(delta_share * 100, decimals)}{NBSP}" + ngettext("pt", "pts", count)


def stars(value: float | None) -> str:
    """An average rating out of 5: "3,03 / 5"."""
    return "—" if value is None else f"{number(value, 2)}{NBSP}/{NBSP}5"


def delay(seconds: float | None) -> str:
    """A delay as people say it: "45 min", "3,5 h", "2,1 j"."""
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{number(seconds / 60)}{NBSP}min"
    if seconds < 48 * 3600:
        return f"{_tidy(seconds / 3600)}{NBSP}h"
    return f"{_tidy(seconds / 86400)}{NBSP}" + _("j")


def signed_delay(seconds: float) -> str:
    """A change of a delay with its sign and unit: "+35 min", "−2,2 h", "0 min"."""
    if round(seconds / 60) == 0:
        return f"{number(0)}{NBSP}min"
    return ("+" if seconds > 0 else "\u2212") + delay(abs(seconds))


def _tidy(value: float) -> str:
    """One decimal unless it is zero: "2,9", "24"."""
    return number(value, 0 if round(value, 1) == round(value) else 1)


def short_day(day: date) -> str:
    """An axis label: "6 déc" / "Dec 6"."""
    return formats.date_format(day, "j b") if _french() else formats.date_format(day, "M j")


def period_title(first: date, last: date) -> str:
    """The report's name of its period (cover, running head and foot): "Novembre 2026" /
    "November 2026" for a whole month, "T4 2026" / "Q4 2026" for a calendar quarter,
    "Année 2026" / "Year 2026" for a calendar year, "Semaine du 23 au 29 novembre 2026" for an
    ISO week, "Du 1er octobre au 15 novembre 2026" for any other span."""
    following = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    whole_months = first.day == 1 and (following - last).days == 1
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if whole_months and months == 1:
        text = formats.date_format(first, "F Y")
        return text[:1].upper() + text[1:]
    if whole_months and months == 3 and first.month % 3 == 1:
        return _("T%(number)s %(year)s") % {"number": (first.month - 1) // 3 + 1, "year": first.year}
    if whole_months and months == 12 and first.month == 1:
        return _("Année %(year)s") % {"year": first.year}
    if (last - first).days == 6 and first.weekday() == 0:
        return _("Semaine du %(first)s au %(last)s") % {"first": long_date(first), "last": long_date(last)}
    return _("Du %(first)s au %(last)s") % {"first": long_date(first), "last": long_date(last)}


def period_words(first: date, last: date) -> str:
    """A period as a table cell says it, in lower case: "octobre 2026" / "October 2026" (a month),
    "4e trimestre 2026" / "Q4 2026" (a quarter), "année 2026" / "year 2026" (a calendar year), "semaine du 16 novembre au 22 novembre 2026" /
    "week of November 16 to November 22, 2026" (a week), "du … au …" otherwise."""
    following = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    whole_months = first.day == 1 and (following - last).days == 1
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if whole_months and months == 1:
        return formats.date_format(first, "F Y")
    if whole_months and months == 3 and first.month % 3 == 1:
        quarter = (first.month - 1) // 3 + 1
        if quarter == 1:
            return _("1er trimestre %(year)s") % {"year": first.year}
        return _("%(number)se trimestre %(year)s") % {"number": quarter, "year": first.year}
    if whole_months and months == 12 and first.month == 1:
        return _("année %(year)s") % {"year": first.year}
    if (last - first).days == 6 and first.weekday() == 0:
        start = long_date(first) if first.year != last.year else _day_and_month(first)
        return _("semaine du %(first)s au %(last)s") % {"first": start, "last": long_date(last)}
    return _("du %(first)s au %(last)s") % {"first": long_date(first), "last": long_date(last)}


def _day_and_month(day: date) -> str:
    """ "16 novembre", "1er novembre"; "November 16" in English."""
    if _french():
        text = formats.date_format(day, "j F")
        return ("1er" + text[1:]) if day.day == 1 else text
    return formats.date_format(day, "F j")


def quote_marks() -> tuple[str, str]:
    """The language's quotation marks: « and » with no-break spaces inside in French, “ and ” in
    English."""
    return (f"«{NBSP}", f"{NBSP}»") if _french() else ("\u201c", "\u201d")


def quoted(text: str) -> str:
    """A customer's words between the language's quotation marks: "« … »" / "“…”"."""
    opening, closing = quote_marks()
    return f"{opening}{text}{closing}"
