"""App Store Connect against a fake API: the ES256 token, paging, responses replaced and deleted."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from vigie.connectors.builtin.app_store.connector import AppStoreConfig, AppStoreConnector
from vigie.connectors.builtin.app_store.tests.conftest import load
from vigie.connectors.contract import Capability, ConnectorError, LengthLimit, MentionIn, RateLimited
from vigie.connectors.platforms import UNCONNECTED, platform_facts
from vigie.connectors.testing import FakePlatform

APP = "1234567890"
REVIEWS = f"/v1/apps/{APP}/customerReviews"
REVIEW_ID = "00000066-2a3b-4c5d-0000-000000abcdef"
OLD_RESPONSE = "00000077-aaaa-bbbb-0000-000000123456"
NEW_RESPONSE = "00000077-cccc-dddd-0000-000000654321"
ISSUER = "57246542-96fe-1a63-e053-0824d011072a"
KEY_ID = "2X9R4HXF34"
PACIFIC = timezone(timedelta(hours=-7))


def connector(platform: FakePlatform, p8: str) -> AppStoreConnector:
    config = AppStoreConfig(
        base_url=platform.url, app_id=APP, issuer_id=ISSUER, key_id=KEY_ID, private_key=p8
    )
    return AppStoreConnector(config)


def first_page(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"))


def review(platform: FakePlatform, p8: str) -> MentionIn:
    first_page(platform)
    return connector(platform, p8).fetch({}).items[0]


def decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_app_store_declares_one_replaceable_deletable_response() -> None:
    facts = platform_facts("app_store")
    assert facts.connected
    assert facts.capabilities == frozenset(
        {
            Capability.FETCH,
            Capability.REPLY,
            Capability.EDIT_REPLY,
            Capability.DELETE_REPLY,
            Capability.DETECTS_DELETIONS,
        }
    )
    assert facts.reply_replaces
    assert facts.retry_safe
    assert facts.reply_limit == LengthLimit(5970)
    assert "app_store" not in UNCONNECTED


def test_requests_carry_an_es256_token_apple_can_verify(
    platform: FakePlatform, p8: str, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    first_page(platform)
    connector(platform, p8).fetch({})
    token = platform.requests[0].headers["authorization"].removeprefix("Bearer ")
    header, claims, signature = token.split(".")
    assert json.loads(decode(header)) == {"alg": "ES256", "kid": KEY_ID, "typ": "JWT"}
    body = json.loads(decode(claims))
    assert body["iss"] == ISSUER
    assert body["aud"] == "appstoreconnect-v1"
    assert body["exp"] - body["iat"] <= 20 * 60
    raw = decode(signature)
    assert len(raw) == 64  # JOSE's r||s, not DER
    ec_key.public_key().verify(
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )


def test_reviews_are_read_newest_first_following_links_next(platform: FakePlatform, p8: str) -> None:
    first_page(platform)
    platform.add("GET", REVIEWS, json=load("reviews_page2.json"), query={"cursor": "Mg.AI9pbmE"})
    source = connector(platform, p8)
    first = source.fetch({})
    assert first.has_more
    # Apple's absolute link is followed on base_url, never on the host the payload names.
    assert (
        first.next_cursor["next"] == f"{REVIEWS}?cursor=Mg.AI9pbmE&include=response&limit=2&sort=-createdDate"
    )
    second = source.fetch(first.next_cursor)
    assert not second.has_more
    assert [m.external_id for m in first.items + second.items] == [
        REVIEW_ID,
        "00000066-2a3b-4c5d-0000-000000fedcba",
        "00000066-2a3b-4c5d-0000-000000111111",
    ]
    assert second.next_cursor == {"since": "2024-05-01T15:15:30+00:00"}
    call = platform.requests_to("GET", REVIEWS)[0]
    assert (call.param("sort"), call.param("limit"), call.param("include")) == (
        "-createdDate",
        "200",
        "response",
    )


def test_the_next_poll_stops_at_the_rescan_window(platform: FakePlatform, p8: str) -> None:
    first_page(platform)
    page = connector(platform, p8).fetch({"since": "2024-05-20T00:00:00+00:00"})
    # 20 May minus 14 days: the reviews of 1 May and 28 April are older; paging stops.
    assert page.items == []
    assert not page.has_more
    assert page.next_cursor == {"since": "2024-05-20T00:00:00+00:00"}


def test_a_review_keeps_its_territory_and_published_response(platform: FakePlatform, p8: str) -> None:
    first_page(platform)
    synced, perfect = connector(platform, p8).fetch({}).items
    assert synced.title == "Synchro cassée"
    assert synced.text.startswith("Depuis la dernière mise à jour")
    assert synced.rating == Decimal(2)
    assert synced.created_at == datetime(2024, 5, 1, 8, 15, 30, tzinfo=PACIFIC)
    assert synced.author is not None
    assert synced.author.external_id == "notetaker88"
    assert synced.owner_reply_text == "Merci ! Un correctif arrive dans la 3.4.1."
    assert synced.owner_reply_at == datetime(2024, 5, 2, 17, 0, tzinfo=UTC)
    assert synced.raw["vigie"] == {
        "country": "FRA",
        "response_id": OLD_RESPONSE,
        "response_state": "PUBLISHED",
    }
    assert synced.raw["attributes"]["territory"] == "FRA"
    assert synced.url == f"https://apps.apple.com/app/id{APP}?see-all=reviews"
    assert perfect.owner_reply_text == ""
    assert perfect.raw["vigie"]["country"] == "BEL"


def test_a_new_response_replaces_the_old_one_by_delete_then_create(platform: FakePlatform, p8: str) -> None:
    mention = review(platform, p8)
    platform.add("GET", f"/v1/customerReviews/{REVIEW_ID}/response", json=load("response_current.json"))
    platform.add("DELETE", f"/v1/customerReviewResponses/{OLD_RESPONSE}", status=204, body=b"")
    platform.add("POST", "/v1/customerReviewResponses", status=201, json=load("response_created.json"))
    result = connector(platform, p8).publish_reply(
        mention, "La 3.4.1 corrige la synchronisation, merci de votre patience.", idempotency_key="k"
    )
    assert result.external_id == NEW_RESPONSE
    assert result.raw["data"]["attributes"]["state"] == "PENDING_PUBLISH"
    order = [(r.method, r.path) for r in platform.requests[1:]]
    assert order == [
        ("GET", f"/v1/customerReviews/{REVIEW_ID}/response"),
        ("DELETE", f"/v1/customerReviewResponses/{OLD_RESPONSE}"),
        ("POST", "/v1/customerReviewResponses"),
    ]
    assert platform.requests_to("POST", "/v1/customerReviewResponses")[0].json() == {
        "data": {
            "type": "customerReviewResponses",
            "attributes": {"responseBody": "La 3.4.1 corrige la synchronisation, merci de votre patience."},
            "relationships": {"review": {"data": {"type": "customerReviews", "id": REVIEW_ID}}},
        }
    }


def test_a_first_response_is_created_without_delete(platform: FakePlatform, p8: str) -> None:
    mention = review(platform, p8)
    platform.add("GET", f"/v1/customerReviews/{REVIEW_ID}/response", json=load("response_none.json"))
    platform.add("POST", "/v1/customerReviewResponses", status=201, json=load("response_created.json"))
    connector(platform, p8).publish_reply(mention, "Merci", idempotency_key="k")
    assert [r.method for r in platform.requests[1:]] == ["GET", "POST"]


def test_a_refused_response_is_permanent_with_apples_message(platform: FakePlatform, p8: str) -> None:
    mention = review(platform, p8)
    platform.add("GET", f"/v1/customerReviews/{REVIEW_ID}/response", json=load("response_none.json"))
    platform.add("POST", "/v1/customerReviewResponses", status=409, json=load("error_response_refused.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform, p8).publish_reply(mention, "Merci", idempotency_key="k")
    assert caught.value.permanent
    assert not caught.value.needs_reauth
    assert caught.value.message == (
        "App Store Connect HTTP 409: The response body contains content that is not allowed."
    )


def test_a_response_is_deleted_and_one_already_gone_counts_as_deleted(
    platform: FakePlatform, p8: str
) -> None:
    mention = review(platform, p8)
    platform.add("DELETE", f"/v1/customerReviewResponses/{OLD_RESPONSE}", status=204, body=b"")
    platform.add(
        "DELETE",
        f"/v1/customerReviewResponses/{OLD_RESPONSE}",
        status=404,
        json={
            "errors": [
                {"status": "404", "code": "NOT_FOUND", "title": "The specified resource does not exist"}
            ]
        },
    )
    source = connector(platform, p8)
    source.delete_reply(mention, OLD_RESPONSE)
    source.delete_reply(mention, OLD_RESPONSE)
    assert len(platform.requests_to("DELETE", f"/v1/customerReviewResponses/{OLD_RESPONSE}")) == 2


def test_a_refused_key_asks_for_reauthorisation(platform: FakePlatform, p8: str) -> None:
    platform.add("GET", REVIEWS, status=401, json=load("error_not_authorized.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform, p8).fetch({})
    assert caught.value.needs_reauth
    assert "signed bearer token" in caught.value.message


def test_the_hourly_limit_is_honoured(platform: FakePlatform, p8: str) -> None:
    platform.add(
        "GET",
        REVIEWS,
        status=429,
        json=load("error_rate_limit.json"),
        headers={"X-Rate-Limit": "user-hour-lim:3600;user-hour-rem:0;"},
    )
    with pytest.raises(RateLimited) as caught:
        connector(platform, p8).fetch({})
    assert caught.value.retry_after == 900


def test_test_connection_names_the_app(platform: FakePlatform, p8: str) -> None:
    platform.add("GET", f"/v1/apps/{APP}", json=load("app.json"))
    assert connector(platform, p8).test_connection() == (
        "Carnet (fr.exemple.carnet) : réponses activées ; une nouvelle réponse remplace la précédente."
    )


def test_a_key_pasted_without_its_line_breaks_still_works(p8: str) -> None:
    one_line = p8.replace("\n", "")
    config = AppStoreConfig(app_id="id" + APP, issuer_id=ISSUER.upper(), key_id=KEY_ID, private_key=one_line)
    assert config.private_key == p8
    assert config.app_id == APP
    assert config.issuer_id == ISSUER
    with pytest.raises(ValueError, match=r"\.p8 private key"):
        AppStoreConfig(app_id=APP, issuer_id=ISSUER, key_id=KEY_ID, private_key="nope")
    with pytest.raises(ValueError, match="issuer id"):
        AppStoreConfig(app_id=APP, issuer_id="abc", key_id=KEY_ID, private_key=p8)


def test_a_next_link_that_comes_back_unchanged_ends_the_walk(platform: FakePlatform, p8: str) -> None:
    first_page(platform)
    # The next page links to itself: following it again would never end the poll.
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"), query={"cursor": "Mg.AI9pbmE"})
    source = connector(platform, p8)
    first = source.fetch({})
    second = source.fetch(first.next_cursor)
    assert first.has_more
    assert not second.has_more
    assert second.next_cursor == {"since": "2024-05-01T15:15:30+00:00"}
