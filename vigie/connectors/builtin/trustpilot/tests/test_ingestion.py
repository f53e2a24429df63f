"""Trustpilot through the framework's fetch run: every page stored once, rate limits honoured."""

from __future__ import annotations

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.trustpilot.tests.conftest import load
from vigie.connectors.models import SourceState
from vigie.connectors.testing import FakePlatform
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

BU = "507f191e810c19729de860ea"
REVIEWS = f"/v1/business-units/{BU}/reviews"


def source_for(tenant: Tenant, platform: FakePlatform):  # type: ignore[no-untyped-def]
    return do_create_source(
        tenant.organisation,
        platform="trustpilot",
        name="Trustpilot",
        config={"base_url": platform.url, "api_key": "tp-key", "business_unit_id": BU, "per_page": 2},
    )


def test_a_fetch_run_reads_every_page_and_stores_each_review_once(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("GET", REVIEWS, json=load("reviews_page1.json"), query={"page": "1"})
    platform.add("GET", REVIEWS, json=load("reviews_page2.json"), query={"page": "2"})
    source = source_for(tenant, platform)
    report = do_fetch_source(source)
    assert (report.counts.new, report.pages) == (3, 2)
    assert do_fetch_source(source).counts.new == 0
    mentions = Mention.objects.filter(source=source)
    assert mentions.count() == 3
    assert sorted(str(m.rating) for m in mentions) == ["1.00", "2.00", "5.00"]


def test_a_rate_limit_is_recorded_on_the_source(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add(
        "GET", REVIEWS, status=429, json={"message": "Too Many Requests"}, headers={"Retry-After": "600"}
    )
    source = source_for(tenant, platform)
    do_fetch_source(source)
    source.refresh_from_db()
    assert source.state == SourceState.FAILING
    assert source.rate_limited_until is not None
    assert source.last_error_at is not None
    assert round((source.rate_limited_until - source.last_error_at).total_seconds()) == 600
