"""Detectors other apps run on text that is not a mention: a reply draft in the quality gate, a
verbatim quoted in a report. The one door into the analyzers' internals, so the analyzers can
change inside ``builtin/`` without other apps noticing.

``find_personal_data`` never reports company numbers (SIREN, SIRET): they are public, so a reply
that quotes one is not blocked; ``find_company_numbers`` finds them where they are wanted.
"""

from vigie.analysis.builtin.language.analyzer import LanguageAnalyzer, function_word_language, letter_count
from vigie.analysis.builtin.personal_data.detect import (
    ADDRESS,
    CARD,
    CUSTOMER_NUMBER,
    EMAIL,
    IBAN,
    ORDER_NUMBER,
    PHONE,
    SIREN,
    SIRET,
    Span,
    find_company_numbers,
    find_personal_data,
)

__all__ = [
    "ADDRESS",
    "CARD",
    "CUSTOMER_NUMBER",
    "EMAIL",
    "IBAN",
    "ORDER_NUMBER",
    "PHONE",
    "SIREN",
    "SIRET",
    "LanguageAnalyzer",
    "Span",
    "find_company_numbers",
    "find_personal_data",
    "function_word_language",
    "letter_count",
]
