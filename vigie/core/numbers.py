"""Numbers and percentages as the active language writes them, for the web pages and the
management report alike: "3,03", "1 234" (a narrow no-break space groups digits), "42 %" (a
no-break space before the sign) in French; "3.03", "1,234", "42%" in English.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import get_language

NBSP = "\u00a0"


def _french() -> bool:
    return not (get_language() or "fr").startswith("en")


def number(value: float | int | None, decimals: int = 0) -> str:
    """``value`` with the language's decimal mark, digit grouping and a true minus sign ("−3");
    "—" when unknown."""
    if value is None:
        return "—"
    text = formats.number_format(round(value, decimals), decimals, use_l10n=True, force_grouping=True)
    # A true minus sign, not a hyphen: "−12"; and no "−0" for a value that rounds to nothing.
    if text.startswith("-"):
        text = "\u2212" + text[1:] if round(value, decimals) else text[1:]
    # Django's French grouping is a no-break space; keep the narrow one typographers use.
    return text.replace(NBSP, "\u202f") if _french() else text


def percent(share: float | None, decimals: int = 0) -> str:
    """A share 0..1 as "42 %" (French: a no-break space, which never wraps away from its number)
    or "42%" (English); "—" when unknown."""
    if share is None:
        return "—"
    return f"{number(share * 100, decimals)}{NBSP if _french() else ''}%"
