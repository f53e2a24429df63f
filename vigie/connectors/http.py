"""Small helpers every HTTP connector needs: read JSON, validate it, and read rate-limit hints.

Errors are raised as ``ConnectorError`` with a message naming the platform and never the body
(which may echo a token back).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from vigie.connectors.contract import ConnectorError
from vigie.connectors.normalise import aware_datetime, retry_after_seconds

M = TypeVar("M", bound=BaseModel)


def decode_json(response: httpx.Response, platform: str) -> Any:
    """The response's JSON body, or a clear ``ConnectorError`` when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("content-type", "unknown content type").split(";")[0]
        raise ConnectorError(
            f"{platform} answered HTTP {response.status_code} with a body that is not valid JSON ({kind})"
        ) from None


def parse_payload(model: type[M], data: Any, platform: str) -> M:
    """``data`` validated as ``model`` (unknown keys ignored by the model), or a ``ConnectorError``
    naming the first fields that did not fit."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in err["loc"]) for err in exc.errors()[:3])
        raise ConnectorError(f"{platform} sent an unexpected {model.__name__} (fields: {fields})") from None


def retry_after(response: httpx.Response, default: float, reset_header: str = "") -> float:
    """Seconds to wait after a 429: ``Retry-After`` (seconds or HTTP date) first, then the
    platform's own reset header (epoch seconds or an ISO time), else ``default``."""
    header = response.headers.get("retry-after", "").strip()
    if header:
        return retry_after_seconds(header, default)
    reset = response.headers.get(reset_header, "").strip() if reset_header else ""
    if not reset:
        return default
    try:
        float(reset)
    except ValueError:
        try:
            return max(0.0, (aware_datetime(reset) - datetime.now(tz=UTC)).total_seconds())
        except ValueError:
            return default
    return retry_after_seconds(reset, default)
