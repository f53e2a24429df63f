"""Whether a reply is written in the language of the mention it answers."""

from __future__ import annotations

import threading
from functools import lru_cache

from django.utils.translation import gettext as _

from vigie.analysis.detectors import LanguageAnalyzer, function_word_language, letter_count
from vigie.inbox.quality.findings import WARN, Finding

# Shorter replies ("Merci !", "Thanks!") are the same in many languages: no verdict on them.
MIN_LETTERS = 25
# Without clear function words, lingua alone judges only texts this long: on a short, name-heavy
# reply ("Bonjour Caroline, j'en prends note. Léa") it guesses.
LINGUA_MIN_LETTERS = 60
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _analyzer() -> LanguageAnalyzer:
    with _lock:
        analyzer = LanguageAnalyzer()
        analyzer.load()
    return analyzer


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when it is too short to tell."""
    if letter_count(text) < MIN_LETTERS:
        return None
    # Function words settle most replies at once; lingua (the analysis' detector) does the rest.
    fast = function_word_language(text)
    if fast is not None:
        return fast
    if letter_count(text) < LINGUA_MIN_LETTERS:
        return None
    return _analyzer().detect(text) or None


def language_name(code: str) -> str:
    names = {
        "fr": _("français"),
        "en": _("anglais"),
        "es": _("espagnol"),
        "de": _("allemand"),
        "it": _("italien"),
        "nl": _("néerlandais"),
        "pt": _("portugais"),
    }
    return str(names.get(code, code))


def check_language(detected: str | None, expected: str, *, customer_language: bool) -> list[Finding]:
    """A warning when the reply's ``detected`` language is not ``expected``.

    ``customer_language`` says whether ``expected`` is the answered mention's language (else it is
    the language the reply was declared in), so that the message says which.
    """
    expected = expected[:2].lower()
    if not expected or detected is None or detected == expected:
        return []
    values = {"detected": language_name(detected), "expected": language_name(expected)}
    message = (
        _("La réponse semble écrite en %(detected)s alors que le message du client est en %(expected)s.")
        if customer_language
        else _("La réponse semble écrite en %(detected)s et non en %(expected)s comme indiqué.")
    )
    return [Finding("wrong_language", WARN, message % values)]
