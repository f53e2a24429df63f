"""Find personal data in a text, with character spans: e-mail addresses, phone numbers, IBANs,
payment card numbers, French postal addresses, customer and member numbers named as such
("mon numéro d'adhérent est le 66679046"), and order or customer numbers matching an
organisation's own patterns.

``find_personal_data`` is a plain function so that the reply quality gate can run the very same
detection on an agent's draft. Numbers are confirmed by their checksums (IBAN mod 97 and the
country's length, in any case and however spaced; Luhn and a card-issuer prefix for cards) and
phone numbers by ``phonenumbers``' validity rules, so ordinary figures ("3 500 €", "ref 2024") are
not flagged. French company numbers (SIREN, SIRET) also pass the Luhn check: they are recognised
as such (``find_company_numbers``) and never reported as cards, nor as personal data, since they
identify a company in a public register. An address needs a number, a street type *and* a
plausible street name ("12 rue de la République", not "2 place de libre").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import Any

import phonenumbers

logger = logging.getLogger(__name__)

EMAIL = "email"
PHONE = "phone"
IBAN = "iban"
CARD = "card"
ADDRESS = "address"
ORDER_NUMBER = "order_number"
CUSTOMER_NUMBER = "customer_number"
# Company registration numbers: recognised so that they are not taken for cards, never personal data.
SIREN = "siren"
SIRET = "siret"

# The kinds an organisation's own patterns may declare (``vigie analyze --patterns``).
PATTERN_KINDS = (ORDER_NUMBER, CUSTOMER_NUMBER)
# The organisation's patterns run on the first characters of a text only: a pattern that
# backtracks badly is bounded by this length (and nested quantifiers are refused, see ``patterns``).
PATTERN_TEXT_LIMIT = 5_000

# When two findings overlap, the more specific kind wins.
_RANK = {EMAIL: 0, IBAN: 1, CARD: 2, ORDER_NUMBER: 3, CUSTOMER_NUMBER: 3, PHONE: 4, ADDRESS: 5}


@dataclass(frozen=True, order=True)
class Span:
    """``text[start:end]`` is personal data of kind ``kind``."""

    start: int
    end: int
    kind: str

    def as_dict(self) -> dict[str, int | str]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# An IBAN candidate at each word start, in any case ("fr76 3000 …"), however spaced (blocks of
# four, RIB groups, "FR 76"): the look-ahead does not consume, and the country's length cuts the
# candidate before the words that follow it ("… 189 pour le virement").
_IBAN_RE = re.compile(r"\b(?=([A-Za-z]{2}[ ]?\d{2}(?:[ \-]?[A-Za-z0-9]){11,32}))")
# A customer's or member's own number, named as such in the text ("mon numéro d'adhérent est le
# 66679046", "n° client : CLI4402871", "customer ID 88120455"): personal data whatever the
# organisation's patterns say, since it points at one person's file. Contract, claim, file,
# tracking and invoice numbers are not matched (the evaluation texts keep them as ordinary
# figures), nor a number of fewer than five digits ("service client au 3639").
_NAMED_CUSTOMER_NUMBER_RE = re.compile(
    r"(?i)(?:\b(?:num[ée]ro|num\.|n°|no\.?|r[ée]f[ée]rence|r[ée]f\.?|identifiant)\s*"
    r"(?:d['’]\s*|de\s+)?(?:adh[ée]rent|client|soci[ée]taire|membre|abonn[ée])e?s?"
    r"|\b(?:adh[ée]rent|client|soci[ée]taire|membre|abonn[ée])e?\s+(?:num[ée]ro|n°|no\.?)"
    r"|\b(?:customer|member(?:ship)?|client)\s+(?:number|no\.?|id|#))"
    r"\s*(?:est\s+(?:le\s+)?|is\s+|[:=#]\s*)?"
    r"(?P<number>(?<![\w-])(?:[a-z]{1,4}[- ]?)?\d(?:\d|[ .-](?=\d)){3,19}(?![\w-]))"
)
_CUSTOMER_NUMBER_MIN_DIGITS = 5


def _named_customer_numbers(text: str) -> list[Span]:
    spans = []
    for match in _NAMED_CUSTOMER_NUMBER_RE.finditer(text):
        number = match.group("number")
        if _digit_count(number) >= _CUSTOMER_NUMBER_MIN_DIGITS:
            spans.append(Span(match.start("number"), match.end("number"), CUSTOMER_NUMBER))
    return spans


_CARD_RE = re.compile(r"(?<![\d.,])\d(?:[ -]?\d){12,18}(?![\d.,]\d)")
# SIREN (9 digits) and SIRET (SIREN + 5), as printed: "732 829 320", "732 829 320 00074".
_COMPANY_RE = re.compile(r"(?<![\d.,])\d{3}[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{5})?(?![\d.,]?\d)")
_COMPANY_GROUPS = re.compile(r"\d{3}([ .])\d{3}\1\d{3}(?:\1?\d{5})?")
_COMPANY_WORDS = re.compile(r"(?i:siret|siren|rcs|r\.c\.s|immatricul|n°\s*tva|société|entreprise)")
# Card issuers' first digits (2-series and 5 Mastercard, 3 Amex/Diners/JCB, 4 Visa, 6 Discover/
# Maestro/UnionPay); the 14-digit cards are Diners Club's (30, 36, 38, 39).
_CARD_FIRST_DIGITS = frozenset("23456")
_FOURTEEN_DIGIT_CARD_PREFIXES = ("30", "36", "38", "39")

_STREET_TYPES = (
    "rue|avenue|av\\.|bd|boulevard|place|pl\\.|allée|allee|impasse|chemin|route|rte|quai|cours|square|"
    "passage|voie|rond-point|faubourg|fbg|lotissement|résidence|residence|hameau|lieu-dit|sentier|cité|cite|"
    "esplanade|promenade|parvis|villa|ruelle|mail"
)
# Street types that are also everyday nouns ("2 place de parking", "3 mail sans réponse", "1 cours
# de yoga"): in lower case, they make an address only with a capitalised name, an article ("place
# du marché") or a postcode.
_AMBIGUOUS_WORDS = (
    "place pl. chemin route rte quai cours square passage voie résidence residence cité cite villa "
    "mail promenade lotissement hameau sentier"
)
_AMBIGUOUS_TYPES = frozenset(_AMBIGUOUS_WORDS.split())
# Words no street name starts with: function words and the adjectives that follow "place(s)".
_NOT_A_NAME_WORDS = """sans avec pour par sur sous dans en et ou mais donc or ni car pas plus moins très trop bien mal
    peu tout tous toute toutes rien jamais toujours encore déjà aussi non oui si comme quand puis
    après avant pendant depuis entre vers chez contre à au aux qui que quoi dont ce cet cette ces
    mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs un une il elle ils elles on je
    tu nous vous est sont était a ont avait fait été ça cela libre libres dispo dispos disponible
    disponibles gratuit gratuite gratuits gratuites occupé occupée occupés occupées réservé réservée
    réservés réservées restant restante restants restantes vide vides assise assises debout
    supplémentaire supplémentaires envoyé envoyés envoyée reçu reçus reçue lu lus resté restés
    to the and of for with from in on at sent left"""
_NOT_A_NAME = frozenset(_NOT_A_NAME_WORDS.split())
_ARTICLES = re.compile(r"(?i:\b(?:la|le|les|l['’]|du|des)\b)")
_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿ][\wÀ-ÖØ-öø-ÿ'’\-]*"
_CAPITALISED = r"[A-ZÀ-ÖØ-Þ][\wÀ-ÖØ-öø-ÿ'’\-]*"
_PARTICLES = r"(?i:(?:de|du|des|la|le|les|l['’]|d['’]|saint|sainte|st|ste)\s*)*"
# Number, street type and particles in any case; the street name's first word in any case ("rue
# de la paix"), then only capitalised words, so the match stops where the sentence resumes.
_ADDRESS_RE = re.compile(
    rf"\b\d{{1,4}}(?i:\s?(?:bis|ter))?,?\s+(?P<type>(?i:{_STREET_TYPES}))\s+(?P<particles>{_PARTICLES})"
    rf"(?P<name>{_WORD})(?:[ \-]+{_PARTICLES}{_CAPITALISED}){{0,5}}"
    rf"(?P<postcode>,?\s+\d{{5}}(?:\s+{_CAPITALISED}(?:[ \-]+(?i:sur|sous|en|lès|les|le|la|de|d['’])?[ \-]*{_CAPITALISED}){{0,3}})?)?"
)

# English addresses ("221B Baker Street", "1600 Pennsylvania Avenue NW, Washington, DC 20500",
# "10 Downing Street, London SW1A 2AA"): a number, a name of capitalised words and a capitalised
# street type, then a direction, a town and a UK or US postcode when given. Lower-case forms ("3
# main road issues", "2 way street") are ordinary English: not addresses.
_EN_STREET_TYPES = (
    r"Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Court|Ct\.?|"
    r"Way|Place|Pl\.?|Terrace|Close|Crescent|Square|Sq\.?|Parkway|Pkwy\.?|Highway|Hwy\.?|Row|"
    r"Gardens|Grove|Mews|Walk|Hill"
)
_EN_NOT_A_NAME = frozenset(
    [
        "The",
        "A",
        "An",
        "My",
        "Our",
        "Your",
        "Their",
        "His",
        "Her",
        "This",
        "That",
        "These",
        "Those",
        "And",
        "Or",
        "But",
        "For",
        "Of",
        "In",
        "On",
        "At",
    ]
)
_EN_NAME_WORD = r"(?:[A-Z][a-z'’\-]+|\d{1,3}(?:st|nd|rd|th))"
_EN_ADDRESS_RE = re.compile(
    rf"\b(?P<number>\d{{1,5}})[A-Za-z]?,?\s+(?P<name>{_EN_NAME_WORD}(?:\s+{_EN_NAME_WORD}){{0,3}})"
    rf"\s+(?:{_EN_STREET_TYPES})(?![\w])(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    rf"(?P<town>,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)?"
    rf"(?P<postcode>,?\s+(?:[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?|[A-Z]{{1,2}}\d[A-Z\d]?\s*\d[A-Z]{{2}}))?"
)

# ISO 13616 lengths of the countries that issue IBANs; an IBAN of another country is not one.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27,
    "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24,
    "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24,
    "XK": 20,
}  # fmt: skip


def iban_is_valid(candidate: str) -> bool:
    """The ISO 13616 mod-97 check and the country's length, in any case and however spaced."""
    compact = re.sub(r"[\s\-]+", "", candidate).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    if len(compact) != _IBAN_LENGTHS.get(compact[:2]):
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


