"""Customer text quoted in boards and reports, with personal data masked.

The personal-data detector of the analysis (with the organisation's order-number patterns) runs
on the text as it is now, so an edited review is masked as edited; masking happens before any
quote leaves the database layer, whatever page or file shows it.
"""

from __future__ import annotations

from vigie.analysis.detectors import find_personal_data
from vigie.analysis.models import AnalysisSettings
from vigie.core.models import Organisation
from vigie.core.tenancy import scoped

MASK = "[…]"
MAX_QUOTE_CHARS = 400


def order_patterns(organisation: Organisation) -> list[str]:
    """The organisation's customer or order number patterns (personal data too)."""
    settings = scoped(AnalysisSettings, organisation).first()
    return list(settings.order_patterns) if settings is not None else []


def masked(text: str, patterns: list[str] | None = None, *, limit: int = MAX_QUOTE_CHARS) -> str:
    """``text`` with every detected e-mail, phone, IBAN, card, address or order number replaced by
    ``[…]``, then shortened to ``limit`` characters."""
    spans = sorted(find_personal_data(text, patterns or []), key=lambda s: s.start, reverse=True)
    for span in spans:
        text = text[: span.start] + MASK + text[span.end :]
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
