"""A fake Reddit (token endpoint and oauth.reddit.com) on 127.0.0.1 for every test of this folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.connectors.builtin.reddit.connector import RedditConfig, RedditConnector
from vigie.connectors.testing import FakePlatform

FIXTURES = Path(__file__).parent / "fixtures"
CLIENT_ID = "p-jcoLKBynTLew"
CLIENT_SECRET = "gko_LXELoV07ZBNUXrvWZfzE3aI"
PASSWORD = "correct-horse-battery-staple"
QUERY = '"acme rail"'


def load(name: str) -> Any:
    """A payload of ``fixtures/``, shaped as Reddit's Data API sends it."""
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePlatform]:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    with FakePlatform() as fake:
        yield fake


def config(platform: FakePlatform, **extra: Any) -> dict[str, Any]:
    """The exact configuration keys of the issue, pointed at the fake Reddit."""
    return {
        "base_url": platform.url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "subreddits": ["france"],
        "queries": [QUERY],
        **extra,
    }


@pytest.fixture
def connector(platform: FakePlatform) -> RedditConnector:
    return RedditConnector(RedditConfig.model_validate(config(platform)))


def script_walk(platform: FakePlatform) -> None:
    """r/france's new posts on two pages, its new comments, the search, then the deletion check."""
    platform.add("POST", "/api/v1/access_token", json=load("token.json"))
    platform.add(
        "GET",
        "/r/france/new",
        json=load("new_page1.json"),
        headers={"x-ratelimit-remaining": "99.0", "x-ratelimit-reset": "420"},
    )
    platform.add("GET", "/r/france/new", json=load("new_page2.json"), query={"after": "t3_1h8ivb3"})
    platform.add("GET", "/r/france/comments", json=load("subreddit_comments.json"))
    platform.add("GET", "/search", json=load("search_new.json"))
    platform.add("GET", "/api/info", json=load("info.json"))
