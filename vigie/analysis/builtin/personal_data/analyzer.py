"""The personal-data analyzer: spans of e-mails, phones, IBANs, cards, addresses, order and customer
numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from vigie.analysis.builtin.personal_data.detect import Pattern, find_personal_data
from vigie.analysis.contract import Analyzer, Item, Results


class PersonalDataAnalyzer(Analyzer):
    """Spans ``{"kind", "start", "end"}`` into the item's ``text``.

    The organisation's order number patterns come in ``Item.context["order_patterns"]`` (its
    settings: bare regular expressions), ``(kind, pattern)`` pairs in ``Item.context["number_patterns"]``
    (``vigie analyze --patterns``).
    """

    name = "personal_data"
    version = "1.3"
    provides: ClassVar[frozenset[str]] = frozenset({"personal_data"})

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        results: list[Results] = []
        for item in batch:
            patterns: tuple[Pattern, ...] = (
                *(item.context.get("order_patterns") or ()),
                *(tuple(pair) for pair in item.context.get("number_patterns") or ()),
            )
            spans = find_personal_data(item.text, patterns)
            results.append({"personal_data": [span.as_dict() for span in spans]})
        return results
