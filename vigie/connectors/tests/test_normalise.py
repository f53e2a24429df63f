"""Normalisation helpers: ratings to 1–5, aware times, safe HTML and plain text."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from vigie.connectors.normalise import (
    aware_datetime,
    estimate_reach,
    html_to_text,
    rating_to_five,
    retry_after_seconds,
    sanitise_html,
    text_and_html,
)


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        (5, {}, Decimal(5)),
        ("FOUR", {}, Decimal(4)),
        ("STAR_RATING_TWO", {}, Decimal(2)),
        ("4,5", {}, Decimal("4.50")),
        ("3/5", {}, Decimal(3)),
        (10, {"scale_max": 10}, Decimal(5)),
        (0, {"scale_max": 10, "scale_min": 0}, Decimal(1)),
        (5, {"scale_max": 10, "scale_min": 0}, Decimal(3)),
        (7, {}, Decimal(5)),
        ("", {}, None),
        (None, {}, None),
        ("excellent", {}, None),
        (True, {}, None),
        (float("nan"), {}, None),
    ],
)
def test_ratings_are_brought_to_one_to_five(value: object, scale: dict, expected: Decimal | None) -> None:  # type: ignore[type-arg]
    assert rating_to_five(value, **scale) == expected


def test_times_become_timezone_aware() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert aware_datetime("2024-05-13T14:26:15Z") == datetime(2024, 5, 13, 14, 26, 15, tzinfo=UTC)
    assert aware_datetime("2024-05-13T14:26:15.123456789Z").microsecond == 123456
    assert aware_datetime("2024-05-13T14:26:15+0000").utcoffset() is not None
    assert aware_datetime(1715610375.5) == datetime(2024, 5, 13, 14, 26, 15, 500000, tzinfo=UTC)
    assert aware_datetime(1715610375000) == datetime(2024, 5, 13, 14, 26, 15, tzinfo=UTC)
    assert aware_datetime("1715610375") == datetime(2024, 5, 13, 14, 26, 15, tzinfo=UTC)
    naive = aware_datetime("2024-07-01 09:00:00", "Europe/Paris")
    assert naive.tzinfo == paris
    assert naive.astimezone(UTC).hour == 7
    assert aware_datetime("22/11/2026 14:05", paris).isoformat() == "2026-11-22T14:05:00+01:00"
    assert aware_datetime("Mon, 13 May 2024 14:26:15 GMT").tzinfo is not None
    with pytest.raises(ValueError, match="unreadable"):
        aware_datetime("la semaine dernière")


def test_html_is_sanitised_for_display_and_flattened_for_text() -> None:
    dirty = '<p>Hello <b>world</b> <a href="javascript:alert(1)" onclick="x()">lien</a></p><script>alert(1)</script><p>Deux &amp; trois</p>'
    safe = sanitise_html(dirty)
    assert "<script" not in safe
    assert "javascript:" not in safe
    assert "onclick" not in safe
    assert "<b>world</b>" in safe
    assert html_to_text(dirty) == "Hello world lien\nDeux & trois"
    assert text_and_html("plain <3 text") == ("plain <3 text", "")


def test_retry_after_reads_seconds_dates_and_epochs() -> None:
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(None) == 60
    assert retry_after_seconds("garbage", default=5) == 5
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert 0 < retry_after_seconds(str(int(datetime.now(tz=UTC).timestamp()) + 30)) <= 30


def test_reach_estimate_is_followers_plus_engagement() -> None:
    assert estimate_reach(1000, likes=5, shares=2, replies=1) == 1000 + 200 + 60
    assert estimate_reach(None) == 0
