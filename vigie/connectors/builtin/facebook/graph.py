"""What the Facebook and Instagram connectors share: Meta's Graph API and Meta's webhooks.

Both platforms are served by the same Graph API (``https://graph.facebook.com/vXX.0``), with the
same list envelope (``{"data": [...], "paging": {"cursors": {"after"}, "next"}}``), the same error
envelope (``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``), the same
throttling answers and the same signed webhooks. This module turns those into the connector
contract's terms: ``RateLimited``, ``ConnectorError(needs_reauth=True)``, a checked signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from vigie.connectors.builtin.facebook.schemas import GraphErrorEnvelope, Paging
from vigie.connectors.contract import ConnectorError, MentionIn, RateLimited, WebhookRequest
from vigie.connectors.http import decode_json, parse_payload
from vigie.connectors.normalise import aware_datetime

DEFAULT_BASE_URL = "https://graph.facebook.com/v21.0"
SIGNATURE_HEADER = "x-hub-signature-256"
# Throttling error codes: 4 application, 17 user, 32 Page, 613 custom rate, 80001/80002 and the
# other 800xx codes are the Business Use Case limits of Pages and Instagram.
THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80004, 80005, 80006, 80008})
# Without a hint, Meta's windows roll over the hour: wait a quarter of it before trying again.
DEFAULT_RETRY_AFTER = 900.0
# Code 190 is an invalid or expired token; 102 a session problem; 10 and 200-299 a permission
# that was not granted (no retry helps, someone must grant it).
REAUTH_CODES = frozenset({102, 190})
TOKEN_SUBCODES = {
    458: "the app was removed from the account",
    459: "the account is checkpointed on Facebook",
    460: "the password was changed",
    463: "the token has expired",
    464: "the account is not confirmed",
    467: "the token is no longer valid",
}
# A Messenger / Instagram Direct answer is allowed 24 hours after the person's last message; a
# private reply to a public comment 7 days after the comment (one per comment).
MESSAGE_WINDOW = timedelta(hours=24)
PRIVATE_REPLY_WINDOW = timedelta(days=7)
MAX_WEBHOOK_BYTES = 1_000_000
M = TypeVar("M", bound=BaseModel)


class SignatureError(ConnectorError):
    """Missing or wrong ``X-Hub-Signature-256``: answered 401 (Meta delivers again later)."""

    http_status = 401


class PayloadError(ConnectorError):
    """A signed body Vigie cannot read: answered 400."""

    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)
        self.errors: list[dict[str, Any]] = []


class RetryLater(ConnectorError):
    """A delivery Vigie could not complete now (a call it needed failed): answered 503, so Meta
    delivers it again later."""

    http_status = 503

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.errors: list[dict[str, Any]] = []


class WindowClosed(ConnectorError):
    """A private message outside the window the platform allows: refused before sending."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


def graph_time(value: object) -> datetime:
    """A Graph date (``2024-05-01T14:22:05+0000``) or a webhook's epoch seconds, made aware."""
    return aware_datetime(value)


