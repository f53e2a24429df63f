"""Find personal data in a text, with character spans: e-mail addresses, phone numbers, IBANs,
payment card numbers, French postal addresses, and order or customer numbers matching an
organisation's own patterns.

``find_personal_data`` is a plain function so that the reply quality gate can run the very same
detection on an agent's draft. Numbers are confirmed by their checksums (IBAN mod 97, Luhn for
cards) and phone numbers by ``phonenumbers``' validity rules, so ordinary figures ("3 500 €",
"ref 2024") are not flagged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

logger = logging.getLogger(__name__)

EMAIL = "email"
PHONE = "phone"
IBAN = "iban"
CARD = "card"
ADDRESS = "address"
ORDER_NUMBER = "order_number"

# When two findings overlap, the more specific kind wins.
_RANK = {EMAIL: 0, IBAN: 1, CARD: 2, ORDER_NUMBER: 3, PHONE: 4, ADDRESS: 5}


@dataclass(frozen=True, order=True)
class Span:
    """``text[start:end]`` is personal data of kind ``kind``."""

    start: int
    end: int
    kind: str

    def as_dict(self) -> dict[str, int | str]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# Printed IBANs come in blocks of four; uppercase only, so the next word is never swallowed.
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
_CARD_RE = re.compile(r"(?<![\d.,])\d(?:[ -]?\d){12,18}(?![\d.,]\d)")

_STREET_TYPES = (
    "rue|avenue|av\\.|bd|boulevard|place|pl\\.|allée|allee|impasse|chemin|route|rte|quai|cours|square|"
    "passage|voie|rond-point|faubourg|fbg|lotissement|résidence|residence|hameau|lieu-dit|sentier|cité|cite|"
    "esplanade|promenade|parvis|villa|ruelle|mail"
)
_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿ][\wÀ-ÖØ-öø-ÿ'’\-]*"
_CAPITALISED = r"[A-ZÀ-ÖØ-Þ][\wÀ-ÖØ-öø-ÿ'’\-]*"
_PARTICLES = r"(?i:(?:de|du|des|la|le|les|l['’]|d['’]|saint|sainte|st|ste)\s*)*"
# Number, street type and particles in any case; the street name's first word in any case ("rue
# de la paix"), then only capitalised words, so the match stops where the sentence resumes.
_ADDRESS_RE = re.compile(
    rf"\b\d{{1,4}}(?i:\s?(?:bis|ter))?,?\s+(?i:{_STREET_TYPES})\s+{_PARTICLES}{_WORD}"
    rf"(?:[ \-]+{_PARTICLES}{_CAPITALISED}){{0,5}}"
    rf"(?:,?\s+\d{{5}}(?:\s+{_CAPITALISED}(?:[ \-]+(?i:sur|sous|en|lès|les|le|la|de|d['’])?[ \-]*{_CAPITALISED}){{0,3}})?)?"
)

_IBAN_LENGTHS = {
    "FR": 27,
    "DE": 22,
    "BE": 16,
    "ES": 24,
    "IT": 27,
    "NL": 18,
    "PT": 25,
    "LU": 20,
    "CH": 21,
    "GB": 22,
    "MC": 27,
    "AT": 20,
    "IE": 22,
    "PL": 28,
    "GR": 27,
    "FI": 18,
    "DK": 18,
    "SE": 24,
    "NO": 15,
}


def iban_is_valid(candidate: str) -> bool:
    """The ISO 13616 mod-97 check (and the country's length when known)."""
    compact = re.sub(r"\s+", "", candidate).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


def luhn_is_valid(candidate: str) -> bool:
    """The Luhn checksum of payment card numbers (13 to 19 digits)."""
    digits = [int(char) for char in candidate if char.isdigit()]
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error as exc:
        # One bad pattern in an organisation's settings must not stop the analysis of its mentions.
        logger.warning("ignoring invalid order-number pattern %r: %s", pattern, exc)
        return None


_DIGIT = re.compile(r"\d")


def _digit_count(text: str) -> int:
    # One C-level scan; a generator over characters cost more than the detection itself.
    return len(_DIGIT.findall(text))


def find_personal_data(text: str, patterns: Iterable[str] = ()) -> list[Span]:
    """Every piece of personal data in ``text``, as non-overlapping spans in text order.

    ``patterns`` are the organisation's regular expressions for its order or customer numbers.
    """
    if not text:
        return []
    found: list[Span] = []
    if "@" in text:
        found += [Span(m.start(), m.end(), EMAIL) for m in _EMAIL_RE.finditer(text)]
    digits = _digit_count(text)
    if digits >= 6:
        found += [Span(m.start(), m.end(), IBAN) for m in _IBAN_RE.finditer(text) if iban_is_valid(m.group())]
        if digits >= 13:
            found += [
                Span(m.start(), m.end(), CARD) for m in _CARD_RE.finditer(text) if luhn_is_valid(m.group())
            ]
        if digits >= 8:
            found += [
                Span(phone.start, phone.end, PHONE)
                for phone in phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.VALID)
            ]
    if digits:
        for match in _ADDRESS_RE.finditer(text):
            found.append(Span(match.start(), match.end(), ADDRESS))
    for pattern in patterns:
        compiled = _compiled(pattern)
        if compiled is not None:
            found += [
                Span(m.start(), m.end(), ORDER_NUMBER) for m in compiled.finditer(text) if m.end() > m.start()
            ]
    return _without_overlaps(found)


def _without_overlaps(spans: list[Span]) -> list[Span]:
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (_RANK[s.kind], s.start, s.start - s.end)):
        if all(span.end <= other.start or span.start >= other.end for other in chosen):
            chosen.append(span)
    return sorted(chosen)
