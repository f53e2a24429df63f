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


# A bare pattern is an order number; a (kind, pattern) pair names its kind.
NumberPattern = str | tuple[str, str]


def order_patterns(organisation: Organisation) -> list[NumberPattern]:
    """The organisation's order number patterns and its customer number patterns as
    ``("customer_number", pattern)`` (personal data too)."""
    settings = scoped(AnalysisSettings, organisation).first()
    if settings is None:
        return []
    return [*settings.order_patterns, *(("customer_number", p) for p in settings.customer_patterns)]


def masked(text: str, patterns: list[NumberPattern] | None = None, *, limit: int = MAX_QUOTE_CHARS) -> str:
    """``text`` with every detected e-mail, phone, IBAN, card, address or order number replaced by
    ``[…]``, then shortened to ``limit`` characters."""
    spans = sorted(find_personal_data(text, patterns or []), key=lambda s: s.start, reverse=True)
    for span in spans:
        text = text[: span.start] + MASK + text[span.end :]
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