def sign(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` Meta sends with ``body``: ``sha256=`` and the hex HMAC."""
    return "sha256=" + hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def appsecret_proof(app_secret: str, access_token: str) -> str:
    """The ``appsecret_proof`` parameter: proves each call comes from the app's own server, so a
    leaked token alone cannot be used elsewhere when the app requires it."""
    return hmac.new(app_secret.encode("utf-8"), access_token.encode("utf-8"), hashlib.sha256).hexdigest()


def default_verify_token(app_secret: str) -> str:
    """The verification token to type in the App Dashboard when none is configured: derived from
    the app secret (it reveals nothing of it), stable for the source."""
    return hmac.new(
        app_secret.encode("utf-8"), b"vigie meta webhook verify token", hashlib.sha256
    ).hexdigest()[:32]


def verify_signature(app_secret: str, request: WebhookRequest) -> dict[str, Any]:
    """The delivery's JSON body once its signature over the raw bytes is checked."""
    if not app_secret:
        raise SignatureError(
            "no app_secret configured: Meta deliveries cannot be checked, so none is accepted"
        )
    signature = request.headers.get(SIGNATURE_HEADER, "").strip()
    if not signature:
        raise SignatureError("missing X-Hub-Signature-256 header")
    if len(request.body) > MAX_WEBHOOK_BYTES:
        raise PayloadError("body too large")
    # Over the bytes exactly as received: Meta signs its own escaped-unicode serialisation.
    if not hmac.compare_digest(sign(app_secret, request.body), signature.lower()):
        raise SignatureError("bad X-Hub-Signature-256 signature")
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError("body is not JSON") from None
    if not isinstance(data, dict):
        raise PayloadError("body is not a JSON object")
    return data


def challenge_answer(params: dict[str, str], verify_token: str) -> str | None:
    """The body to answer Meta's subscription check with (its ``hub.challenge``), or None when
    the request is not a subscription or its token is not ours (answer 403)."""
    if params.get("hub.mode") != "subscribe" or not verify_token:
        return None
    if not hmac.compare_digest(params.get("hub.verify_token", "").encode(), verify_token.encode()):
        return None
    challenge = params.get("hub.challenge", "")
    return challenge if challenge and len(challenge) <= 200 else None


def check_window(mention: MentionIn, now: datetime | None = None) -> dict[str, str]:
    """The ``recipient`` of a private message to ``mention``'s author, or ``WindowClosed``.

    A message read from Messenger or Instagram Direct (``raw["sender"]["id"]``) is answered to its
    sender within 24 hours of it; a public comment or post gets a private reply (``comment_id``)
    within 7 days of it. The platform would refuse later messages (error 10, subcode 2018278).
    """
    now = now or datetime.now(tz=UTC)
    age = now - mention.created_at
    sender = mention.raw.get("sender")
    if isinstance(sender, dict) and sender.get("id"):
        if age > MESSAGE_WINDOW:
            raise WindowClosed(
                "the last message of this person is more than 24 hours old: the platform only "
                "allows an answer within 24 hours of it"
            )
        return {"id": str(sender["id"])}
    if age > PRIVATE_REPLY_WINDOW:
        raise WindowClosed(
            "this comment is more than 7 days old: the platform only allows a private reply to a "
            "comment within 7 days of it"
        )
    return {"comment_id": mention.external_id}


class GraphClient:
    """Calls to the Graph API with a token, its ``appsecret_proof`` and Meta's errors decoded."""

    def __init__(self, http: httpx.Client, base_url: str, token: str, app_secret: str, platform: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.app_secret = app_secret
        self.platform = platform
        # The usage Meta reported on the last answer (percent of the window), for the health line.
        self.usage_percent: int | None = None
        # Whether the last ``list_page`` ended the list only because its cursor came back unchanged
        # (pages may remain unread: the list is not known to be whole).
        self.list_cut_short = False

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        json_body: dict[str, Any] | None = None,
    ) -> Any:
        """The decoded JSON answer of one call; errors raised as the contract's exceptions."""
        query: dict[str, Any] = dict(params or {})
        if self.app_secret:
            query["appsecret_proof"] = appsecret_proof(self.app_secret, self.token)
        # The token goes in a header, never the URL (URLs end up in logs and error messages).
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        try:
            response = self.http.request(
                method, f"{self.base_url}{path}", params=query, json=json_body, headers=headers
            )
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"{self.platform} Graph API {self.host} unreachable ({type(exc).__name__})"
            ) from None
        self.usage_percent = usage_percent(response)
        if response.status_code >= 400:
            raise error_for(response, self.platform)
        data = decode_json(response, self.platform)
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            raise error_for(response, self.platform)
        return data

    def list_page(
        self, path: str, params: dict[str, Any], after: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a Graph list: its raw entries and the ``after`` cursor of the next page
        (None on the last page: Meta leaves ``paging.next`` out there)."""
        query = dict(params)
        if after:
            query["after"] = after
        data = self.call("GET", path, query)
        if not isinstance(data, dict) or not isinstance(data.get("data", []), list):
            raise ConnectorError(f"{self.platform} sent an unexpected list from {path.split('/')[-1]}")
        entries = [entry for entry in data.get("data", []) if isinstance(entry, dict)]
        paging = self.model(Paging, data.get("paging") or {})
        following = paging.cursors.after if paging.next and paging.cursors else None
        # A cursor that comes back unchanged would serve the same page forever: the list ends.
        self.list_cut_short = bool(following and following == after)
        if self.list_cut_short:
            following = None
        return entries, following or None

    def model(self, model: type[M], data: Any) -> M:
        return parse_payload(model, data, self.platform)


def usage_percent(response: httpx.Response) -> int | None:
    """The highest share of a rate-limit window Meta says is used (``X-App-Usage``,
    ``X-Business-Use-Case-Usage``), in percent, or None when it sent neither."""
    values: list[int] = []
    for header in ("x-app-usage", "x-business-use-case-usage", "x-ad-account-usage"):
        raw = response.headers.get(header)
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        blocks: list[Any] = [data]
        if isinstance(data, dict) and header == "x-business-use-case-usage":
            blocks = [block for entries in data.values() if isinstance(entries, list) for block in entries]
        for block in blocks:
            if isinstance(block, dict):
                for key in ("call_count", "total_cputime", "total_time"):
                    value = block.get(key)
                    if isinstance(value, int | float):
                        values.append(int(value))
    return max(values) if values else None


def _regain_seconds(response: httpx.Response) -> float | None:
    """``estimated_time_to_regain_access`` (minutes) of ``X-Business-Use-Case-Usage``, in seconds."""
    raw = response.headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    minutes = [
        block.get("estimated_time_to_regain_access")
        for entries in (data.values() if isinstance(data, dict) else [])
        if isinstance(entries, list)
        for block in entries
        if isinstance(block, dict)
    ]
    found = [float(m) for m in minutes if isinstance(m, int | float) and m > 0]
    return max(found) * 60 if found else None


def error_for(response: httpx.Response, platform: str) -> ConnectorError:
    """The contract's exception for a Graph error answer."""
    try:
        envelope = GraphErrorEnvelope.model_validate(response.json())
    except (ValueError, ValidationError):
        envelope = None
    status = response.status_code
    if envelope is None:
        text = f"{platform} HTTP {status}"
        if status == 429:
            return RateLimited(text, retry_after=DEFAULT_RETRY_AFTER)
        return ConnectorError(text, permanent=400 <= status < 500 and status != 408)
    error = envelope.error
    code, subcode = error.code, error.error_subcode
    detail = f" (code {code}" + (f", subcode {subcode})" if subcode else ")")
    text = f"{platform} HTTP {status}: {error.message[:400]}{detail}"
    if code in THROTTLE_CODES or status == 429:
        header = response.headers.get("retry-after", "")
        wait = float(header) if header.isdigit() else _regain_seconds(response) or DEFAULT_RETRY_AFTER
        return RateLimited(text, retry_after=wait)
    if code in REAUTH_CODES or status == 401:
        reason = TOKEN_SUBCODES.get(subcode or 0, "")
        return ConnectorError(f"{text}: {reason}" if reason else text, needs_reauth=True)
    if error.is_transient or status >= 500 or code in {1, 2}:
        return ConnectorError(text, permanent=False)
    return ConnectorError(text, permanent=True)
