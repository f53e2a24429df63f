"""A fake Graph API on 127.0.0.1 for every test of this folder, and Meta's payloads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.connectors.builtin.facebook.connector import FacebookConfig, FacebookConnector
from vigie.connectors.builtin.facebook.graph import sign
from vigie.connectors.contract import WebhookRequest
from vigie.connectors.testing import FakePlatform

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_ID = "104365123456789"
TOKEN = "EAAGm0PX4ZCpsBAPageToken123"
APP_SECRET = "3f9b1c0d2e8a4b7c9d1e2f3a4b5c6d7e"


def load(name: str) -> Any:
    """A payload of ``fixtures/``, shaped as the Graph API sends it."""
    return json.loads((FIXTURES / name).read_text())


def raw(name: str) -> bytes:
    """A fixture's bytes, as Meta would post them."""
    return (FIXTURES / name).read_bytes()


def delivery(body: bytes, secret: str = APP_SECRET) -> WebhookRequest:
    """``body`` as Meta delivers it: signed with the app secret."""
    return WebhookRequest(
        headers={"content-type": "application/json", "x-hub-signature-256": sign(secret, body)}, body=body
    )


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        yield fake


def config(platform: FakePlatform, **extra: Any) -> dict[str, Any]:
    """The exact configuration keys of the issue, pointed at the fake Graph API."""
    return {
        "base_url": f"{platform.url}/v21.0",
        "page_id": PAGE_ID,
        "page_access_token": TOKEN,
        "app_secret": APP_SECRET,
        **extra,
    }


@pytest.fixture
def connector(platform: FakePlatform) -> FacebookConnector:
    return FacebookConnector(FacebookConfig.model_validate(config(platform)))
