"""Google Play against a fake Android Publisher API: the JWT grant, the week of reviews, replies."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from vigie.connectors.builtin.google_play.connector import GooglePlayConfig, GooglePlayConnector
from vigie.connectors.builtin.google_play.tests.conftest import load
from vigie.connectors.contract import Capability, ConnectorError, LengthLimit, MentionIn, RateLimited
from vigie.connectors.platforms import UNCONNECTED, platform_facts
from vigie.connectors.testing import FakePlatform

PACKAGE = "fr.exemple.boutique"
REVIEWS = f"/androidpublisher/v3/applications/{PACKAGE}/reviews"
REVIEW_ID = "gp:AOqpTOFpm0yFEXsL_xjTrGQo7Rd7LgX"
REPLY = f"{REVIEWS}/{REVIEW_ID}:reply"


def connector(platform: FakePlatform, service_account: str) -> GooglePlayConnector:
    config = GooglePlayConfig(
        base_url=platform.url, package_name=PACKAGE, service_account_json=service_account
    )
    return GooglePlayConnector(config)


def script_token(platform: FakePlatform) -> None:
    platform.add("POST", "/token", json=load("token.json"))


def review(platform: FakePlatform, service_account: str) -> MentionIn:
    script_token(platform)
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"))
    return connector(platform, service_account).fetch({}).items[0]


def decode(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_google_play_declares_replacing_replies_of_350_characters() -> None:
    facts = platform_facts("google_play")
    assert facts.connected
    assert facts.capabilities == frozenset({Capability.FETCH, Capability.REPLY, Capability.EDIT_REPLY})
    assert facts.reply_replaces
    assert facts.retry_safe
    assert facts.reply_limit == LengthLimit(350)
    assert not facts.can_delete_reply
    assert "google_play" not in UNCONNECTED


def test_the_service_account_signs_a_jwt_exchanged_for_a_token(
    platform: FakePlatform, service_account: str, rsa_key: rsa.RSAPrivateKey
) -> None:
    script_token(platform)
    platform.add("GET", REVIEWS, json=load("reviews_page2.json"))
    connector(platform, service_account).fetch({})
    grant = platform.requests_to("POST", "/token")[0].form()
    assert grant["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    header, claims, signature = grant["assertion"].split(".")
    assert decode(header) == {"alg": "RS256", "typ": "JWT", "kid": "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a"}
    body = decode(claims)
    assert body["iss"] == "vigie-reviews@vigie-play-reviews.iam.gserviceaccount.com"
    assert body["scope"] == "https://www.googleapis.com/auth/androidpublisher"
    assert body["aud"] == f"{platform.url}/token"
    assert body["exp"] - body["iat"] == 3600
    # The signature verifies with the service account's public key (raises otherwise).
    rsa_key.public_key().verify(
        base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
        f"{header}.{claims}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    listing = platform.requests_to("GET", REVIEWS)[0]
    assert listing.headers["authorization"] == "Bearer ya29.c.b0AXv0zTPlay-AAAA"


def test_every_page_of_the_week_is_read(platform: FakePlatform, service_account: str) -> None:
    script_token(platform)
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"))
    platform.add("GET", REVIEWS, json=load("reviews_page2.json"), query={"token": "Cg0IARoJZ3A6QU9xcFRP"})
    source = connector(platform, service_account)
    first = source.fetch({})
    assert first.has_more
    assert first.next_cursor == {"token": "Cg0IARoJZ3A6QU9xcFRP"}
    second = source.fetch(first.next_cursor)
    assert not second.has_more
    assert second.next_cursor == {}
    assert [m.external_id for m in first.items + second.items] == [
        REVIEW_ID,
        "gp:AOqpTOGx3Lk9vQ2_bNw8RtY5Pz1aHcM",
        "gp:AOqpTOHq7Zr2Ws1_kLm4Np0Xc8VbYtE",
    ]
    # One token for the whole poll.
    assert len(platform.requests_to("POST", "/token")) == 1


def test_a_review_keeps_its_app_version_language_and_country(
    platform: FakePlatform, service_account: str
) -> None:
    script_token(platform)
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"))
    crash, praise = connector(platform, service_account).fetch({}).items
    assert crash.title == "Plante à l'ouverture"
    assert crash.text == "L'appli plante dès que j'ouvre les réglages depuis la mise à jour."
    assert crash.rating == Decimal(1)
    # lastModified.seconds comes as a string.
    assert crash.created_at == datetime(2024, 5, 13, 9, 2, 16, 525000, tzinfo=UTC)
    assert crash.language == "fr"
    assert crash.likes == 3
    assert (
        crash.url
        == f"https://play.google.com/store/apps/details?id={PACKAGE}&reviewId=gp%3AAOqpTOFpm0yFEXsL_xjTrGQo7Rd7LgX"
    )
    assert crash.raw["vigie"]["app_version"] == "5.2.1"
    assert crash.raw["vigie"]["country"] == "FR"
    assert crash.raw["comments"][0]["userComment"]["deviceMetadata"]["manufacturer"] == "Samsung"
    assert crash.owner_reply_text == ""
    assert praise.raw["vigie"] == {
        "app_version": "5.2.0",
        "app_version_code": 1439,
        "language": "fr",
        "country": "BE",
        "device": "OnePlus9",
        "android_os_version": 33,
    }
    assert praise.owner_reply_text == "Merci beaucoup !"
    assert praise.owner_reply_at == datetime.fromtimestamp(1715510000, tz=UTC)


def test_two_anonymous_reviewers_stay_two_authors(platform: FakePlatform, service_account: str) -> None:
    script_token(platform)
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"))
    platform.add("GET", REVIEWS, json=load("reviews_page2.json"), query={"token": "Cg0IARoJZ3A6QU9xcFRP"})
    source = connector(platform, service_account)
    first = source.fetch({})
    anonymous = [m.author for m in first.items + source.fetch(first.next_cursor).items][1:]
    assert [a.display_name for a in anonymous if a] == ["A Google user", "A Google user"]
    assert len({a.external_id for a in anonymous if a}) == 2


def test_a_reply_replaces_the_developer_comment(platform: FakePlatform, service_account: str) -> None:
    mention = review(platform, service_account)
    platform.add("POST", REPLY, json=load("reply.json"))
    result = connector(platform, service_account).publish_reply(
        mention, "Merci Joe, un correctif arrive dans la 5.2.2.", idempotency_key="k"
    )
    assert result.external_id == REVIEW_ID
    assert platform.requests_to("POST", REPLY)[0].json() == {
        "replyText": "Merci Joe, un correctif arrive dans la 5.2.2."
    }
    assert result.raw["result"]["lastEdited"]["seconds"] == "1715600000"


def test_a_reply_over_350_characters_is_refused_before_sending(
    platform: FakePlatform, service_account: str
) -> None:
    mention = review(platform, service_account)
    with pytest.raises(ConnectorError) as caught:
        connector(platform, service_account).publish_reply(mention, "x" * 351, idempotency_key="k")
    assert caught.value.permanent
    assert "350" in caught.value.message
    assert platform.requests_to("POST", REPLY) == []


def test_a_reply_google_refuses_is_permanent_with_its_message(
    platform: FakePlatform, service_account: str
) -> None:
    mention = review(platform, service_account)
    platform.add("POST", REPLY, status=400, json=load("error_reply_too_long.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform, service_account).publish_reply(mention, "Merci", idempotency_key="k")
    assert caught.value.permanent
    assert not caught.value.needs_reauth
    assert caught.value.message == (
        "Google Play HTTP 400: The reply text is too long. Maximum length is 350 characters."
    )


def test_an_expired_token_is_renewed_once(platform: FakePlatform, service_account: str) -> None:
    script_token(platform)
    platform.add(
        "GET",
        REVIEWS,
        status=401,
        json={"error": {"code": 401, "message": "Invalid Credentials", "status": "UNAUTHENTICATED"}},
    )
    platform.add("GET", REVIEWS, json=load("reviews_page2.json"))
    assert len(connector(platform, service_account).fetch({}).items) == 1
    assert len(platform.requests_to("POST", "/token")) == 2


def test_a_refused_key_or_missing_permission_asks_for_reauthorisation(
    platform: FakePlatform, service_account: str
) -> None:
    platform.add("POST", "/token", status=400, json=load("error_invalid_grant.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform, service_account).fetch({})
    assert caught.value.needs_reauth
    assert caught.value.message == "Google Play HTTP 400: Invalid JWT Signature."

    with FakePlatform() as other:
        script_token(other)
        other.add("GET", REVIEWS, status=403, json=load("error_permission.json"))
        with pytest.raises(ConnectorError) as denied:
            connector(other, service_account).fetch({})
        assert denied.value.needs_reauth
        assert "insufficient permissions" in denied.value.message


def test_the_quota_is_honoured(platform: FakePlatform, service_account: str) -> None:
    script_token(platform)
    platform.add("GET", REVIEWS, status=429, json=load("error_quota.json"))
    with pytest.raises(RateLimited) as caught:
        connector(platform, service_account).fetch({})
    assert caught.value.retry_after == 600


def test_test_connection_says_the_api_keeps_one_week(platform: FakePlatform, service_account: str) -> None:
    script_token(platform)
    platform.add("GET", REVIEWS, json=load("reviews_page2.json"))
    description = connector(platform, service_account).test_connection()
    assert description.startswith(f"{PACKAGE} (compte vigie-reviews@")
    assert "7 derniers jours" in description


def test_the_configuration_checks_the_package_and_the_key(service_account: str) -> None:
    as_object = GooglePlayConfig(package_name=PACKAGE, service_account_json=json.loads(service_account))  # type: ignore[arg-type]
    assert json.loads(as_object.service_account_json)["client_email"].endswith("gserviceaccount.com")
    # Pasted in the form's one-line input, the key file loses its line breaks: still a valid key.
    GooglePlayConfig(package_name=PACKAGE, service_account_json=service_account.replace("\n", ""))
    with pytest.raises(ValueError, match="Android package name"):
        GooglePlayConfig(package_name="boutique", service_account_json=service_account)
    with pytest.raises(ValueError, match="client_email and private_key"):
        GooglePlayConfig(package_name=PACKAGE, service_account_json='{"type": "service_account"}')
    broken = json.dumps({**json.loads(service_account), "private_key": "not a key"})
    with pytest.raises(ValueError, match="PEM private key"):
        GooglePlayConfig(package_name=PACKAGE, service_account_json=broken)


def test_a_page_token_that_comes_back_unchanged_ends_the_walk(
    platform: FakePlatform, service_account: str
) -> None:
    # The same page answered with the token it was asked with: reading it again would never end.
    script_token(platform)
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"))
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"), query={"token": "Cg0IARoJZ3A6QU9xcFRP"})
    source = connector(platform, service_account)
    first = source.fetch({})
    second = source.fetch(first.next_cursor)
    assert first.has_more
    assert not second.has_more
    assert second.next_cursor == {}


def test_a_reply_without_its_time_does_not_fail_the_poll(
    platform: FakePlatform, service_account: str
) -> None:
    page = load("reviews_page1.json")
    page.pop("tokenPagination", None)
    for comment in page["reviews"][0]["comments"]:
        if "developerComment" in comment:
            comment["developerComment"].pop("lastModified", None)
            break
    else:
        page["reviews"][0]["comments"].append({"developerComment": {"text": "Merci, corrigé en 5.2.2 👍"}})
    script_token(platform)
    platform.add("GET", REVIEWS, json=page)
    first = connector(platform, service_account).fetch({}).items[0]
    assert first.owner_reply_text
    assert first.owner_reply_at is None