def luhn_is_valid(candidate: str) -> bool:
    """The Luhn checksum of payment card numbers (13 to 19 digits)."""
    digits = [int(char) for char in candidate if char.isdigit()]
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    return _luhn(digits)


def _luhn(digits: list[int]) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _iban_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for match in _IBAN_RE.finditer(text):
        candidate = match.group(1)
        length = _IBAN_LENGTHS.get(candidate[:2].upper())
        if length is None:
            continue
        ends = [offset + 1 for offset, char in enumerate(candidate) if char.isalnum()]
        if len(ends) < length:
            continue
        end = match.start() + ends[length - 1]
        if end < len(text) and text[end].isalnum():
            continue  # the IBAN would end inside a word
        if iban_is_valid(text[match.start() : end]) and not (spans and spans[-1].end > match.start()):
            spans.append(Span(match.start(), end, IBAN))
    return spans


def _company_kind(text: str, start: int, end: int) -> str | None:
    """SIREN or SIRET when ``text[start:end]`` reads as a company number, else None."""
    value = text[start:end]
    digits = [int(char) for char in value if char.isdigit()]
    if len(digits) not in (9, 14) or not _luhn(digits) or len(set(digits)) == 1:
        return None
    named = _COMPANY_WORDS.search(text, max(0, start - 40), start) is not None
    grouped = _COMPANY_GROUPS.fullmatch(value) is not None
    if len(digits) == 9:
        return SIREN if named or grouped else None
    if named or grouped or not value.startswith(_FOURTEEN_DIGIT_CARD_PREFIXES):
        return SIRET
    return None


