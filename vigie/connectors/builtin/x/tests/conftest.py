"""A fake X API on 127.0.0.1 for every test of this folder, and X's payloads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.connectors.builtin.x.connector import XConfig, XConnector
from vigie.connectors.testing import FakePlatform

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT_ID = "1466221580916924416"
BEARER = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI"
USER_TOKEN = "VGhpc0lzQVVzZXJBY2Nlc3NUb2tlbg:1733390000000:1:at:1"
REFRESH = "VGhpc0lzQVJlZnJlc2hUb2tlbg:1733390000000:1:rt:1"
MENTION_A = "2129142239065137728"  # mentions @AcmeRail, created_at given
MENTION_B = "2129124279055364049"
MENTION_C = "2129116104356794514"  # page 2: X sent only id and text
OWN_REPLY = "2129143740625846371"
QUOTE = "2129154079585237609"  # quotes the account's post
NO_MENTION = "2129155065246646280"  # found by the search, neither mentions nor quotes


def load(name: str) -> Any:
    """A payload of ``fixtures/``, shaped as the X API v2 sends it."""
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePlatform]:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    with FakePlatform() as fake:
        yield fake


def config(platform: FakePlatform, **extra: Any) -> dict[str, Any]:
    """The exact configuration keys of the issue, pointed at the fake API."""
    return {
        "base_url": platform.url,
        "bearer_token": BEARER,
        "user_id": ACCOUNT_ID,
        "query": '"acme rail" -is:retweet lang:fr',
        **extra,
    }


@pytest.fixture
def connector(platform: FakePlatform) -> XConnector:
    return XConnector(XConfig.model_validate(config(platform)))


def script_walk(platform: FakePlatform) -> None:
    """Two pages of mentions, then one page of search."""
    mentions = f"/2/users/{ACCOUNT_ID}/mentions"
    platform.add("GET", mentions, json=load("mentions_page1.json"))
    platform.add(
        "GET",
        mentions,
        json=load("mentions_page2.json"),
        query={"pagination_token": "7140dibdnow9c7btw4b0mb4e5yzvdk1o5l8fo4h6i0ew"},
    )
    platform.add("GET", mentions, json=load("empty.json"), query={"since_id": OWN_REPLY})
    platform.add("GET", "/2/tweets/search/recent", json=load("search_recent.json"))
    platform.add("GET", "/2/tweets/search/recent", json=load("empty.json"), query={"since_id": NO_MENTION})
    platform.add("GET", f"/2/users/{ACCOUNT_ID}", json=load("user.json"))
