"""Detectors other apps run on text that is not a mention: a reply draft in the quality gate, a
verbatim quoted in a report. The one door into the analyzers' internals, so the analyzers can
change inside ``builtin/`` without other apps noticing.
"""

from vigie.analysis.builtin.language.analyzer import LanguageAnalyzer, function_word_language, letter_count
from vigie.analysis.builtin.personal_data.detect import (
    ADDRESS,
    CARD,
    EMAIL,
    IBAN,
    ORDER_NUMBER,
    PHONE,
    Span,
    find_personal_data,
)

__all__ = [
    "ADDRESS",
    "CARD",
    "EMAIL",
    "IBAN",
    "ORDER_NUMBER",
    "PHONE",
    "LanguageAnalyzer",
    "Span",
    "find_personal_data",
    "function_word_language",
    "letter_count",
]