def find_company_numbers(text: str) -> list[Span]:
    """French company registration numbers (SIREN, SIRET; Luhn-checked) in ``text``.

    Not personal data: they identify a company in a public register, so ``find_personal_data``
    leaves them out (and never calls them cards) and the reply quality gate does not block them."""
    if _digit_count(text) < 9:
        return []
    spans = []
    for match in _COMPANY_RE.finditer(text):
        kind = _company_kind(text, match.start(), match.end())
        if kind is not None:
            spans.append(Span(match.start(), match.end(), kind))
    return spans


def _is_card(text: str, match: re.Match[str]) -> bool:
    value = match.group()
    if value[0] not in _CARD_FIRST_DIGITS or not luhn_is_valid(value):
        return False
    return _company_kind(text, match.start(), match.end()) is None


def _is_address(match: re.Match[str]) -> bool:
    """A street type *and* a plausible name: not "2 place de libre", "3 mail sans réponse"."""
    name = match["name"]
    if name.lower() in _NOT_A_NAME:
        return False
    if match["postcode"] or name[0].isupper():
        return True
    street_type = match["type"]
    if street_type.lower() not in _AMBIGUOUS_TYPES or street_type[0].isupper():
        return True  # "12 rue de la paix"
    return _ARTICLES.search(match["particles"]) is not None  # "3 place du marché"


def _is_english_address(match: re.Match[str]) -> bool:
    if match["name"].split()[0] in _EN_NOT_A_NAME:
        return False
    # "2016 Harley Davidson Road" is a year and a model: a year-like number needs a town or postcode.
    return not (1900 <= int(match["number"]) <= 2099) or bool(match["town"] or match["postcode"])


def _trimmed_end(text: str, match: re.Match[str]) -> int:
    # "St." ends a sentence as often as it abbreviates: the full stop is not part of the address.
    end = match.end()
    return end - 1 if text[end - 1] in ".," else end


