"""Normalisation helpers shared by every connector: ratings, times, HTML.

Connectors turn what platforms send into ``MentionIn`` values; these functions do the fiddly
conversions once, the same way everywhere. They are pure (no database, no network).
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from urllib.parse import urljoin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nh3

# Tags kept in the sanitised HTML shown to agents: text formatting and links, nothing active.
SAFE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "i", "li", "ol", "p", "pre", "q", "s",
    "small", "span", "strong", "sub", "sup", "u", "ul",
}  # fmt: skip
SAFE_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}

_BLOCK_END = re.compile(r"</(p|div|li|blockquote|h[1-6]|pre|tr)\s*>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")

STAR_WORDS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}


def rating_to_five(value: object, scale_max: float = 5, scale_min: float = 1) -> Decimal | None:
    """Bring a platform rating to Vigie's 1–5 scale, rounded to two decimals.

    ``value`` may be a number, a numeric string (``"4,5"`` too) or a star word (``"FOUR"``, as the
    Google Business Profile API sends). ``scale_min``/``scale_max`` describe the platform's scale
    (1–5 by default; 0–10 for an NPS-like score, 1–10 for some surveys). Returns ``None`` when the
    value is empty or unreadable; values outside the scale are clamped.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        word = text.upper().replace("_STARS", "").replace("STAR_RATING_", "")
        if word in STAR_WORDS:
            value = STAR_WORDS[word]
        else:
            text = text.replace(",", ".").split("/")[0].strip()
            try:
                value = Decimal(text)
            except InvalidOperation:
                return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    low, high = Decimal(str(scale_min)), Decimal(str(scale_max))
    if high <= low:
        raise ValueError("scale_max must be greater than scale_min")
    number = min(max(number, low), high)
    scaled = Decimal(1) + (number - low) * Decimal(4) / (high - low)
    return scaled.quantize(Decimal("0.01"))


def raw_rating(value: object) -> str:
    """The platform's own rating as a short string, for ``MentionIn.rating_raw``."""
    return "" if value is None else str(value).strip()[:32]


def zone(name: str | None) -> tzinfo:
    """The ``ZoneInfo`` named ``name``; UTC when the name is empty or unknown."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def aware_datetime(value: object, local_zone: str | tzinfo | None = None) -> datetime:
    """A timezone-aware datetime from what platforms send.

    Accepts ISO 8601 strings (``Z`` or an offset; a date alone), epoch seconds or milliseconds as
    int/float/numeric string, ``datetime`` objects, and common European forms such as
    ``22/11/2026 14:05``. Naive values are read in ``local_zone`` (the source location's timezone,
    a name or a tzinfo; UTC when not given). Raises ``ValueError`` when the value cannot be read.
    """
    tz = zone(local_zone) if isinstance(local_zone, str) or local_zone is None else local_zone
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        parsed = _from_epoch(float(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("empty date")
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            parsed = _from_epoch(float(text))
        else:
            parsed = _parse_text_datetime(text)
    else:
        raise ValueError(f"unreadable date {value!r}")
    if parsed.tzinfo is None or parsed.tzinfo.utcoffset(parsed) is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def written_without_offset(text: str) -> bool:
    """Whether ``text`` is a date written with no timezone or offset (``2026-03-29 10:15:00``,
    ``Sun, 29 Mar 2026 10:15:00``): a local time, to be read in the zone it was written in.
    ``-0000`` (RFC 2822: UTC, the sender's zone unknown) has an offset."""
    text = text.strip()
    if not text or re.fullmatch(r"-?\d+(\.\d+)?", text) or text.endswith("-0000"):
        return False
    try:
        parsed = _parse_text_datetime(text)
    except ValueError:
        return False
    return parsed.tzinfo is None


def _from_epoch(seconds: float) -> datetime:
    # Milliseconds since 1970 are 1000 times bigger than any plausible epoch-seconds value.
    if abs(seconds) > 1e11:
        seconds /= 1000
    return datetime.fromtimestamp(seconds, tz=UTC)


_EUROPEAN = re.compile(
    r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})(?:[ T]+(?P<H>\d{1,2})[:h](?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)


def _parse_text_datetime(text: str) -> datetime:
    iso = text.replace("Z", "+00:00").replace("z", "+00:00")
    # Python 3.11 reads most ISO forms, but not more than 6 fractional digits (Google sends 9).
    iso = re.sub(r"(\.\d{6})\d+", r"\1", iso)
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    match = _EUROPEAN.fullmatch(text)
    if match:
        # Naive on purpose: ``aware_datetime`` applies the location's timezone.
        return datetime.fromisoformat(
            f"{int(match['y']):04d}-{int(match['m']):02d}-{int(match['d']):02d}"
            f"T{int(match['H'] or 0):02d}:{int(match['M'] or 0):02d}:{int(match['S'] or 0):02d}"
        )
    try:
        # The X archive's form: "Wed Oct 10 20:19:24 +0000 2018".
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        pass
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"unreadable date {text!r}") from None


