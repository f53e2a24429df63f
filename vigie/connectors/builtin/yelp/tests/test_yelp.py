"""Yelp against a fake Fusion API: excerpts, local times, limits and refused keys."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.yelp.connector import YelpConfig, YelpConnector
from vigie.connectors.builtin.yelp.tests.conftest import load
from vigie.connectors.contract import Capability, ConnectorError, RateLimited
from vigie.connectors.platforms import UNCONNECTED, platform_facts
from vigie.connectors.testing import FakePlatform
from vigie.core.actions import do_create_location
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

BUSINESS = "casa-bella-paris"
REVIEWS = f"/v3/businesses/{BUSINESS}/reviews"
API_KEY = "yelp-key-SECRET"


def connector(platform: FakePlatform, **config: Any) -> YelpConnector:
    values: dict[str, Any] = {"base_url": platform.url, "api_key": API_KEY, "business_id": BUSINESS, **config}
    return YelpConnector(YelpConfig(**values))


def test_yelp_is_read_only_and_answered_by_copy_and_open() -> None:
    facts = platform_facts("yelp")
    assert facts.connected
    assert facts.capabilities == frozenset({Capability.FETCH})
    assert not facts.can_publish
    assert "yelp" not in UNCONNECTED


def test_the_excerpts_are_read_with_the_key_in_the_locale(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=load("reviews.json"))
    page = connector(platform).fetch({})
    assert [m.external_id for m in page.items] == [
        "xAG4O7l-t1ubbwVAlPnDKg",
        "nq9mVb2Q0C3sP_2aPZl7rw",
        "3rPq8sTt1uVw2xYz4aBc5D",
    ]
    # Three excerpts out of 187 reviews: the plan gives no more, so the poll ends here.
    assert not page.has_more
    assert page.next_cursor == {}
    call = platform.requests[0]
    assert call.headers["authorization"] == f"Bearer {API_KEY}"
    assert call.param("locale") == "fr_FR"
    assert call.param("offset") == "0"


def test_an_excerpt_is_mapped_in_the_business_timezone(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=load("reviews.json"))
    late = connector(platform).fetch({}).items[0]
    assert late.kind == "review"
    assert late.text.endswith("pas avant...")
    assert late.rating == Decimal(2)
    assert late.rating_raw == "2"
    # "2024-03-02 19:41:07" has no offset: it is the restaurant's local time.
    assert late.created_at == datetime(2024, 3, 2, 19, 41, 7, tzinfo=ZoneInfo("Europe/Paris"))
    assert late.url.startswith("https://www.yelp.com/biz/casa-bella-paris?")
    assert late.author is not None
    assert late.author.external_id == "W8UK02IDdRS2GL_66fuq6w"
    assert late.author.display_name == "Tom K."
    assert late.language == "fr"
    assert late.raw["user"]["image_url"].startswith("https://")


def test_test_connection_names_the_business_and_says_excerpts_only(platform: FakePlatform) -> None:
    platform.add("GET", f"/v3/businesses/{BUSINESS}", json=load("business.json"))
    assert (
        connector(platform).test_connection()
        == "Casa Bella (187 avis) : l'API ne donne que des extraits (3 avis au plus, texte tronqué) ; "
        "les réponses s'écrivent sur Yelp (copier puis ouvrir)."
    )


def test_the_daily_limit_waits_for_yelps_reset_time(platform: FakePlatform) -> None:
    platform.add(
        "GET",
        REVIEWS,
        status=429,
        json=load("error_daily_limit.json"),
        headers={"RateLimit-ResetTime": "2999-01-01T00:00:00+00:00"},
    )
    with pytest.raises(RateLimited) as caught:
        connector(platform).fetch({})
    assert caught.value.retry_after > 3600
    assert "ACCESS_LIMIT_REACHED" in caught.value.message


def test_a_refused_key_asks_for_reauthorisation_without_showing_it(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, status=401, json=load("error_token_invalid.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.needs_reauth
    assert "TOKEN_INVALID" in caught.value.message
    assert API_KEY not in caught.value.message


def test_an_unknown_business_is_a_permanent_error_with_yelps_message(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, status=400, json=load("error_business_not_found.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.permanent
    assert not caught.value.needs_reauth
    assert caught.value.message == (
        "Yelp HTTP 400: BUSINESS_NOT_FOUND: The requested business could not be found."
    )


def test_a_bad_timezone_or_business_is_refused_in_the_configuration() -> None:
    with pytest.raises(ValueError, match="timezone"):
        YelpConfig(api_key="k", business_id=BUSINESS, timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="business"):
        YelpConfig(api_key="k", business_id="a/b")


def test_the_per_second_limit_waits_a_minute_not_until_the_daily_reset(platform: FakePlatform) -> None:
    platform.add(
        "GET",
        REVIEWS,
        status=429,
        json={
            "error": {
                "code": "TOO_MANY_REQUESTS_PER_SECOND",
                "description": "You have exceeded the queries-per-second limit for this endpoint. Try reducing the rate at which you make queries.",
            }
        },
        headers={"RateLimit-ResetTime": "2999-01-01T00:00:00+00:00"},
    )
    with pytest.raises(RateLimited) as caught:
        connector(platform).fetch({})
    assert caught.value.retry_after == 60


def test_a_business_without_reviews_in_the_locale_reads_as_empty_not_failing(
    platform: FakePlatform,
) -> None:
    # Yelp's answer for a listing with no recommended review (in the locale asked): a 403.
    platform.add(
        "GET",
        REVIEWS,
        status=403,
        json={
            "error": {
                "code": "BUSINESS_UNAVAILABLE",
                "description": "We may not be able to provide details for certain businesses, "
                "for example if they do not have any reviews yet.",
            }
        },
    )
    page = connector(platform).fetch({})
    assert page.items == []
    assert not page.has_more
    assert page.next_cursor == {}


def test_another_refusal_still_fails_the_poll(platform: FakePlatform) -> None:
    platform.add(
        "GET",
        REVIEWS,
        status=403,
        json={"error": {"code": "NOT_AUTHORIZED", "description": "This key may not read reviews."}},
    )
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert "NOT_AUTHORIZED" in caught.value.message


def test_without_a_timezone_set_the_dates_are_read_in_the_locations(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("GET", REVIEWS, json=load("reviews.json"))
    montreal = do_create_location(tenant.organisation, "Casa Bella Montréal", timezone_name="America/Toronto")
    source = do_create_source(
        tenant.organisation,
        platform="yelp",
        name="Yelp Montréal",
        config={"base_url": platform.url, "api_key": API_KEY, "business_id": BUSINESS},
        location=montreal,
    )
    do_fetch_source(source)
    late = Mention.objects.get(source=source, external_id="xAG4O7l-t1ubbwVAlPnDKg")
    # "2024-03-02 19:41:07" in Montréal (UTC-5 in winter).
    assert late.created_at.isoformat() == "2024-03-03T00:41:07+00:00"
