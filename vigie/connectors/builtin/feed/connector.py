"""The ``feed`` connector: RSS 0.9x/2.0, RSS 1.0 and Atom feeds (press, blogs, forums, alerts).

Every preset reads an item's ``<source>`` element as its publisher (Google News, Talkwalker and
aggregators set it). Links that are Google redirects are unwrapped to the real article: the
``google.com/url`` redirect of Google Alerts, and the ``news.google.com/rss/articles/…`` links of
Google News whose article id still carries the address (the older ids; newer ones can only be
resolved by asking Google, so they stay as they are and still open the article in a browser).
An item with neither title, text nor link is not a mention and is skipped.
Polls use conditional GET: the ``ETag`` and ``Last-Modified`` of the last answer are kept in the
cursor, so an unchanged feed costs one 304.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import feedparser  # type: ignore[import-untyped]
import httpx
from pydantic import Field, ValidationError, field_validator

from vigie.connectors.builtin.feed.schemas import FeedEntry
from vigie.connectors.contract import (
    AuthorIn,
    Capability,
    Connector,
    ConnectorConfig,
    ConnectorError,
    MentionIn,
    Page,
    RateLimited,
)
from vigie.connectors.normalise import (
    aware_datetime,
    html_to_text,
    retry_after_seconds,
    sanitise_html,
    written_without_offset,
)
from vigie.connectors.platforms import gettext_noop
from vigie.connectors.platforms import runtime_gettext as _
from vigie.core.egress import ResponseTooLarge

USER_AGENT = "Vigie feed reader (+https://github.com/vigie)"
MAX_FEED_BYTES = 20 * 1024 * 1024
# Dates before syndication existed are placeholders (``Mon, 01 Jan 0001``, ``1970-01-01``), and
# dates more than a day ahead are a wrong time zone or an event's date: neither is when the item
# was published, and either would pin it to the bottom or the top of every list for good.
EARLIEST_DATE = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


class FeedConfig(ConnectorConfig):
    """Configuration of a feed source."""

    url: str = Field(description="Adresse du flux RSS ou Atom")
    preset: Literal["generic", "google_alerts", "talkwalker"] = Field(
        "generic",
        description="Préréglage : générique, Google Alerts ou Talkwalker Alerts",
        json_schema_extra={
            "labels": {
                "generic": gettext_noop("Générique (RSS ou Atom)"),
                "google_alerts": "Google Alerts",
                "talkwalker": "Talkwalker Alerts",
            }
        },
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


def unwrap_google_redirect(link: str) -> str:
    """The real article URL behind a ``https://www.google.com/url?...&url=<real>&ct=ga...`` link.

    Google Alerts does not percent-encode the inner URL, so an inner query string would be cut by
    a plain query parse: take everything between ``url=`` and ``&ct=`` when that marker is there.
    """
    parts = urlsplit(link)
    if not (parts.netloc.endswith("google.com") and parts.path == "/url"):
        return link
    query = parts.query
    inner = ""
    if query.startswith("url="):
        inner = query[4:]
    elif "&url=" in query:
        inner = query[query.index("&url=") + 5 :]
    if inner and "&ct=" in inner:
        inner = inner[: inner.index("&ct=")]
        return unquote(inner) if inner.lower().startswith(("http%3a", "https%3a")) else inner
    values = parse_qs(query).get("url") or parse_qs(query).get("q")
    return values[0] if values else link


_GOOGLE_NEWS_ARTICLE = re.compile(r"^/(?:rss/)?articles/([A-Za-z0-9_-]+)$")


def unwrap_google_news(link: str) -> str:
    """The article URL carried by a Google News ``/rss/articles/<id>`` link, when the id holds it.

    The id is URL-safe base64 of a small protobuf message whose field 4 holds the article's URL in
    the ids Google News issued until 2024 (``CBMi…``). Newer ids hold an opaque token there that
    only Google can resolve: the link is then returned unchanged.
    """
    parts = urlsplit(link)
    match = _GOOGLE_NEWS_ARTICLE.match(parts.path)
    if parts.netloc != "news.google.com" or match is None:
        return link
    token = match.group(1)
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, binascii.Error):
        return link
    start = data.find(b"\x22")  # field 4, length-delimited
    if start < 0:
        return link
    length, shift, position = 0, 0, start + 1
    while position < len(data):
        byte = data[position]
        length |= (byte & 0x7F) << shift
        position += 1
        if not byte & 0x80:
            break
        shift += 7
    candidate = data[position : position + length]
    try:
        url = candidate.decode("ascii")
    except UnicodeDecodeError:
        return link
    if len(candidate) != length or not re.match(r"^https?://[^\s/]+", url) or any(c.isspace() for c in url):
        return link
    return url


def _real_link(link: str) -> str:
    return unwrap_google_news(unwrap_google_redirect(link)) if link else ""


def _entry_time(entry: FeedEntry, local_zone: tzinfo) -> datetime | None:
    """The entry's publication time (else its update time), if it gives a believable one.

    A date written without an offset (``2026-03-29T10:15:00``, which feedparser would take for
    UTC) is the publisher's local time: it is read in ``local_zone``, the source's timezone."""
    found: list[datetime] = []
    for parsed, text in ((entry.published_parsed, entry.published), (entry.updated_parsed, entry.updated)):
        try:
            if text and written_without_offset(text):
                found.append(aware_datetime(text, local_zone))
            elif parsed:
                found.append(datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC))
            elif text:
                # Only what feedparser could not read: a date it read stays as it read it.
                found.append(aware_datetime(text))
        except (OverflowError, OSError, ValueError, TypeError):
            continue
    latest = datetime.now(tz=UTC) + FUTURE_SLACK
    return next((at for at in found if EARLIEST_DATE <= at <= latest), None)


# A numeric character reference, as written in the XML or escaped once more inside escaped HTML.
_CHARREF = re.compile(rb"&(?:amp;)?#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _ref_value(match: re.Match[bytes]) -> int:
    return int(match.group(1), 16) if match.group(1) is not None else int(match.group(2))


def mend_character_refs(data: bytes) -> bytes:
    """``data`` with the character references no parser can read rewritten.

    Some publishing tools write an emoji as the two UTF-16 halves it is stored as in Java or
    JavaScript (``&#55357;&#56832;`` for 😀): feedparser then fails outright on the whole feed
    (``surrogates not allowed``). A pair becomes the one character it stands for (``&#128512;``);
    a half alone, or a number past Unicode, becomes U+FFFD (�).
    """
    if b"#" not in data:
        return data
    out = bytearray()
    position = 0
    for match in _CHARREF.finditer(data):
        if match.start() < position:
            continue  # the low half of a pair already joined
        value = _ref_value(match)
        if not (0xD800 <= value <= 0xDFFF or value > 0x10FFFF):
            continue
        end = match.end()
        following = _CHARREF.match(data, end)
        if 0xD800 <= value <= 0xDBFF and following and 0xDC00 <= _ref_value(following) <= 0xDFFF:
            code = 0x10000 + ((value - 0xD800) << 10) + (_ref_value(following) - 0xDC00)
            end = following.end()
        else:
            code = 0xFFFD
        prefix = b"&amp;#" if match.group(0).startswith(b"&amp;") else b"&#"
        out += data[position : match.start()] + prefix + str(code).encode() + b";"
        position = end
    out += data[position:]
    return bytes(out)


def _absolute_link(link: str, base: str) -> str:
    """``link`` as an address a reader can open: a relative one (``/articles/42``) resolved
    against the feed's own address, anything but http(s) (``javascript:``, ``mailto:``) dropped."""
    if not link:
        return ""
    resolved = urljoin(base, link.strip())
    return resolved if urlsplit(resolved).scheme in {"http", "https"} else ""


DIGEST_PREFIX = "sha256:"


def content_id(title: str, date_written: str, body: str) -> str:
    """The identity of an item the feed gives neither an id (``guid``) nor a link.

    Its title and its own date as the feed writes it (``pubDate``, else ``updated`` or
    ``dc:date``; never the feed's date or the time of the poll, which change) name it: ``sha256:``
    and the SHA-256 of the title (flattened), a unit separator and the date. Its text is left out,
    so an item whose text is corrected keeps its identity and is updated (with a revision), as an
    item with a ``guid`` is. An item without a date of its own is named by its title and content
    as written (the SHA-256 of ``title|content``, no prefix: the ids such items were stored under
    before): nothing else stays the same from one poll to the next, so a corrected text then reads
    as a new item.
    """
    if not date_written:
        return hashlib.sha256(f"{title}|{body}".encode()).hexdigest()
    key = f"{title}\x1f{date_written}"
    return DIGEST_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def _distinct_digests(items: list[MentionIn]) -> list[MentionIn]:
    """``items`` where two id-less items of the same title and date stay two.

    Two different items sharing a title and a date (two forum messages titled alike in the same
    second) would be one mention, the second overwriting the first. The first in the feed keeps
    the id of its title and date; each other one takes its content into its id too (``sha256:`` of
    title, date and text). Identical copies stay one.
    """
    first_text: dict[str, str] = {}
    out = []
    for item in items:
        if item.external_id.startswith(DIGEST_PREFIX):
            seen = first_text.setdefault(item.external_id, item.html)
            if seen != item.html:
                key = f"{item.external_id}\x1f{item.html}"
                item = replace(item, external_id=DIGEST_PREFIX + hashlib.sha256(key.encode()).hexdigest())
        out.append(item)
    return out


class FeedConnector(Connector[FeedConfig]):
    """Reads an RSS or Atom feed; every entry becomes an ``article`` mention."""

    slug: ClassVar[str] = "feed"
    label: ClassVar[str] = gettext_noop("Flux RSS / Atom")
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.FETCH})
    # The feed is read at its own address (``url``): no API address to ask for.
    uses_base_url: ClassVar[bool] = False
    Config: ClassVar[type[ConnectorConfig]] = FeedConfig
    default_poll_seconds: ClassVar[int] = 1800
    max_response_bytes: ClassVar[int] = MAX_FEED_BYTES

    def _get(self, cursor: dict[str, Any]) -> httpx.Response:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/atom+xml, application/rss+xml, */*"}
        if cursor.get("etag"):
            headers["If-None-Match"] = cursor["etag"]
        if cursor.get("last_modified"):
            headers["If-Modified-Since"] = cursor["last_modified"]
        try:
            # Each redirect is a new connection, checked by the egress policy like the first.
            response = self.http.get(self.config.url, headers=headers, follow_redirects=True)
        except ResponseTooLarge:
            raise ConnectorError("feed is larger than 20 MB", permanent=True) from None
        except httpx.HTTPError as exc:
            raise ConnectorError(f"feed unreachable: {type(exc).__name__}") from exc
        if response.status_code == 429 or (response.status_code == 503 and "retry-after" in response.headers):
            raise RateLimited(
                f"feed answered HTTP {response.status_code}",
                retry_after_seconds(response.headers.get("retry-after")),
            )
        if response.status_code >= 400:
            raise ConnectorError(
                f"feed answered HTTP {response.status_code} {response.reason_phrase}",
                permanent=response.status_code in (404, 410),
            )
        return response

    def _parse(self, response: httpx.Response) -> Any:
        parsed = feedparser.parse(
            mend_character_refs(response.content),
            response_headers={"content-type": response.headers.get("content-type", "")},
        )
        if not parsed.get("version") and not parsed.entries:
            reason = parsed.get("bozo_exception") or "not an RSS or Atom document"
            raise ConnectorError(f"broken feed: {reason}")
        return parsed

    def test_connection(self) -> str:
        """Read the feed once; describe it."""
        parsed = self._parse(self._get({}))
        title = parsed.feed.get("title", "") or self.config.url
        return _("« %(title)s » : %(count)s entrée(s)") % {"title": title, "count": len(parsed.entries)}

    def fetch(self, cursor: dict[str, Any]) -> Page:
        """The feed's current entries; an unchanged feed (304) gives an empty page."""
        response = self._get(cursor)
        if response.status_code == 304:
            return Page(items=[], next_cursor=dict(cursor))
        parsed = self._parse(response)
        next_cursor = {
            key: value
            for key, value in (
                ("etag", response.headers.get("etag", "")),
                ("last_modified", response.headers.get("last-modified", "")),
            )
            if value
        }
        language = (parsed.feed.get("language") or "")[:2].lower()
        # An undated item takes the feed's own date, not the time of this poll: read again
        # tomorrow, it must not look new.
        try:
            feed_time = _entry_time(FeedEntry.model_validate(dict(parsed.feed)), self.local_zone)
        except ValidationError:
            feed_time = None
        feed_time = feed_time or datetime.now(tz=UTC)
        items = []
        base = str(response.url)
        for raw in parsed.entries:
            item = self._mention(raw, language, feed_time, base)
            if item is not None:
                items.append(item)
        return Page(items=_distinct_digests(items), next_cursor=next_cursor)

    def _mention(self, raw: Any, feed_language: str, feed_time: datetime, base: str) -> MentionIn | None:
        try:
            entry = FeedEntry.model_validate(dict(raw))
        except ValidationError:
            return None
        # The id keeps the link as the feed wrote it: the ids of items stored before are unchanged.
        written_link = _real_link(entry.link)
        link = _absolute_link(written_link, base)
        body = entry.content[0].value if entry.content else entry.summary
        title = html_to_text(entry.title).strip()
        text = html_to_text(body).strip()
        if not (title or text or written_link):
            return None  # an empty <item>: nothing anybody wrote
        publisher = entry.source.title.strip() if entry.source else ""
        if publisher and title.endswith(f" - {publisher}"):
            # Google News appends the publisher to every title.
            title = title[: -len(publisher) - 3].rstrip()
        date_written = (entry.published or entry.updated).strip()
        external_id = entry.id.strip() or written_link or content_id(title, date_written, body)
        author = None
        name = entry.author.strip() or publisher
        if name:
            author = AuthorIn(
                external_id=name,
                display_name=name,
                profile_url=entry.source.href if entry.source and name == publisher else "",
            )
        return MentionIn(
            external_id=external_id,
            kind="article",
            created_at=_entry_time(entry, self.local_zone) or feed_time,
            title=title,
            text=text,
            html=sanitise_html(body, base_url=base),
            url=link,
            author=author,
            language=(entry.language or feed_language)[:2].lower(),
            raw={
                "id": entry.id,
                "link": entry.link,
                "title": entry.title,
                "summary": entry.summary,
                "published": entry.published,
                "updated": entry.updated,
                "author": entry.author,
                "source": entry.source.model_dump() if entry.source else None,
            },
        )
