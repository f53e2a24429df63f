"""Trustpilot against a fake API: reviews, paging, the re-scan window, replies and failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from vigie.connectors.builtin.trustpilot.connector import TrustpilotConfig, TrustpilotConnector
from vigie.connectors.builtin.trustpilot.tests.conftest import load
from vigie.connectors.contract import ConnectorError, MentionIn, RateLimited
from vigie.connectors.testing import FakePlatform

BU = "507f191e810c19729de860ea"
REVIEWS = f"/v1/business-units/{BU}/reviews"
TOKEN = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
API_KEY = "tp-api-key-SECRET"
API_SECRET = "tp-api-secret-SECRET"
REVIEW_ID = "65f1c2d3a4b5c6d7e8f90123"
REPLY = f"/v1/private/reviews/{REVIEW_ID}/reply"


def connector(platform: FakePlatform, **config: Any) -> TrustpilotConnector:
    values: dict[str, Any] = {
        "base_url": platform.url,
        "api_key": API_KEY,
        "business_unit_id": BU,
        "api_secret": API_SECRET,
        "business_user_id": "60a1b2c3d4e5f6a7b8c9d0e1",
        "per_page": 2,
        **config,
    }
    return TrustpilotConnector(TrustpilotConfig(**values))


def review(platform: FakePlatform) -> MentionIn:
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"), query={"page": "1"})
    return connector(platform).fetch({}).items[0]


def test_test_connection_names_the_business_unit_and_checks_the_oauth_client(platform: FakePlatform) -> None:
    platform.add("GET", f"/v1/business-units/{BU}", json=load("business_unit.json"))
    platform.add("POST", TOKEN, json=load("access_token.json"))
    assert connector(platform).test_connection() == f"Example Ltd ({BU}), réponses activées"
    assert platform.requests[0].headers["apikey"] == API_KEY
    token_call = platform.requests_to("POST", TOKEN)[0]
    assert token_call.form() == {"grant_type": "client_credentials"}
    assert token_call.headers["authorization"].startswith("Basic ")


def test_reviews_are_read_across_pages_until_an_empty_or_short_page(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"), query={"page": "1"})
    platform.add("GET", REVIEWS, json=load("reviews_page2.json"), query={"page": "2"})
    source = connector(platform)
    first = source.fetch({})
    assert [m.external_id for m in first.items] == [REVIEW_ID, "65e0a1b2c3d4e5f6a7b8c9d0"]
    assert first.has_more
    second = source.fetch(first.next_cursor)
    assert [m.external_id for m in second.items] == ["65d000000000000000000001"]
    assert not second.has_more
    assert second.next_cursor["since"] == "2024-03-05T10:15:22+00:00"
    # The first read went back to the first review: it counts as the day's deep re-scan.
    assert datetime.fromisoformat(second.next_cursor["deep_at"]) > datetime.now(tz=UTC) - timedelta(minutes=1)
    calls = platform.requests_to("GET", REVIEWS)
    assert [c.param("page") for c in calls] == ["1", "2"]
    assert calls[0].param("orderBy") == "createdat.desc"
    assert calls[0].param("perPage") == "2"


def test_an_empty_page_ends_the_poll(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=load("reviews_empty.json"))
    page = connector(platform).fetch({})
    assert page.items == []
    assert not page.has_more
    assert page.next_cursor["since"] is None


def an_hour_ago() -> str:
    return (datetime.now(tz=UTC) - timedelta(hours=1)).isoformat()


def test_the_next_poll_stops_at_the_rescan_window(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"), query={"page": "1"})
    deep_at = an_hour_ago()
    page = connector(platform, rescan_days=2).fetch(
        {"since": "2024-03-05T10:15:22+00:00", "deep_at": deep_at}
    )
    # The review of 1 March is older than 5 March minus 2 days: it and older pages are not read.
    assert [m.external_id for m in page.items] == [REVIEW_ID]
    assert not page.has_more
    assert page.next_cursor == {"since": "2024-03-05T10:15:22+00:00", "deep_at": deep_at}
    assert len(platform.requests) == 1


def test_once_a_day_a_poll_reads_far_back_so_late_edits_arrive(platform: FakePlatform) -> None:
    edited = load("reviews_page1.json")
    edited["reviews"][1] = {**edited["reviews"][1], "stars": 4, "updatedAt": "2024-04-20T08:00:00Z"}
    platform.add("GET", REVIEWS, json=edited, query={"page": "1"})
    platform.add("GET", REVIEWS, json=load("reviews_page2.json"), query={"page": "2"})
    source = connector(platform, rescan_days=2)
    yesterday = (datetime.now(tz=UTC) - timedelta(hours=25)).isoformat()

    first = source.fetch({"since": "2024-03-05T10:15:22+00:00", "deep_at": yesterday})
    # The review of 1 March, edited seven weeks later, is read again with its new rating.
    assert [m.external_id for m in first.items] == [REVIEW_ID, "65e0a1b2c3d4e5f6a7b8c9d0"]
    assert first.items[1].rating == Decimal(4)
    assert first.has_more
    second = source.fetch(first.next_cursor)
    assert not second.has_more
    assert second.next_cursor["deep_at"] > yesterday

    # The next poll of the day is a short one again.
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"), query={"page": "1"})
    short = source.fetch(second.next_cursor)
    assert [m.external_id for m in short.items] == [REVIEW_ID]
    assert short.next_cursor["deep_at"] == second.next_cursor["deep_at"]


def test_a_review_is_mapped_with_rating_author_and_company_reply(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"), query={"page": "1"})
    late, perfect = connector(platform).fetch({}).items
    assert late.kind == "review"
    assert late.title == "Late delivery"
    assert late.text == "Parcel arrived a week late and support never answered."
    assert late.rating == Decimal(2)
    assert late.rating_raw == "2"
    assert late.created_at == datetime(2024, 3, 5, 10, 15, 22, tzinfo=UTC)
    assert late.url == f"https://www.trustpilot.com/reviews/{REVIEW_ID}"
    assert late.likes == 1
    assert late.language == "en"
    assert late.owner_reply_text == ""
    assert late.author is not None
    assert late.author.display_name == "Jane D."
    assert late.author.handle == "5c1d2e3f4a5b6c7d8e9f0a1b"
    assert late.author.profile_url == "https://www.trustpilot.com/users/5c1d2e3f4a5b6c7d8e9f0a1b"
    # Times without an offset are UTC.
    assert perfect.created_at == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    assert perfect.rating == Decimal(5)
    assert perfect.owner_reply_text == "Merci Marc !"
    assert perfect.owner_reply_at == datetime(2024, 3, 2, 10, 0, tzinfo=UTC)
    assert perfect.raw["location"]["name"] == "Lyon Part-Dieu"


def test_a_reply_gets_a_token_then_posts_as_the_business_user(platform: FakePlatform) -> None:
    mention = review(platform)
    platform.add("POST", TOKEN, json=load("access_token.json"))
    platform.add("POST", REPLY, status=201, body=b"")
    result = connector(platform).publish_reply(mention, "Sorry Jane, we are on it.", idempotency_key="k")
    assert result.external_id == REVIEW_ID
    assert result.url == f"https://www.trustpilot.com/reviews/{REVIEW_ID}"
    sent = platform.requests_to("POST", REPLY)[0]
    assert sent.headers["authorization"] == "Bearer tp-access-AAAA"
    assert sent.json() == {
        "authorBusinessUserId": "60a1b2c3d4e5f6a7b8c9d0e1",
        "message": "Sorry Jane, we are on it.",
    }


def test_the_token_is_reused_between_calls(platform: FakePlatform) -> None:
    mention = review(platform)
    platform.add("POST", TOKEN, json=load("access_token.json"))
    platform.add("POST", REPLY, status=201, body=b"")
    platform.add("DELETE", REPLY, status=204, body=b"")
    source = connector(platform)
    source.publish_reply(mention, "Hello", idempotency_key="k")
    source.delete_reply(mention, REVIEW_ID)
    assert len(platform.requests_to("POST", TOKEN)) == 1
    assert len(platform.requests_to("DELETE", REPLY)) == 1


def test_an_expired_token_is_renewed_once(platform: FakePlatform) -> None:
    mention = review(platform)
    platform.add("POST", TOKEN, json=load("access_token.json"))
    platform.add("POST", REPLY, status=401, json={"message": "Unauthorized"})
    platform.add("POST", REPLY, status=201, body=b"")
    connector(platform).publish_reply(mention, "Hello", idempotency_key="k")
    assert len(platform.requests_to("POST", TOKEN)) == 2
    assert len(platform.requests_to("POST", REPLY)) == 2


def test_a_token_refused_twice_asks_for_reauthorisation(platform: FakePlatform) -> None:
    mention = review(platform)
    platform.add("POST", TOKEN, json=load("access_token.json"))
    platform.add("POST", REPLY, status=401, json={"message": "Unauthorized"})
    with pytest.raises(ConnectorError) as caught:
        connector(platform).publish_reply(mention, "Hello", idempotency_key="k")
    assert caught.value.needs_reauth
    assert len(platform.requests_to("POST", REPLY)) == 2


def test_a_refused_oauth_client_asks_for_reauthorisation_without_leaking_secrets(
    platform: FakePlatform,
) -> None:
    mention = review(platform)
    platform.add(
        "POST", TOKEN, status=401, json={"error": "invalid_client", "error_description": "Invalid client"}
    )
    with pytest.raises(ConnectorError) as caught:
        connector(platform).publish_reply(mention, "Hello", idempotency_key="k")
    assert caught.value.needs_reauth
    assert "Invalid client" in caught.value.message
    for secret in (API_KEY, API_SECRET):
        assert secret not in str(caught.value)


def test_an_invalid_api_key_asks_for_reauthorisation(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, status=401, json=load("error_invalid_api_key.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.needs_reauth
    assert caught.value.message == "Trustpilot HTTP 401: Invalid ApiKey"


def test_a_refused_reply_is_permanent_and_carries_the_platform_message(platform: FakePlatform) -> None:
    mention = review(platform)
    platform.add("POST", TOKEN, json=load("access_token.json"))
    platform.add("POST", REPLY, status=400, json=load("error_reply_refused.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).publish_reply(mention, "...", idempotency_key="k")
    assert caught.value.permanent
    assert not caught.value.needs_reauth
    assert "violates our guidelines" in caught.value.message


def test_replying_without_a_business_user_is_a_clear_permanent_error(platform: FakePlatform) -> None:
    mention = review(platform)
    with pytest.raises(ConnectorError, match="business_user_id") as caught:
        connector(platform, business_user_id="").publish_reply(mention, "Hi", idempotency_key="k")
    assert caught.value.permanent


def test_429_with_retry_after_is_rate_limited(platform: FakePlatform) -> None:
    platform.add(
        "GET", REVIEWS, status=429, json={"message": "Too Many Requests"}, headers={"Retry-After": "17"}
    )
    with pytest.raises(RateLimited) as caught:
        connector(platform).fetch({})
    assert caught.value.retry_after == 17


def test_a_server_error_is_temporary(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, status=502, body="Bad gateway", headers={"Content-Type": "text/plain"})
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert not caught.value.permanent
    assert caught.value.message == "Trustpilot HTTP 502"


def test_a_body_that_is_not_json_is_reported_clearly(platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, body='{"reviews": [', headers={"Content-Type": "application/json"})
    with pytest.raises(ConnectorError, match="not valid JSON"):
        connector(platform).fetch({})


def test_the_config_marks_the_key_and_secret_secret() -> None:
    properties = TrustpilotConfig.model_json_schema()["properties"]
    assert properties["api_key"]["secret"] is True
    assert properties["api_secret"]["secret"] is True
    assert "secret" not in properties["business_unit_id"]
    assert (
        TrustpilotConnector(TrustpilotConfig(api_key="k", business_unit_id="b")).base_url
        == "https://api.trustpilot.com"
    )


def test_test_connection_speaks_english_to_an_english_reader(platform: FakePlatform) -> None:
    platform.add("GET", f"/v1/business-units/{BU}", json=load("business_unit.json"))
    platform.add("POST", TOKEN, json=load("access_token.json"))
    with translation.override("en"):
        assert connector(platform).test_connection() == f"Example Ltd ({BU}), replies enabled"
    platform.add("GET", f"/v1/business-units/{BU}", json=load("business_unit.json"))
    assert connector(platform, api_secret="").test_connection() == f"Example Ltd ({BU})"


def test_an_unknown_business_unit_is_said_in_a_sentence(platform: FakePlatform) -> None:
    platform.add("GET", f"/v1/business-units/{BU}", status=404, json={"message": "no such route"})
    with pytest.raises(ConnectorError) as caught:
        connector(platform).test_connection()
    assert caught.value.message == (
        "Trustpilot ne connaît pas cette adresse (HTTP 404) : vérifiez l'identifiant de l'entreprise."
    )
    assert caught.value.permanent
    platform.add("GET", f"/v1/business-units/{BU}", status=404, json={"message": "no such route"})
    with translation.override("en"), pytest.raises(ConnectorError) as caught:
        connector(platform).test_connection()
    assert (
        caught.value.message
        == "Trustpilot does not know this address (HTTP 404): check the business unit id."
    )


def test_fields_sent_as_null_read_as_absent_and_the_page_is_kept(platform: FakePlatform) -> None:
    # Trustpilot's API writes null for what a review lacks (no title, no text, a consumer whose
    # profile was deleted, no likes count, no reply): the review is read, not the page refused.
    page = {
        "links": [],
        "reviews": [
            {
                "id": "65f1c2d3a4b5c6d7e8f90999",
                "consumer": {
                    "id": None,
                    "displayName": None,
                    "displayLocation": None,
                    "numberOfReviews": None,
                },
                "stars": 1,
                "title": None,
                "text": None,
                "language": None,
                "createdAt": "2024-03-06T08:00:00Z",
                "updatedAt": None,
                "companyReply": {"text": "Nous sommes désolés 🙏", "createdAt": None, "updatedAt": None},
                "numberOfLikes": None,
                "isVerified": None,
                "status": None,
                "location": None,
                "reportData": None,
            },
            {
                "id": "65f1c2d3a4b5c6d7e8f90998",
                "consumer": {"id": "5c1d2e3f4a5b6c7d8e9f0a1c", "displayName": "Zoë Ångström 😀"},
                "stars": 5,
                "title": "Très bien",
                "text": "Livraison rapide, emballage soigné 👍",
                "createdAt": "2024-03-05T10:15:22",
                "companyReply": None,
            },
        ],
    }
    platform.add("GET", REVIEWS, json=page)
    deleted_consumer, happy = connector(platform).fetch({}).items
    assert deleted_consumer.author is None
    assert (deleted_consumer.title, deleted_consumer.text) == ("", "")
    assert deleted_consumer.rating == Decimal(1)
    assert deleted_consumer.likes == 0
    assert deleted_consumer.owner_reply_text == "Nous sommes désolés 🙏"
    assert happy.author is not None
    assert happy.author.display_name == "Zoë Ångström 😀"
    assert happy.text == "Livraison rapide, emballage soigné 👍"
    # A time without offset is UTC at Trustpilot.
    assert happy.created_at == datetime(2024, 3, 5, 10, 15, 22, tzinfo=UTC)
    assert happy.owner_reply_text == ""


def test_a_consumer_named_without_an_id_keeps_the_name_on_this_review(platform: FakePlatform) -> None:
    page = {
        "links": [],
        "reviews": [
            {
                "id": "65f1c2d3a4b5c6d7e8f90997",
                "consumer": {"id": None, "displayName": "Jean-Noël"},
                "stars": 3,
                "title": "Correct",
                "text": "Sans plus.",
                "createdAt": "2024-03-05T10:15:22Z",
            }
        ],
    }
    platform.add("GET", REVIEWS, json=page)
    (item,) = connector(platform).fetch({}).items
    assert item.author is not None
    assert (item.author.external_id, item.author.display_name) == (
        "review:65f1c2d3a4b5c6d7e8f90997",
        "Jean-Noël",
    )
    assert item.author.profile_url == ""
