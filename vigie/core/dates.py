"""How a day reads to people in the active language: "6 décembre 2026", "1er décembre 2026",
"December 6, 2026". The management report, the GDPR readable export and any other document
handed to people write their days with this one function."""

from __future__ import annotations

import calendar
from datetime import date

from django.utils import formats
from django.utils.translation import get_language

# The French months, for texts written without Django's formats (the offline evidence check, the
# demo's generated reviews).
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def long_date(day: date) -> str:
    """ "6 décembre 2026", "1er décembre 2026"; "December 6, 2026" in English."""
    if (get_language() or "fr").startswith("fr"):
        text = formats.date_format(day, "j F Y")
        return ("1er" + text[1:]) if day.day == 1 else text
    return formats.date_format(day, "F j, Y")


def add_months(day: date, months: int) -> date:
    """``day`` so many calendar months later, on the last day of a shorter month (31 January + 1
    month: the last day of February): how the law counts "one month" (GDPR art. 12(3)) and "three
    months" (the press law's limitation period)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
