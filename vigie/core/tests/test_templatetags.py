"""The filters every page uses."""

from __future__ import annotations

import pytest

from vigie.connectors.templatetags.platforms import platform_label
from vigie.core.templatetags.vigie_tags import informative_raw_rating


def test_platforms_are_shown_by_their_connectors_name() -> None:
    assert platform_label("google_business") == "Google Business Profile"
    assert platform_label("mastodon") == "Mastodon"
    # Platforms without a connector (imports, webhooks): their usual name, else the slug.
    assert platform_label("facebook") == "Facebook"
    assert platform_label("myspace") == "myspace"


@pytest.mark.parametrize(
    ("raw", "rating", "shown"),
    [("ONE", 1.0, ""), ("FIVE", 5.0, ""), ("4", 4.0, ""), ("4,0", 4.0, ""), ("9,2/10", 4.6, "9,2/10"),
     ("TWO", 4.0, "TWO"), ("", 3.0, ""), ("8", None, "8")],
)  # fmt: skip
def test_the_platforms_own_rating_is_shown_only_when_it_says_more(
    raw: str, rating: float | None, shown: str
) -> None:
    assert informative_raw_rating(raw, rating) == shown


def test_what_vigie_did_by_itself_is_signed_vigie_not_system() -> None:
    from vigie.core.templatetags.vigie_tags import actor_name

    assert actor_name("system") == "Vigie (automatique)"
    assert actor_name("ines.moreau@demo.example") == "ines.moreau@demo.example"
