"""Google Business Profile against a fake Google: locations, paging, OAuth refresh, replies, failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from pydantic import ValidationError

from vigie.connectors.builtin.google_business.connector import GoogleBusinessConfig, GoogleBusinessConnector
from vigie.connectors.builtin.google_business.tests.conftest import LOCATIONS, load
from vigie.connectors.contract import ConnectorError, MentionIn, RateLimited
from vigie.connectors.testing import FakePlatform

PARIS = "/v4/accounts/1122334455/locations/9988776655/reviews"
LYON = "/v4/accounts/1122334455/locations/5544332211/reviews"
TOKEN = "/token"
REFRESH_TOKEN = "1//0gFAKErefresh-SECRET"
CLIENT_SECRET = "GOCSPX-client-SECRET"
REPLY = "/v4/accounts/1122334455/locations/9988776655/reviews/AIe9_BGx7Q/reply"


def connector(platform: FakePlatform, **config: Any) -> GoogleBusinessConnector:
    values: dict[str, Any] = {
        "base_url": platform.url,
        "token_url": f"{platform.url}{TOKEN}",
        "account_id": "accounts/1122334455",
        "location_ids": ["9988776655"],
        "client_id": "123-abc.apps.googleusercontent.com",
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
        **config,
    }
    return GoogleBusinessConnector(GoogleBusinessConfig(**values))


def review(platform: FakePlatform) -> MentionIn:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, json=load("reviews_page1.json"))
    return connector(platform).fetch({}).items[0]


def test_test_connection_counts_the_reviews_of_each_location(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, json=load("reviews_page1.json"))
    platform.add("GET", LYON, json=load("reviews_other_location.json"))
    description = connector(platform, location_ids=["9988776655", "locations/5544332211"]).test_connection()
    assert description == "compte 1122334455 : 2 établissement(s), 230 avis"
    refresh = platform.requests_to("POST", TOKEN)[0].form()
    assert refresh["grant_type"] == "refresh_token"
    assert refresh["refresh_token"] == REFRESH_TOKEN
    assert platform.requests_to("GET", PARIS)[0].headers["authorization"] == "Bearer ya29.a0AfB_byFAKEaccess"


def test_reviews_are_read_across_pages_and_locations(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, json=load("reviews_page1.json"))
    platform.add(
        "GET", PARIS, json=load("reviews_page2.json"), query={"pageToken": "ChAKDgoJdXBkYXRlVGltZRIB"}
    )
    platform.add("GET", LYON, json=load("reviews_other_location.json"))
    source = connector(platform, location_ids=["9988776655", "5544332211"])

    pages = []
    cursor: dict[str, Any] = {}
    for _ in range(3):
        page = source.fetch(cursor)
        pages.append(page)
        cursor = page.next_cursor
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert [p.has_more for p in pages] == [True, True, False]
    assert pages[2].items[0].external_id == "accounts/1122334455/locations/5544332211/reviews/BJf0_Lyon1"
    assert cursor["location"] == 0
    assert cursor["since"] == {
        "9988776655": "2024-05-01T09:12:44.123456+00:00",
        "5544332211": "2024-05-03T18:30:00+00:00",
    }
    # Each review belongs to its own location, named as on Google.
    assert {item.place.external_id for item in pages[0].items if item.place} == {"9988776655"}
    assert pages[2].items[0].place is not None
    assert pages[2].items[0].place.store_code == "LYON-BELLECOUR"
    # The locations were listed once, at the start of the round.
    assert len(platform.requests_to("GET", LOCATIONS)) == 1
    calls = platform.requests_to("GET", PARIS)
    assert calls[0].param("pageSize") == "50"
    assert calls[0].param("orderBy") == "updateTime desc"
    assert calls[1].param("pageToken") == "ChAKDgoJdXBkYXRlVGltZRIB"
    # One access token serves the whole run.
    assert len(platform.requests_to("POST", TOKEN)) == 1


def test_the_next_poll_stops_at_the_first_review_not_updated_since(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, json=load("reviews_page1.json"))
    page = connector(platform).fetch({"since": {"9988776655": "2024-04-30T00:00:00+00:00"}})
    assert [m.external_id.rsplit("/", 1)[1] for m in page.items] == ["AIe9_BGx7Q"]
    assert not page.has_more  # the next page token is not followed: the rest is known
    assert page.next_cursor["since"] == {"9988776655": "2024-05-01T09:12:44.123456+00:00"}


def test_an_empty_location_answers_an_empty_page(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, json=load("reviews_empty.json"))
    page = connector(platform).fetch({})
    assert page.items == []
    assert not page.has_more
    assert (page.next_cursor["location"], page.next_cursor["since"]) == (0, {})


def test_a_review_is_mapped_with_star_enum_reviewer_and_owner_reply(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, json=load("reviews_page1.json"))
    platform.add(
        "GET", PARIS, json=load("reviews_page2.json"), query={"pageToken": "ChAKDgoJdXBkYXRlVGltZRIB"}
    )
    source = connector(platform)
    first = source.fetch({})
    maria, anonymous = first.items
    translated, unrated = source.fetch(first.next_cursor).items

    assert maria.kind == "review"
    assert maria.rating == Decimal(4)
    assert maria.rating_raw == "FOUR"
    assert maria.text == "Friendly staff, the wait was a bit long."
    assert maria.created_at == datetime(2024, 5, 1, 9, 12, 44, 123456, tzinfo=UTC)
    assert maria.author is not None
    assert maria.author.display_name == "Maria Lopez"
    assert maria.owner_reply_text == "Thanks Maria, we're adding staff at lunch."
    assert maria.owner_reply_at == datetime(2024, 5, 2, 8, 0, 3, 512000, tzinfo=UTC)
    assert maria.raw["reviewer"]["profilePhotoUrl"].startswith("https://lh3")

    assert anonymous.text == ""  # rating-only reviews have no comment at all
    assert anonymous.rating == Decimal(5)
    assert anonymous.author is not None
    assert anonymous.author.external_id == "review:AIe9_Zk2Pp"  # no reviewer id at Google

    assert translated.text == "Comida fría"  # the original, not Google's translation
    assert translated.created_at == datetime(2024, 4, 20, 12, 0, 0, 123456, tzinfo=UTC)
    # No permalink per review: the location's reviews on Google (its place id from discovery).
    assert translated.url == "https://search.google.com/local/reviews?placeid=ChIJLU7jZClu5kcR4PcOOO6p3I0"
    assert unrated.rating is None
    assert unrated.rating_raw == "STAR_RATING_UNSPECIFIED"


def test_a_reply_is_put_on_the_review(platform: FakePlatform) -> None:
    mention = review(platform)
    platform.add("PUT", REPLY, json=load("reply.json"))
    result = connector(platform).publish_reply(mention, "Thank you!", idempotency_key="k")
    assert result.external_id == REPLY.removeprefix("/v4/")
    assert result.raw == {"comment": "Thank you!", "updateTime": "2024-05-02T08:00:03.512Z"}
    assert platform.requests_to("PUT", REPLY)[0].json() == {"comment": "Thank you!"}


def test_a_reply_is_deleted_and_an_absent_one_is_not_an_error(platform: FakePlatform) -> None:
    mention = review(platform)
    platform.add("DELETE", REPLY, json={})
    platform.add(
        "DELETE",
        REPLY,
        status=404,
        json={"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}},
    )
    source = connector(platform)
    source.delete_reply(mention, "x")
    source.delete_reply(mention, "x")
    assert len(platform.requests_to("DELETE", REPLY)) == 2


def test_a_reply_over_4096_bytes_is_refused_before_sending(platform: FakePlatform) -> None:
    mention = review(platform)
    with pytest.raises(ConnectorError, match="4096 bytes") as caught:
        connector(platform).publish_reply(mention, "é" * 2049, idempotency_key="k")
    assert caught.value.permanent
    assert platform.requests_to("PUT", REPLY) == []


def test_a_refused_reply_is_permanent_and_carries_the_platform_message(platform: FakePlatform) -> None:
    mention = review(platform)
    platform.add("PUT", REPLY, status=400, json=load("error_reply_refused.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).publish_reply(mention, "...", idempotency_key="k")
    assert caught.value.permanent
    assert not caught.value.needs_reauth
    assert caught.value.message == (
        "Google HTTP 400: FAILED_PRECONDITION: The reply violates the policy: it contains prohibited content."
    )


def test_an_expired_access_token_is_refreshed_once(platform: FakePlatform) -> None:
    expires = (datetime.now(tz=UTC) + timedelta(minutes=30)).isoformat()
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, status=401, json=load("error_unauthenticated.json"))
    platform.add("GET", PARIS, json=load("reviews_empty.json"))
    source = connector(platform, access_token="ya29.stored-SECRET", access_token_expires_at=expires)
    assert source.fetch({}).items == []
    calls = platform.requests_to("GET", PARIS)
    assert calls[0].headers["authorization"] == "Bearer ya29.stored-SECRET"
    assert calls[1].headers["authorization"] == "Bearer ya29.a0AfB_byFAKEaccess"
    assert len(platform.requests_to("POST", TOKEN)) == 1


def test_a_revoked_refresh_token_asks_for_reauthorisation_without_leaking_it(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, status=400, json=load("error_invalid_grant.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.needs_reauth
    assert caught.value.message == "Google HTTP 400: invalid_grant: Token has been expired or revoked."
    for secret in (REFRESH_TOKEN, CLIENT_SECRET):
        assert secret not in str(caught.value)


def test_a_token_refused_after_a_refresh_asks_for_reauthorisation(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, status=401, json=load("error_unauthenticated.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert caught.value.needs_reauth
    assert "UNAUTHENTICATED" in caught.value.message
    assert len(platform.requests_to("POST", TOKEN)) == 2


def test_a_source_never_connected_asks_for_authorisation_without_calling_google(
    platform: FakePlatform,
) -> None:
    with pytest.raises(ConnectorError, match="not connected") as caught:
        connector(platform, refresh_token="").fetch({})
    assert caught.value.needs_reauth
    assert platform.requests == []


def test_429_resource_exhausted_is_rate_limited(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add(
        "GET", PARIS, status=429, json=load("error_resource_exhausted.json"), headers={"Retry-After": "30"}
    )
    with pytest.raises(RateLimited) as caught:
        connector(platform).fetch({})
    assert caught.value.retry_after == 30
    assert "RESOURCE_EXHAUSTED" in caught.value.message


def test_429_without_retry_after_waits_a_minute(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, status=429, json=load("error_resource_exhausted.json"))
    with pytest.raises(RateLimited) as caught:
        connector(platform).fetch({})
    assert caught.value.retry_after == 60


def test_a_server_error_is_temporary(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, status=503, json=load("error_unavailable.json"))
    with pytest.raises(ConnectorError) as caught:
        connector(platform).fetch({})
    assert not caught.value.permanent
    assert "UNAVAILABLE" in caught.value.message


def test_a_body_that_is_not_json_is_reported_clearly(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add(
        "GET", PARIS, body="<!DOCTYPE html><title>Error 502</title>", headers={"Content-Type": "text/html"}
    )
    with pytest.raises(ConnectorError, match="not valid JSON"):
        connector(platform).fetch({})


def test_the_oauth_consent_url_asks_for_offline_access(platform: FakePlatform) -> None:
    url = connector(platform).authorization_url("https://vigie.example/sources/google/callback/", "st4te")
    assert url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert "access_type=offline" in url
    assert "prompt=consent" in url
    assert "scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fbusiness.manage" in url
    assert "state=st4te" in url


def test_an_authorisation_code_is_exchanged_for_a_refresh_token(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token_with_refresh.json"))
    refresh = connector(platform, refresh_token="").exchange_code("4/0Adeu5B", "https://vigie.example/cb/")
    assert refresh == "1//0gFAKErefresh-new"
    form = platform.requests_to("POST", TOKEN)[0].form()
    assert form["grant_type"] == "authorization_code"
    assert form["code"] == "4/0Adeu5B"
    assert form["redirect_uri"] == "https://vigie.example/cb/"


def test_the_config_normalises_ids_and_marks_secrets() -> None:
    config = GoogleBusinessConfig(
        account_id="accounts/1",
        location_ids=["locations/2", "accounts/1/locations/3", "2"],
        client_id="c",
        client_secret="s",
    )
    assert (config.account_id, config.location_ids) == ("1", ["2", "3"])
    # No location chosen: every location of the account.
    assert GoogleBusinessConfig(account_id="1", client_id="c").location_ids == []
    with pytest.raises(ValidationError):
        GoogleBusinessConfig(account_id="1", location_ids=["accounts/1/other/2"], client_id="c")
    properties = GoogleBusinessConfig.model_json_schema()["properties"]
    assert {name for name, field in properties.items() if field.get("secret")} == {
        "client_secret",
        "refresh_token",
        "access_token",
    }


def test_test_connection_speaks_english_to_an_english_reader(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, json=load("reviews_page1.json"))
    platform.add("GET", LYON, json=load("reviews_other_location.json"))
    with translation.override("en"):
        description = connector(
            platform, location_ids=["9988776655", "locations/5544332211"]
        ).test_connection()
    assert description == "account 1122334455: 2 location(s), 230 reviews"


def test_a_page_token_that_comes_back_unchanged_ends_the_location(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, json=load("reviews_page1.json"))
    # The next page names the token it was asked with: it would be read again at every call.
    platform.add(
        "GET", PARIS, json=load("reviews_page1.json"), query={"pageToken": "ChAKDgoJdXBkYXRlVGltZRIB"}
    )
    source = connector(platform)
    first = source.fetch({})
    second = source.fetch(first.next_cursor)
    assert first.has_more
    assert not second.has_more
    assert "page_token" not in second.next_cursor
    assert second.next_cursor["since"]["9988776655"]


def test_a_full_reading_whose_token_loops_claims_no_completeness(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json=load("token.json"))
    platform.add("GET", PARIS, json=load("reviews_page1.json"))
    platform.add(
        "GET", PARIS, json=load("reviews_page1.json"), query={"pageToken": "ChAKDgoJdXBkYXRlVGltZRIB"}
    )
    long_ago = (datetime.now(tz=UTC) - timedelta(days=3)).isoformat()
    page = connector(platform).fetch({"reconciled": {"9988776655": long_ago}, "places": {"9988776655": {}}})
    # Reviews missing from a listing that loops are not deleted reviews.
    assert page.complete_ids is None
    assert page.items
