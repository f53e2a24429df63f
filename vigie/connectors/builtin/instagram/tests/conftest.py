"""A fake Graph API on 127.0.0.1 for every test of this folder, and Meta's Instagram payloads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.connectors.builtin.instagram.connector import InstagramConfig, InstagramConnector
from vigie.connectors.testing import FakePlatform

FIXTURES = Path(__file__).parent / "fixtures"
IG_USER_ID = "17841405829374651"
TOKEN = "IGQWRPa1ZAkTokenForTests"
APP_SECRET = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"


def load(name: str) -> Any:
    """A payload of ``fixtures/``, shaped as the Graph API sends it."""
    return json.loads((FIXTURES / name).read_text())


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def config(platform: FakePlatform, **extra: Any) -> dict[str, Any]:
    """The exact configuration keys of the issue, pointed at the fake Graph API."""
    return {
        "base_url": f"{platform.url}/v21.0",
        "ig_user_id": IG_USER_ID,
        "access_token": TOKEN,
        "app_secret": APP_SECRET,
        **extra,
    }


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        yield fake


@pytest.fixture
def connector(platform: FakePlatform) -> InstagramConnector:
    return InstagramConnector(InstagramConfig.model_validate(config(platform)))
