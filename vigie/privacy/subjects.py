"""Who a data subject request is about: one identifier typed by the DPO, read as what it looks like.

An e-mail, a phone number, a platform handle (``@marie_d``) or a name (``Marie Dupont``). A handle
and a name look alike, so anything that is neither an e-mail nor a phone is tried as both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]+$")
MIN_PHONE_DIGITS = 6


class SubjectError(ValueError):
    """The identifier typed cannot designate a person (empty, too long, too short)."""


@dataclass(frozen=True)
class Subject:
    """The identifiers to look for. ``raw`` is what was typed, never stored or logged as such."""

    raw: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()  # as typed and as bare digits
    handles: tuple[str, ...] = ()  # without the leading @
    names: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        if self.emails:
            return "email"
        if self.phones:
            return "phone"
        return "handle_or_name"

    def identifiers(self) -> dict[str, list[str]]:
        """Plain lists, for the apps that hold personal data without importing this module."""
        return {
            "emails": list(self.emails),
            "phones": list(self.phones),
            "handles": list(self.handles),
            "names": list(self.names),
        }


def phone_digits(value: str) -> str:
    """The digits of a phone number, with a French leading 0 and +33 read alike."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def phone_spellings(phones: tuple[str, ...]) -> list[str]:
    """The ways a phone is commonly written in a text: as typed, bare, and for a French number
    in pairs with spaces, dots or dashes, and in the +33 form."""
    spellings = list(phones[:1])
    for digits in {phone_digits(p) for p in phones}:
        spellings.append(digits)
        if len(digits) == 10 and digits.startswith("0"):
            pairs = [digits[i : i + 2] for i in range(0, 10, 2)]
            spellings += [" ".join(pairs), ".".join(pairs), "-".join(pairs)]
            spellings.append("+33 " + digits[1] + " " + " ".join(pairs[1:]))
            spellings.append("+33" + digits[1:])
    return list(dict.fromkeys(spellings))


def parse_subject(value: str) -> Subject:
    """Read ``value`` as an e-mail, a phone, or a handle and name; ``SubjectError`` if unusable."""
    text = " ".join((value or "").split())
    if not text:
        raise SubjectError("the subject is empty")
    if len(text) > MAX_LENGTH:
        raise SubjectError(f"the subject is longer than {MAX_LENGTH} characters")
    if _EMAIL.match(text):
        return Subject(raw=text, emails=(text.lower(),))
    if _PHONE.match(text):
        digits = phone_digits(text)
        if len(digits) < MIN_PHONE_DIGITS:
            raise SubjectError(f"a phone number has at least {MIN_PHONE_DIGITS} digits")
        return Subject(raw=text, phones=tuple(dict.fromkeys((text, digits))))
    handle = text.removeprefix("@")
    if len(handle) < 2:
        raise SubjectError("the subject is too short to designate one person")
    return Subject(raw=text, handles=(handle,), names=(text,))
