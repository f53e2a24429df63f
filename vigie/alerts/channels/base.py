"""What every channel shares: the notice, the delivery error, one careful JSON POST."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from vigie.core.egress import EgressRefused, egress_client

logger = logging.getLogger("vigie.alerts.channels")

SEVERITIES = ("info", "warning", "critical")
_sending = threading.local()


class _HideOurRequests(logging.Filter):
    """httpx logs every request with its full URL; for a webhook the URL is the credential."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_sending, "active", False)


_httpx_filter = _HideOurRequests()
logging.getLogger("httpx").addFilter(_httpx_filter)


@contextmanager
def _quiet_httpx() -> Iterator[None]:
    _sending.active = True
    try:
        yield
    finally:
        _sending.active = False


# Chat platforms answer in well under a second; a webhook that takes longer is down for us.
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "Vigie-Alerts/1"
MAX_ANSWER_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Notice:
    """What to tell, whatever the channel."""

    title: str
    body: str
    url: str | None
    severity: str  # "info" | "warning" | "critical"
    event: str  # "alert.opened", "crisis.opened", "alert.escalated"...
    data: dict[str, object] = field(default_factory=dict)  # JSON-serialisable details

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {self.severity!r}")
        if not self.event:
            raise ValueError("a notice needs an event name")


class DeliveryError(Exception):
    """A notice could not be delivered. ``permanent``: retrying the same request is pointless.

    The message never holds the webhook URL's secret parts (path, query) nor a signing secret.
    """

    def __init__(self, message: str, *, permanent: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status


def redact_url(url: str) -> str:
    """``https://hooks.slack.com/…``: scheme and host only, since the path is the credential."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return "<invalid URL>"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/…"


def check_url(url: str, channel: str) -> None:
    """Refuse anything but an absolute http(s) URL before any network use."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError(f"{channel}: the address must be an http(s) URL", permanent=True)


def is_permanent(status: int) -> bool:
    """4xx is the request's fault and will fail again, except 408 (timeout) and 429 (slow down)."""
    return 400 <= status < 500 and status not in (408, 429)


def post_json(
    url: str,
    payload: dict[str, object],
    channel: str,
    event: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    secrets: tuple[str, ...] = (),
) -> httpx.Response:
    """POST ``payload`` (or the pre-encoded ``body``) and raise ``DeliveryError`` unless 2xx."""
    check_url(url, channel)
    content = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
    sent_headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    sent_headers.update(headers or {})
    where = redact_url(url)
    try:
        # The egress policy checks the address actually connected to (never loopback, private or
        # link-local unless VIGIE_EGRESS_ALLOW says so), so the excerpt below is never an internal
        # service's answer; an answer is read up to 1 MB.
        with _quiet_httpx(), egress_client(timeout=TIMEOUT, max_bytes=MAX_ANSWER_BYTES) as client:
            response = client.post(url, content=content, headers=sent_headers)
    except EgressRefused as exc:
        # The same words whether something listens there or not: the channel test is no port scanner.
        raise DeliveryError(f"{channel}: {exc}", permanent=True) from None
    except httpx.TimeoutException:
        raise DeliveryError(f"{channel}: {where} did not answer in time", permanent=False) from None
    except httpx.HTTPError as exc:
        # The exception text may quote the full URL; only its class name goes out.
        raise DeliveryError(
            f"{channel}: {where} unreachable ({type(exc).__name__})", permanent=False
        ) from None
    if 200 <= response.status_code < 300:
        logger.info("%s notice %s delivered to %s", channel, event, where)
        return response
    excerpt = _scrub(response.text[:200], url, secrets)
    raise DeliveryError(
        f"{channel}: {where} answered {response.status_code}" + (f": {excerpt}" if excerpt else ""),
        permanent=is_permanent(response.status_code),
        status=response.status_code,
    )


def _scrub(text: str, url: str, secrets: tuple[str, ...]) -> str:
    """Remove the URL, its path and any secret from a text a server sent back."""
    parts = urlsplit(url)
    for value in (url, parts.path, parts.query, *secrets):
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return " ".join(text.split())
