"""Google Business Profile through the framework's fetch run."""

from __future__ import annotations

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.google_business.tests.conftest import load
from vigie.connectors.models import Source, SourceState
from vigie.connectors.testing import FakePlatform
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

PARIS = "/v4/accounts/1122334455/locations/9988776655/reviews"


def source_for(tenant: Tenant, platform: FakePlatform, refresh_token: str = "1//refresh-SECRET") -> Source:
    return do_create_source(
        tenant.organisation,
        platform="google_business",
        name="Avis Google",
        config={
            "base_url": platform.url,
            "token_url": f"{platform.url}/token",
            "account_id": "1122334455",
            "location_ids": ["9988776655"],
            "client_id": "client",
            "client_secret": "GOCSPX-SECRET",
            "refresh_token": refresh_token,
        },
    )


def test_a_fetch_run_stores_reviews_once_and_an_edit_updates_them(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", "/token", json=load("token.json"))
    page = load("reviews_page1.json")
    del page["nextPageToken"]
    platform.add("GET", PARIS, json=page)
    source = source_for(tenant, platform)
    assert do_fetch_source(source).counts.new == 2

    edited = load("reviews_page1.json")
    del edited["nextPageToken"]
    edited["reviews"][0].update(
        comment="Friendly staff, and now quick too.", updateTime="2024-06-01T10:00:00Z"
    )
    platform.add("GET", PARIS, json=edited)
    report = do_fetch_source(source)
    assert (report.counts.new, report.counts.updated) == (0, 1)
    maria = Mention.objects.get(source=source, external_id__endswith="/AIe9_BGx7Q")
    assert maria.text == "Friendly staff, and now quick too."
    assert Mention.objects.filter(source=source).count() == 2


def test_a_source_never_connected_needs_authorisation(tenant: Tenant, platform: FakePlatform) -> None:
    source = source_for(tenant, platform, refresh_token="")
    do_fetch_source(source)
    source.refresh_from_db()
    assert source.state == SourceState.NEEDS_REAUTH
    assert "not connected" in source.last_error
    assert platform.requests == []
