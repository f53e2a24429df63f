"""Skeepers against a fake API: the OAuth grant, product then site reviews, answers, failures."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from vigie.connectors.builtin.skeepers.connector import SkeepersConfig, SkeepersConnector
from vigie.connectors.builtin.skeepers.tests.conftest import load
from vigie.connectors.contract import Capability, ConnectorError, MentionIn, RateLimited
from vigie.connectors.platforms import UNCONNECTED, item_url, platform_facts
from vigie.connectors.testing import FakePlatform

WEBSITE = "2c7f8a1e-5b3d-4e9f-8a6b-1c2d3e4f5a6b"
TOKEN = "/realms/skeepers/protocol/openid-connect/token"
PRODUCTS = "/verified-reviews/v1/published/products/reviews"
BRANDS = "/verified-reviews/v1/published/brands/reviews"
SECRET = "skeepers-secret-SECRET"
PARIS = timezone(timedelta(hours=1))


def connector(platform: FakePlatform, **config: Any) -> SkeepersConnector:
    values: dict[str, Any] = {
        "base_url": platform.url,
        "client_id": "vigie-client",
        "client_secret": SECRET,
        "website_id": WEBSITE,
        **config,
    }
    return SkeepersConnector(SkeepersConfig(**values))


def script(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add(
        "GET",
        PRODUCTS,
        json=load("products_page1.json"),
        headers={"Link": f'<https://api.skeepers.io{PRODUCTS}?limit=200&cursor=eyJwIjoyfQ>; rel="next"'},
    )
    platform.add("GET", PRODUCTS, json=load("products_page2.json"), query={"cursor": "eyJwIjoyfQ"})
    platform.add("GET", BRANDS, json=load("brands_page1.json"))


def read_all(source: SkeepersConnector, cursor: dict[str, Any]) -> tuple[list[MentionIn], dict[str, Any]]:
    items: list[MentionIn] = []
    for _ in range(10):
        page = source.fetch(cursor)
        items += page.items
        cursor = page.next_cursor
        if not page.has_more:
            return items, cursor
    raise AssertionError("the poll never ended")


def test_skeepers_is_read_only_copy_and_open_towards_the_back_office() -> None:
    facts = platform_facts("skeepers")
    assert facts.connected
    assert facts.capabilities == frozenset({Capability.FETCH})
    assert not facts.can_publish
    assert "skeepers" not in UNCONNECTED


def test_a_client_credentials_token_reads_products_then_site_reviews(platform: FakePlatform) -> None:
    script(platform)
    items, cursor = read_all(connector(platform), {})
    assert [m.raw["vigie"]["review_type"] for m in items] == ["product", "product", "product", "site"]
    grant = platform.requests_to("POST", TOKEN)[0]
    assert grant.form() == {"grant_type": "client_credentials", "audience": "verified-reviews"}
    assert grant.headers["authorization"].startswith("Basic ")
    listing = platform.requests_to("GET", PRODUCTS)
    assert (
        listing[0].headers["authorization"]
        == "Bearer eyJhbGciOiJSUzI1NiIsInR5cCIgOiAiSldUIn0.skeepers-AAAA.sig"
    )
    assert (listing[0].param("website_id"), listing[0].param("limit")) == (WEBSITE, "200")
    assert listing[1].param("cursor") == "eyJwIjoyfQ"
    assert cursor == {
        "since": {"products": "2026-11-30T14:22:05+01:00", "brands": "2026-12-02T16:05:00+01:00"}
    }
    assert len(platform.requests_to("POST", TOKEN)) == 1


def test_a_review_keeps_its_moderation_status_and_the_merchants_answer(platform: FakePlatform) -> None:
    script(platform)
    items, _ = read_all(connector(platform), {})
    small = items[0]
    assert small.title == "Taille petit"
    assert small.rating == Decimal(2)
    assert small.created_at == datetime(2026, 11, 30, 14, 22, 5, tzinfo=PARIS)
    assert small.language == "fr"
    assert small.author is not None
    assert small.author.display_name == "Marie D."
    assert small.owner_reply_text.startswith("Bonjour Marie")
    assert small.owner_reply_at == datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
    assert small.url == "https://www.boutique-exemple.fr/pull-laine-merinos"
    assert small.raw["vigie"] == {
        "review_type": "product",
        "moderation_status": "published",
        "product_id": "PULL-LAINE-M",
        "product_name": "Pull en laine mérinos",
    }
    assert small.raw["order_ref"] == "CMD-88412"
    site = items[-1]
    assert site.owner_reply_text == ""
    assert site.url == ""
    # A site review opens the back office, where the merchant writes the answer.
    assert item_url("skeepers", site) == "https://app.netreviews.eu/"
    # A review without a moderation status is one the Published API calls published.
    assert items[2].raw["vigie"]["moderation_status"] == "published"


def test_the_next_poll_stops_at_the_rescan_window(platform: FakePlatform) -> None:
    script(platform)
    since = {"products": "2026-12-01T00:00:00+01:00", "brands": "2026-12-02T16:05:00+01:00"}
    items, cursor = read_all(connector(platform), {"since": since})
    # 1 December minus 30 days keeps the two November reviews; the October one is older: dropped,
    # and paging stops there.
    assert [m.external_id for m in items] == [
        "0b6a4f9e-2c1d-4e8f-9a7b-3c2d1e0f9a8b",
        "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716",
        "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
    ]
    assert len(platform.requests_to("GET", PRODUCTS)) == 2
    assert cursor == {"since": since}


def test_a_refused_client_asks_for_reauthorisation_without_its_secret(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, status=401, json=load("error_invalid_client.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.needs_reauth
    assert caught.value.message == "Skeepers HTTP 401: Invalid client or Invalid client credentials"
    assert SECRET not in caught.value.message


def test_an_expired_token_is_renewed_once(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PRODUCTS, status=401, json={"message": "Jwt is expired"})
    platform.add("GET", PRODUCTS, json=load("products_page2.json"))
    page = connector(platform).fetch({})
    assert len(page.items) == 1
    assert len(platform.requests_to("POST", TOKEN)) == 2


def test_throttling_is_honoured(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add(
        "GET", PRODUCTS, status=429, json={"message": "Too many requests"}, headers={"Retry-After": "120"}
    )
    with pytest.raises(RateLimited) as caught:
        connector(platform).fetch({})
    assert caught.value.retry_after == 120


def test_a_bad_request_is_permanent_with_the_platforms_message(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PRODUCTS, status=400, json={"message": "Invalid cursor"})
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.permanent
    assert not caught.value.needs_reauth
    assert caught.value.message == "Skeepers HTTP 400: Invalid cursor"


def test_legacy_key_names_are_read_too(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    legacy = {
        "id_review": "legacy-1",
        "rate": "4",
        "review": "Très bien",
        "review_date": "2026-11-01 10:00:00",
        "firstname": "Anne",
        "lastname": "P.",
        "moderation": [{"origin": "2", "comment": "Merci Anne", "date": "2026-11-02 09:00:00"}],
    }
    platform.add("GET", PRODUCTS, json={"data": [legacy], "next_cursor": None})
    mention = connector(platform).fetch({}).items[0]
    assert (mention.external_id, mention.rating, mention.text) == ("legacy-1", Decimal(4), "Très bien")
    assert mention.owner_reply_text == "Merci Anne"


def test_test_connection_reads_one_site_review_and_says_where_answers_go(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", BRANDS, json=load("brands_page1.json"))
    description = connector(platform).test_connection()
    assert description.startswith(f"site {WEBSITE} : avis produits et avis sur le site")
    assert "espace Skeepers" in description
    assert platform.requests_to("GET", BRANDS)[0].param("limit") == "1"


def test_a_cursor_that_comes_back_unchanged_ends_the_walk(platform: FakePlatform) -> None:
    link = {"Link": f'<https://api.skeepers.io{PRODUCTS}?limit=200&cursor=eyJwIjoyfQ>; rel="next"'}
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PRODUCTS, json=load("products_page1.json"), headers=link)
    # The last page names the cursor it was asked with: it would be read again forever.
    platform.add(
        "GET", PRODUCTS, json=load("products_page2.json"), headers=link, query={"cursor": "eyJwIjoyfQ"}
    )
    platform.add("GET", BRANDS, json=load("brands_page1.json"))
    items, cursor = read_all(connector(platform), {})
    assert len(platform.requests_to("GET", PRODUCTS)) == 2
    assert set(cursor["since"]) == {"products", "brands"}
    assert items
