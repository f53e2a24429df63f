"""A fake YouTube Data API on 127.0.0.1 for every test of this folder, and YouTube's payloads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.connectors.builtin.youtube.connector import YoutubeConfig, YoutubeConnector
from vigie.connectors.testing import FakePlatform

FIXTURES = Path(__file__).parent / "fixtures"
CHANNEL = "UCq3Lm4uN8dFf0XbG7pRkZ2w"
VIDEO_NO_COMMENTS = "Hh3nR8tYq1Z"
API_KEY = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
ACCESS = "ya29.a0AfB_byC-channel-token"
THREAD_A = "UgzW1kq9cT3hB7xYp2Z4AaABAg"
THREAD_B = "UgxPn0dLr5sJ8eQv6Mw4AaABAg"
THREAD_C = "Ugy8fHkT2nVb4Xc1RzQ4AaABAg"
V3 = "/youtube/v3"


def load(name: str) -> Any:
    """A payload of ``fixtures/``, shaped as the YouTube Data API v3 sends it."""
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
        "api_key": API_KEY,
        "channel_id": CHANNEL,
        "video_ids": [VIDEO_NO_COMMENTS],
        "search_terms": "",
        **extra,
    }


@pytest.fixture
def connector(platform: FakePlatform) -> YoutubeConnector:
    return YoutubeConnector(YoutubeConfig.model_validate(config(platform)))


def script_walk(platform: FakePlatform) -> None:
    """The channel's threads on two pages, a video without comments, one thread's replies in full,
    and the deletion check (every comment still there)."""
    platform.add(
        "GET",
        f"{V3}/commentThreads",
        json=load("threads_page1.json"),
        query={"allThreadsRelatedToChannelId": CHANNEL},
    )
    platform.add(
        "GET",
        f"{V3}/commentThreads",
        json=load("threads_page2.json"),
        query={"allThreadsRelatedToChannelId": CHANNEL, "pageToken": "QURTSl9pM2x3"},
    )
    platform.add(
        "GET",
        f"{V3}/commentThreads",
        status=403,
        json=load("comments_disabled.json"),
        query={"videoId": VIDEO_NO_COMMENTS},
    )
    platform.add("GET", f"{V3}/comments", json=load("replies_A.json"), query={"parentId": THREAD_A})
    both = load("comments_check.json")
    both["items"].append(load("threads_page2.json")["items"][0]["snippet"]["topLevelComment"])
    platform.add("GET", f"{V3}/comments", json=both, query={"id": f"{THREAD_C},{THREAD_A}"})
