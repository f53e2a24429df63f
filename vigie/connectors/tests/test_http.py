"""Shared HTTP helpers: clear errors on bad bodies, and every form of rate-limit hint."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import BaseModel

from vigie.connectors.contract import ConnectorError
from vigie.connectors.http import decode_json, parse_payload, retry_after


class Review(BaseModel):
    id: str
    stars: int


def response(status: int = 200, body: bytes = b"{}", **headers: str) -> httpx.Response:
    return httpx.Response(status, content=body, headers=headers)


def test_a_body_that_is_not_json_names_the_platform_and_content_type() -> None:
    with pytest.raises(ConnectorError, match=r"Acme answered HTTP 502 .* \(text/html\)"):
        decode_json(response(502, b"<html>Bad gateway</html>", **{"content-type": "text/html"}), "Acme")


def test_a_payload_of_the_wrong_shape_names_the_fields_not_the_values() -> None:
    with pytest.raises(ConnectorError, match="unexpected Review \\(fields: stars\\)") as excinfo:
        parse_payload(Review, {"id": "r1", "stars": "secret-token-abc"}, "Acme")
    assert "secret-token-abc" not in str(excinfo.value)
    assert parse_payload(Review, {"id": "r1", "stars": 4, "extra": 1}, "Acme").stars == 4


def test_retry_after_reads_seconds_dates_and_reset_headers() -> None:
    assert retry_after(response(429, **{"retry-after": "120"}), 60) == 120
    in_ten_minutes = datetime.now(tz=UTC) + timedelta(minutes=10)
    iso = retry_after(
        response(429, **{"x-ratelimit-reset": in_ten_minutes.isoformat()}), 60, "x-ratelimit-reset"
    )
    assert 590 <= iso <= 600
    epoch = retry_after(
        response(429, **{"ratelimit-reset": str(int(in_ten_minutes.timestamp()))}), 60, "ratelimit-reset"
    )
    assert 590 <= epoch <= 600
    assert retry_after(response(429), 45) == 45
    assert retry_after(response(429, **{"x-ratelimit-reset": "soon"}), 30, "x-ratelimit-reset") == 30
