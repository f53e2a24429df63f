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


def test_a_review_deleted_on_trustpilot_is_marked_deleted_and_one_on_another_page_is_not(
    tenant: Tenant, platform: FakePlatform
) -> None:
    """Trustpilot never says a review was deleted: it stops listing it. The listing of a later poll
    proves it gone, within the span of creation times each page covers."""
    first, second = load("reviews_page1.json"), load("reviews_page2.json")
    platform.add("GET", REVIEWS, json=first, query={"page": "1"})
    platform.add("GET", REVIEWS, json=second, query={"page": "2"})
    source = source_for(tenant, platform)
    do_fetch_source(source)
    stored = Mention.objects.filter(source=source)
    assert stored.count() == 3
    assert not stored.filter(deleted_at__isnull=False).exists()

    # The customer deletes the newest review: the next poll lists the two others on one page.
    newest, middle = first["reviews"]
    oldest = second["reviews"][0]
    platform.add("GET", REVIEWS, json={"links": [], "reviews": [middle, oldest]}, query={"page": "1"})
    report = do_fetch_source(source)
    assert report.counts.new == 0
    gone = stored.get(external_id=newest["id"])
    assert gone.deleted_at is not None
    assert gone.text  # kept as it was, never erased
    assert set(stored.filter(deleted_at__isnull=True).values_list("external_id", flat=True)) == {
        middle["id"],
        oldest["id"],
    }
    # It comes back (a report rejected, a review restored): it is shown again.
    platform.add("GET", REVIEWS, json={"links": [], "reviews": [newest, middle, oldest]}, query={"page": "1"})
    do_fetch_source(source)
    assert not stored.filter(deleted_at__isnull=False).exists()


def test_a_deleted_review_between_two_listed_ones_is_marked_and_an_empty_page_marks_nothing(
    tenant: Tenant, platform: FakePlatform
) -> None:
    first, second = load("reviews_page1.json"), load("reviews_page2.json")
    platform.add("GET", REVIEWS, json=first, query={"page": "1"})
    platform.add("GET", REVIEWS, json=second, query={"page": "2"})
    source = source_for(tenant, platform)
    do_fetch_source(source)
    stored = Mention.objects.filter(source=source)

    # An empty answer (a glitch, a filter on Trustpilot's side) is no proof of anything.
    platform.add("GET", REVIEWS, json=load("reviews_empty.json"), query={"page": "1"})
    do_fetch_source(source)
    assert not stored.filter(deleted_at__isnull=False).exists()

    newest, middle = first["reviews"]
    oldest = second["reviews"][0]
    platform.add("GET", REVIEWS, json={"links": [], "reviews": [newest, oldest]}, query={"page": "1"})
    do_fetch_source(source)
    assert list(stored.filter(deleted_at__isnull=False).values_list("external_id", flat=True)) == [
        middle["id"]
    ]
