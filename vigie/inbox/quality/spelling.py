"""Offline spelling (pyspellchecker's word-frequency dictionaries) and a few grammar slips.

Words that are not dictionary words by nature are never checked: capitalised words (names of
people, places, brands), words in capitals (acronyms), the organisation's own names, words with
digits, URLs, e-mail addresses, @handles, #hashtags and template placeholders.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from vigie.inbox.quality.findings import WARN, Finding
from vigie.inbox.templating.render import FILL_IN_RE, LEGACY_VARIABLE_RE, VARIABLE_RE

if TYPE_CHECKING:
    from spellchecker import SpellChecker

SUPPORTED = ("fr", "en")

_SKIP_RES = (
    re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE),
    re.compile(
        r"\b[\w\-]{1,63}(?:\.[\w\-]{1,63})*\.(?:com|fr|net|org|eu|io|be|ch|ca|co\.uk|de|es|it)\b",
        re.IGNORECASE,
    ),
    # Starts only where a run of address characters starts, and bounded: on a long run without
    # "@" every start would rescan the rest of it (20,000 digits took 10 s).
    re.compile(r"(?<![\w.+\-])[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63})+"),
    re.compile(r"[@#][\w.\-]+"),
    VARIABLE_RE,
    LEGACY_VARIABLE_RE,
    FILL_IN_RE,
)
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# French elisions: "l'agence" checks "agence", "qu'il" checks "il".
_ELISION_RE = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)

# Everyday words of customer care that the frequency lists miss or rank too low.
_EXTRA_WORDS = {
    "fr": "mutuelle adhérent adhérente adhérents adhérentes e-mail email mail mails sms appli application "
    "tiers-payant remboursements réclamation réclamations désagrément désagréments "
    "joignable joignables recontacter recontactons rappeler rappelons espace-adhérent "
    "mp dm rdv ok covid wifi wi-fi internet en ligne svp stp etc info infos promo promos dispo dispos "
    "cgu cgv sav faq hyper url urls cliquer cliquant cliquez cliqué cliquée impacter impacté impactée "
    "impactés impactées impacte calendaires calendaire investiguer recréditer recrédité recréditée "
    "rétractation réexpédier réexpédition réexpédié réexpédiée désabonner désabonnement traçabilité "
    "livreur livreurs transporteur transporteurs reconditionné reconditionnés colis relais hashtag hashtags "
    "bug bugs cashback smartphone smartphones newsletter newsletters mailing web clic clics recontacté "
    "recontactée désabonnement désabonnements republier bloqueur",
    "en": "e-mail email emails app dm dms ok wifi online website customer-care",
}

_lock = threading.Lock()


@cache
def checker(language: str) -> SpellChecker:
    """The dictionary of ``language``, loaded once per process (about a second the first time)."""
    from spellchecker import SpellChecker

    with _lock:
        spell = SpellChecker(language=language, distance=2)
        spell.word_frequency.load_words(_EXTRA_WORDS.get(language, "").split())
    return spell


def _skipped_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for pattern in _SKIP_RES for m in pattern.finditer(text)]


def _inside(start: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= start < b for a, b in spans)


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str


def _candidates(text: str, protected: set[str]) -> list[_Word]:
    skipped = _skipped_spans(text)
    words = []
    for match in _WORD_RE.finditer(text):
        word = match.group()
        if _inside(match.start(), skipped) or len(word) < 3:
            continue
        if word[0].isupper() or word.lower() in protected:
            # Capitalised words are skipped even at a sentence start: names are where dictionaries
            # fail most, and a false alarm on a customer's name teaches agents to ignore the gate.
            continue
        start = match.start()
        elision = _ELISION_RE.match(word)
        if elision:
            start += elision.end()
            word = word[elision.end() :]
        words.append(_Word(start, start + len(word), word))
    return words


def _variants(lowered: str, language: str) -> list[str]:
    # The dictionaries write "coeur" and American English: accept "cœur" and "apologise" too.
    variants = [lowered.replace("œ", "oe").replace("æ", "ae")]
    if language == "fr":
        # The 1990 spelling reform drops the circumflex on i and u ("apparait", "abimé", "surement").
        for plain, accented in (("i", "î"), ("u", "û")):
            variants += [
                lowered[:i] + accented + lowered[i + 1 :] for i, c in enumerate(lowered) if c == plain
            ]
        return variants
    if language != "en":
        return variants
    if re.search(r"(is|ys)(e|es|ed|ing|ation|ations)$", lowered):
        variants.append(re.sub(r"(i|y)s(e|es|ed|ing|ation|ations)$", r"\1z\2", lowered))
    if "our" in lowered:
        variants.append(lowered.replace("our", "or"))
    if lowered.endswith(("tre", "tres")):
        variants.append(re.sub(r"tre(s?)$", r"ter\1", lowered))
    if "ll" in lowered:
        variants.append(lowered.replace("ll", "l"))
    if lowered.endswith("mme"):
        variants.append(lowered[:-2])
    return variants


def _words(language: str) -> Mapping[str, int]:
    # The dictionary itself: a plain lookup is several times faster than ``SpellChecker.known``.
    return checker(language).word_frequency.dictionary


def _known(word: str, language: str) -> bool:
    words = _words(language)
    lowered = word.lower().replace("’", "'")
    if lowered in words or any(variant in words for variant in _variants(lowered, language)):
        return True
    # French customer care borrows English words ("marketplace", "cashback", "bug"): accept them.
    if language == "fr" and len(lowered) > 3 and not _has_french_letters(lowered) and lowered in _words("en"):
        return True
    # "recontactera", "réexpédions": the prefix makes a word the frequency lists rarely hold.
    if language == "fr" and lowered.startswith(("re", "ré")) and len(lowered) > 6 and lowered[2:] in words:
        return True
    if "-" in lowered or "'" in lowered:
        parts = [part for part in re.split(r"[-']", lowered) if part]
        return all(part in words or len(part) < 3 for part in parts)
    return False


def _has_french_letters(word: str) -> bool:
    return any(char in "àâçéèêëîïôûùüÿœ" for char in word)


@lru_cache(maxsize=4096)
def _suggest(language: str, word: str) -> str | None:
    spell = checker(language)
    words = _words(language)
    lowered = word.lower()
    # Distance 1 first: it is cheap and almost always the intended word.
    close = {candidate for candidate in spell.edit_distance_1(lowered) if candidate in words}
    if not close and len(lowered) <= 12:
        close = {candidate for candidate in spell.edit_distance_2(lowered) if candidate in words}
    if not close:
        return None
    best = max(close, key=lambda candidate: (words[candidate], candidate))
    return best.capitalize() if word[0].isupper() else best


def check_spelling(text: str, language: str, protected: Iterable[str] = ()) -> list[Finding]:
    """Unknown words of ``text`` in ``language`` (fr or en), each with a suggestion when one is close."""
    if language not in SUPPORTED:
        return []
    protected_words = {word.lower() for term in protected for word in _WORD_RE.findall(term)}
    findings = []
    for word in _candidates(text, protected_words):
        if len(word.text) < 3 or _known(word.text, language):
            continue
        suggestion = _suggest(language, word.text)
        message = (
            _("« %(word)s » semble mal orthographié ; vouliez-vous écrire « %(suggestion)s » ?")
            % {"word": word.text, "suggestion": suggestion}
            if suggestion
            else _("« %(word)s » n'est pas dans le dictionnaire : vérifiez l'orthographe.")
            % {"word": word.text}
        )
        findings.append(Finding("spelling", WARN, message, word.start, word.end, suggestion))
    return findings


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    group: int
    replacement: str


def _rule(pattern: str, replacement: str, group: int = 1) -> _Rule:
    return _Rule(re.compile(pattern, re.IGNORECASE), group, replacement)


# Slips a spell checker cannot see because each word exists: the classic French "a"/"à" and a few
# English homophones. Each rule says which group is wrong and what to write instead.
_GRAMMAR: dict[str, tuple[_Rule, ...]] = {
    "fr": (
        # Lower case only: "A bientôt" without the accent on the capital is common and accepted.
        _Rule(
            re.compile(
                r"\b(a) (bientôt|votre disposition|vous lire|partir d|cet égard|nouveau|savoir|noter|très vite|"
                r"demain|tout moment)\b"
            ),
            1,
            "à",
        ),
        _rule(r"\b(?:il|elle|on|qui) (à)\b", "a"),
        _rule(r"\b(?:nous|vous) (à)\b", "avez"),
        _rule(r"\b(sa) (?:va|ira|marche|fonctionne)\b", "ça"),
        _rule(r"\b(ou) (?:se trouve|est-ce|en êtes-vous)\b", "où"),
        _rule(r"\bnous (somme)\b", "sommes"),
        _rule(r"\b(se) (?:retard|problème|délai|dossier|message|désagrément|souci)\b", "ce"),
        _rule(r"\b(quelque soit)\b", "quel que soit"),
        _rule(r"\b(malgré que)\b", "bien que"),
        _rule(r"\b(au jour d'aujourd'hui)\b", "aujourd'hui"),
    ),
    "en": (
        _rule(r"\b(your) (?:welcome|right|sorry)\b", "you're"),
        _rule(r"\b(?:could|would|should|must) (of)\b", "have"),
        _rule(r"\b(it's) (?:own|team|staff|customers)\b", "its"),
        _rule(r"\b(there) (?:team|order|account)\b", "their"),
        _rule(r"\b(alot)\b", "a lot"),
        _rule(r"\b(definately)\b", "definitely"),
        _rule(r"\b(recieve[ds]?)\b", "receive"),
    ),
}
_REPEATED_RE = re.compile(r"\b([^\W\d_]{2,})\s+(\1)\b", re.IGNORECASE)
_REPEATS_ALLOWED = {"nous", "vous", "that", "had"}  # "nous nous excusons", "vous vous", "that that"


def check_grammar(text: str, language: str) -> list[Finding]:
    """Common grammar slips of ``language`` (fr or en) and doubled words, with the fix."""
    findings = []
    for rule in _GRAMMAR.get(language, ()):
        for match in rule.pattern.finditer(text):
            wrong = match.group(rule.group)
            suggestion = rule.replacement.capitalize() if wrong[0].isupper() else rule.replacement
            findings.append(
                Finding(
                    "grammar",
                    WARN,
                    _("« %(wrong)s » : vouliez-vous écrire « %(suggestion)s » ?")
                    % {"wrong": wrong, "suggestion": suggestion},
                    match.start(rule.group),
                    match.end(rule.group),
                    suggestion,
                )
            )
    for match in _REPEATED_RE.finditer(text):
        if match.group(1).lower() in _REPEATS_ALLOWED:
            continue
        findings.append(
            Finding(
                "grammar",
                WARN,
                _("« %(word)s » est répété.") % {"word": match.group(1)},
                match.start(2),
                match.end(2),
                "",
            )
        )
    return findings