# X (Twitter) ids since 2010 are "snowflakes": the top bits are milliseconds since this epoch.
_SNOWFLAKE_EPOCH_MS = 1_288_834_974_657


def snowflake_time(identifier: str) -> datetime | None:
    """The creation time an X id carries, or None when it is not a snowflake.

    The X API returns only ``id`` and ``text`` unless fields are requested: a post without
    ``created_at`` takes its time from its id, never from "now".
    """
    if not identifier.isdigit() or len(identifier) > 20:
        return None
    milliseconds = (int(identifier) >> 22) + _SNOWFLAKE_EPOCH_MS
    if int(identifier) >> 22 == 0:
        return None
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)


def sanitise_html(markup: str, base_url: str = "") -> str:
    """Safe HTML for display: formatting and links kept, scripts, styles and handlers removed.

    Links get ``rel="noopener noreferrer nofollow"``; only http(s) and mailto URLs survive. With
    ``base_url`` (the page the markup comes from), relative links are made absolute: shown in
    Vigie, ``/articles/42`` would open a page of Vigie's own site.
    """
    if not markup:
        return ""

    def absolute(tag: str, attribute: str, value: str) -> str:
        return urljoin(base_url, value.strip()) if attribute == "href" else value

    return nh3.clean(
        markup,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style"},
        attribute_filter=absolute if base_url else None,
    ).strip()


def html_to_text(markup: str) -> str:
    """Plain text from HTML: tags dropped, entities decoded, paragraphs kept as line breaks.

    The result is text, not markup: templates escape it like any customer text.
    """
    if not markup:
        return ""
    cleaned = nh3.clean(markup, tags=SAFE_TAGS | {"div", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})
    with_breaks = _BLOCK_END.sub("\n", cleaned)
    text = html_lib.unescape(_TAG.sub("", with_breaks))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def looks_like_html(text: str) -> bool:
    """True when ``text`` seems to carry markup rather than plain prose."""
    return bool(re.search(r"<(p|br|a|div|span|b|i|em|strong|ul|li)\b[^>]*>", text or "", re.IGNORECASE))


def text_and_html(content: str) -> tuple[str, str]:
    """``(text, html)`` for a ``MentionIn`` from content that may or may not be HTML."""
    if looks_like_html(content):
        return html_to_text(content), sanitise_html(content)
    return (content or "").strip(), ""


def estimate_reach(followers: int | None, likes: int = 0, shares: int = 0, replies: int = 0) -> int:
    """A rough audience estimate: the author's followers plus what engagement spreads further.

    Deliberately simple and documented: each share is counted as reaching 100 more people, each
    like or reply 10. Used only to rank and to sum; never presented as a measured figure.
    """
    return max(0, (followers or 0) + 100 * max(shares, 0) + 10 * (max(likes, 0) + max(replies, 0)))


def retry_after_seconds(value: str | None, default: float = 60.0) -> float:
    """Seconds to wait from a ``Retry-After`` header value (delta seconds or an HTTP date).

    Also fits ``x-ratelimit-reset``-style epoch values: a number bigger than a year of seconds is
    read as an epoch time. Returns ``default`` when the value is absent or unreadable.
    """
    text = (value or "").strip()
    if not text:
        return default
    now = datetime.now(tz=UTC)
    try:
        number = float(text)
    except ValueError:
        try:
            from email.utils import parsedate_to_datetime

            return max(0.0, (parsedate_to_datetime(text) - now).total_seconds())
        except (TypeError, ValueError, IndexError):
            return default
    if number > 365 * 86400:
        return max(0.0, number - now.timestamp())
    return max(0.0, number)
