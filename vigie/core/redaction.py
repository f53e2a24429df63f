"""Finding and erasing a person's name, handle, e-mail or phone in a text (GDPR erasure).

A person is named by whole words only, compared without case nor accents: « nathalie » finds
« Nathalie » and « NATHALIE » but neither « @nathalie_moreau66 » nor « Nathaliette »; « Helene
Faure » finds « Hélène  Faure » (any run of spaces between the words). The replacement is made in
the original text, whose other characters are kept as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["ERASED", "fold", "name_parts", "names_in", "redact"]

ERASED = "[effacé]"

# A word character of the folded text: a needle matches only where none touches it.
_WORD = r"[^\W_]|_"


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` without case nor accents, and for each folded character its original index."""
    out: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        folded = _fold_char(char)
        out.append(folded)
        index.extend([position] * len(folded))
    return "".join(out), index


def fold(text: str) -> str:
    """``text`` compared without case nor accents, its spaces collapsed."""
    return " ".join(_folded(text)[0].split())


def _pattern(needle: str) -> re.Pattern[str] | None:
    words = fold(needle).split(" ")
    if not any(words):
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!{_WORD}){body}(?!{_WORD})")


def _spans(text: str, needles: Sequence[str]) -> list[tuple[int, int]]:
    folded, index = _folded(text)
    spans: list[tuple[int, int]] = []
    for needle in needles:
        pattern = _pattern(needle) if needle else None
        if pattern is None:
            continue
        for found in pattern.finditer(folded):
            if found.end() > found.start():
                spans.append((index[found.start()], index[found.end() - 1] + 1))
    # Longest first where two needles overlap ("Marie Dupont" over "Marie").
    spans.sort(key=lambda span: (span[0], -span[1]))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def names_in(text: str, needles: Sequence[str]) -> bool:
    """Whether one of ``needles`` appears in ``text`` as whole words (no case, no accents)."""
    return bool(text) and bool(_spans(text, needles))


def redact(text: str, needles: Sequence[str], replacement: str = ERASED) -> str:
    """``text`` with each whole-word occurrence of ``needles`` replaced by ``replacement``."""
    if not text:
        return text
    spans = _spans(text, needles)
    for start, end in reversed(spans):
        text = text[:start] + replacement + text[end:]
    return text


# Words of a name that are also common words of a reply: never erased on their own.
_PARTICLES = frozenset(
    {
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "da",
        "das",
        "di",
        "do",
        "dos",
        "del",
        "della",
        "van",
        "von",
        "der",
        "den",
        "ter",
        "ten",
        "al",
        "el",
        "ben",
        "bin",
        "mac",
        "mc",
        "st",
        "ste",
        "saint",
        "sainte",
    }
)


def name_parts(full_name: str, minimum: int = 3) -> list[str]:
    """A full name and each of its words of at least ``minimum`` letters that is no particle
    (« Jean de La Fontaine »: itself, « Jean », « Fontaine »): the first and last names a reply
    may greet the person by."""
    words = [w.strip(".,;:()\"'") for w in full_name.split()]
    parts = [" ".join(full_name.split())] if full_name.strip() else []
    parts += [w for w in words if len(w) >= minimum and fold(w) not in _PARTICLES]
    return list(dict.fromkeys(parts))
