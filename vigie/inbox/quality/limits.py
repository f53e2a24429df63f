"""How long a reply may be on each platform, counted the way the platform counts.

The limits are platform facts: each connector declares its ``reply_limit``, and the platforms
Vigie has no connector for have theirs in ``vigie.connectors.platforms``; this module only counts.
Sources: the platforms' API documentation (see docs/templates-and-quality-gate.md for the table):
X counts 280 "weighted" characters (an emoji or a Chinese character counts 2) with every link
worth 23; Bluesky 300 graphemes; Mastodon 500 characters
by default (an instance may allow more; links count 23); a Google Business Profile reply is 4096
bytes of UTF-8; a Google Play reply about 350 characters; an App Store response about 5,970
characters; a Facebook comment 8,000 characters; an Instagram comment 2,200; a YouTube comment
10,000; a Reddit comment 10,000; a LinkedIn comment 1,250. Trustpilot documents no limit for the
company reply, so none is enforced there.
"""

from __future__ import annotations

import re
import unicodedata

from vigie.connectors.platforms import LengthLimit, platform_facts

__all__ = ["LengthLimit", "cut_offset", "grapheme_count", "limit_for", "measure", "weighted_count"]

_URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
_ZWJ = "\u200d"


def _joins_previous(char: str) -> bool:
    """Whether ``char`` belongs to the grapheme cluster before it (combining marks, variation
    selectors, emoji skin tones, tag characters); a close approximation of UAX #29."""
    code = ord(char)
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Mc"):
        return True
    return (
        0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0xE0100 <= code <= 0xE01EF
    )


def grapheme_count(text: str) -> int:
    """User-perceived characters: "é" written e + accent is one, a family emoji is one."""
    return sum(1 for _ in _clusters(text))


# twitter-text's configuration (v3): these code points count 1, every other 2; an emoji sequence
# (a family, a flag, a skin tone) counts 2 in all; the text is NFC-normalised first.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def _light(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _LIGHT_RANGES)


def weighted_count(text: str) -> int:
    """X's length of ``text`` (links aside): 1 per Latin, Greek, Cyrillic… character, 2 per emoji
    or other character ("Merci 🙏" is 8, not 7)."""
    return sum(1 if _light(cluster[0]) else 2 for cluster in _clusters(unicodedata.normalize("NFC", text)))


def _clusters(text: str) -> list[str]:
    """``text`` cut into grapheme clusters (see ``_joins_previous``)."""
    clusters: list[str] = []
    previous = ""
    regional_pending = False
    for char in text:
        code = ord(char)
        regional = 0x1F1E6 <= code <= 0x1F1FF
        joins = (
            previous == _ZWJ or char == _ZWJ or _joins_previous(char) or (previous == "\r" and char == "\n")
        )
        if clusters and joins:
            clusters[-1] += char
        elif clusters and regional and regional_pending:
            clusters[-1] += char
            regional_pending = False  # the second letter of a flag
        else:
            clusters.append(char)
            regional_pending = regional
        previous = char
    return clusters


def measure(text: str, limit: LengthLimit) -> int:
    """``text``'s length in the unit of ``limit``."""
    if limit.url_weight is not None:
        text = _URL_RE.sub("x" * limit.url_weight, text)
    if limit.unit == "bytes":
        return len(text.encode("utf-8"))
    if limit.unit == "graphemes":
        return grapheme_count(text)
    if limit.unit == "weighted":
        return weighted_count(text)
    return len(text)


def limit_for(platform: str) -> LengthLimit | None:
    """The platform's reply length limit, or None when it has none we know of."""
    return platform_facts(platform).reply_limit


def cut_offset(text: str, limit: LengthLimit) -> int:
    """The first character index of ``text`` past the limit (where the excess starts)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle], limit) <= limit.maximum:
            low = middle
        else:
            high = middle - 1
    return low
