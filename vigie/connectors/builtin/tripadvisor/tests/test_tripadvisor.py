"""Tripadvisor against a fake Content API: the five recent reviews, owner responses, errors."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from vigie.connectors.builtin.tripadvisor.connector import TripadvisorConfig, TripadvisorConnector
from vigie.connectors.builtin.tripadvisor.tests.conftest import load
from vigie.connectors.contract import Capability, ConnectorError, RateLimited
from vigie.connectors.platforms import UNCONNECTED, platform_facts
from vigie.connectors.testing import FakePlatform

LOCATION = "1234567"
REVIEWS = f"/api/v1/location/{LOCATION}/reviews"
API_KEY = "ta-key-SECRET"


def connector(platform: FakePlatform, **config: Any) -> TripadvisorConnector:
    values: dict[str, Any] = {"base_url": platform.url, "api_key": API_KEY, "location_id": LOCATION, **config}
    return TripadvisorConnector(TripadvisorConfig(**values))


def test_tripadvisor_is_read_only_finds_deletions_and_left_the_table_of_unconnected_platforms() -> None:
    facts = platform_facts("tripadvisor")
    assert facts.connected
    assert facts.label == "Tripadvisor"
    assert facts.capabilities == frozenset({Capability.FETCH, Capability.DETECTS_DELETIONS})
    assert not facts.can_publish
    assert "tripadvisor" not in UNCONNECTED


def test_the_recent_reviews_are_read_with_the_key_and_language(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=load("reviews.json"))
    page = connector(platform).fetch({})
    assert [m.external_id for m in page.items] == ["945612378", "944000001"]
    assert not page.has_more
    call = platform.requests[0]
    assert call.param("key") == API_KEY
    assert call.param("language") == "fr"


def test_a_review_is_mapped_with_its_owner_response(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=load("reviews.json"))
    noisy, perfect = connector(platform).fetch({}).items
    assert noisy.title == "Bruyant"
    assert noisy.text.startswith("Chambre propre mais bruyante")
    assert noisy.rating == Decimal(2)
    assert noisy.created_at == datetime(2024, 3, 4, 9, 12, 44, tzinfo=UTC)
    assert noisy.url.endswith("#review945612378")
    assert noisy.likes == 1
    assert noisy.language == "fr"
    assert noisy.author is not None
    assert noisy.author.display_name == "Voyageur75"
    assert noisy.owner_reply_text.startswith("Merci pour votre retour")
    assert noisy.owner_reply_at == datetime(2024, 3, 5, 8, 0, tzinfo=UTC)
    assert noisy.raw["trip_type"] == "Couples"
    assert perfect.owner_reply_text == ""
    assert perfect.owner_reply_at is None


def test_the_location_id_may_be_pasted_from_an_address() -> None:
    assert TripadvisorConfig(api_key="k", location_id="d1234567").location_id == LOCATION
    with pytest.raises(ValueError, match="numeric location id"):
        TripadvisorConfig(api_key="k", location_id="Hotel_Lumiere")


def test_test_connection_says_only_five_reviews_are_read(platform: FakePlatform) -> None:
    platform.add("GET", f"/api/v1/location/{LOCATION}/details", json=load("location_details.json"))
    assert (
        connector(platform)
        .test_connection()
        .startswith("Hôtel Lumière : l'API Content ne donne que les 5 avis les plus récents")
    )


def test_a_refused_key_asks_for_reauthorisation_and_never_shows_it(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, status=401, json=load("error_invalid_key.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.needs_reauth
    assert "not authorized for this domain" in caught.value.message
    assert API_KEY not in caught.value.message


def test_a_rate_limit_is_honoured(platform: FakePlatform) -> None:
    platform.add(
        "GET", REVIEWS, status=429, json={"message": "Too Many Requests"}, headers={"Retry-After": "30"}
    )
    with pytest.raises(RateLimited) as caught:
        connector(platform).fetch({})
    assert caught.value.retry_after == 30


def test_an_unknown_location_is_permanent_with_the_platforms_message(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, status=404, json=load("error_location_not_found.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.permanent
    assert caught.value.message == "Tripadvisor HTTP 404: Location not found"


def test_the_key_in_the_query_never_reaches_the_logs(
    platform: FakePlatform, caplog: pytest.LogCaptureFixture
) -> None:
    platform.add("GET", REVIEWS, json=load("reviews.json"))
    with caplog.at_level(logging.DEBUG):
        connector(platform).fetch({})
    assert platform.requests[0].param("key") == API_KEY
    assert API_KEY not in caplog.text


def test_a_review_with_null_fields_and_an_unsigned_owner_response_is_read(platform: FakePlatform) -> None:
    platform.add(
        "GET",
        REVIEWS,
        json={
            "data": [
                {
                    "id": 945566001,
                    "lang": None,
                    "location_id": LOCATION,
                    "published_date": "2026-11-02T18:09:02Z",
                    "rating": 2,
                    "helpful_votes": "3",
                    "url": None,
                    "title": None,
                    "text": "Chambre bruyante, personnel adorable 😊",
                    "trip_type": None,
                    "travel_date": None,
                    "user": {"username": None, "user_location": None},
                    "owner_response": {"id": "945566927", "responder": "Hôtel du Parc", "text": "Merci !"},
                }
            ]
        },
    )
    (review,) = connector(platform).fetch({}).items
    assert review.external_id == "945566001"
    assert review.text == "Chambre bruyante, personnel adorable 😊"
    assert (review.title, review.url, review.language) == ("", "", "")
    assert review.author is None
    assert review.likes == 3
    assert review.owner_reply_text == "Merci !"
    assert review.owner_reply_at is None