def unsafe_pattern_reason(pattern: str) -> str | None:
    """Why ``pattern`` could hang a search (a repeated part that can itself match in several
    ways, such as ``(\\d+)+`` or ``(a|ab)*``: catastrophic backtracking), or None."""
    try:
        re.compile(pattern)  # some errors (a variable-width look-behind) only show here
        parsed = _parser.parse(pattern)
    except re.error as exc:
        return f"not a valid regular expression ({exc})"
    if _nested_repeat(parsed):
        return "a repeated group that itself holds a variable repeat or an alternative (e.g. (\\d+)+) could backtrack for ever"
    return None


_REPEATS = (_constants.MAX_REPEAT, _constants.MIN_REPEAT)


def _subpatterns(value: object) -> list[Any]:
    if isinstance(value, _parser.SubPattern):
        return [value]
    if isinstance(value, list | tuple):
        return [found for item in value for found in _subpatterns(item)]
    return []


def _varies(items: Any) -> bool:
    """Whether the parsed pattern can match in more than one shape (a variable repeat, a branch)."""
    for op, value in items:
        if op in _REPEATS and value[0] != value[1]:
            return True
        if op is _constants.BRANCH:
            return True
        if any(_varies(child) for child in _subpatterns(value)):
            return True
    return False


def _nested_repeat(items: Any) -> bool:
    for op, value in items:
        # A bounded outer repeat ("(?:\d{3}[ -]?){3}") backtracks at most 2**10 ways.
        if op in _REPEATS and value[1] > 10 and _varies(value[2]):
            return True
        if any(_nested_repeat(child) for child in _subpatterns(value)):
            return True
    return False


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    reason = unsafe_pattern_reason(pattern)
    if reason is not None:
        # One bad pattern in an organisation's settings must not stop the analysis of its mentions.
        logger.warning("ignoring order-number pattern %r: %s", pattern, reason)
        return None
    return re.compile(pattern)


_DIGIT = re.compile(r"\d")


def _digit_count(text: str) -> int:
    # One C-level scan; a generator over characters cost more than the detection itself.
    return len(_DIGIT.findall(text))


Pattern = str | tuple[str, str]


# Numbers written without their country code are read as French, then as British ("07911 123456",
# "020 7946 0958" were missed in English reviews); international ones (+32, +41, +1…) in any case.
# A number valid in both is one span (the overlap is settled below).
PHONE_REGIONS = ("FR", "GB")


def find_personal_data(text: str, patterns: Iterable[Pattern] = ()) -> list[Span]:
    """Every piece of personal data in ``text``, as non-overlapping spans in text order.

    ``patterns`` are the organisation's regular expressions for its order or customer numbers:
    a bare pattern is an order number, a ``(kind, pattern)`` pair names its kind (one of
    ``PATTERN_KINDS``). They run on the first ``PATTERN_TEXT_LIMIT`` characters.
    """
    if not text:
        return []
    found: list[Span] = []
    if "@" in text:
        found += [Span(m.start(), m.end(), EMAIL) for m in _EMAIL_RE.finditer(text)]
    digits = _digit_count(text)
    if digits >= 6:
        found += _iban_spans(text)
        if digits >= 13:
            found += [Span(m.start(), m.end(), CARD) for m in _CARD_RE.finditer(text) if _is_card(text, m)]
        if digits >= 8:
            found += [
                Span(phone.start, phone.end, PHONE)
                for region in PHONE_REGIONS
                for phone in phonenumbers.PhoneNumberMatcher(
                    text, region, leniency=phonenumbers.Leniency.VALID
                )
            ]
    if digits:
        found += [Span(m.start(), m.end(), ADDRESS) for m in _ADDRESS_RE.finditer(text) if _is_address(m)]
        found += [
            Span(m.start(), _trimmed_end(text, m), ADDRESS)
            for m in _EN_ADDRESS_RE.finditer(text)
            if _is_english_address(m)
        ]
    bounded = text[:PATTERN_TEXT_LIMIT]
    for entry in patterns:
        kind, pattern = (ORDER_NUMBER, entry) if isinstance(entry, str) else entry
        compiled = _compiled(pattern)
        if compiled is not None:
            found += [
                Span(m.start(), m.end(), kind) for m in compiled.finditer(bounded) if m.end() > m.start()
            ]
    # After the organisation's patterns: where both find the same number, the kind the
    # organisation declared wins (the overlap is settled in list order between equal ranks).
    if digits >= _CUSTOMER_NUMBER_MIN_DIGITS:
        found += _named_customer_numbers(text)
    return _without_overlaps(found)


def _without_overlaps(spans: list[Span]) -> list[Span]:
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (_RANK.get(s.kind, 3), s.start, s.start - s.end)):
        if all(span.end <= other.start or span.start >= other.end for other in chosen):
            chosen.append(span)
    return sorted(chosen)
