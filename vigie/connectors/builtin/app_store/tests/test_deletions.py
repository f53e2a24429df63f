"""A review removed from the App Store (by its author, or by Apple) is marked deleted in Vigie."""

from __future__ import annotations

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.app_store.tests.conftest import load
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

APP = "1234567890"
REVIEWS = f"/v1/apps/{APP}/customerReviews"
CURSOR = "Mg.AI9pbmE"


def source_for(tenant: Tenant, platform: FakePlatform, p8: str) -> Source:
    return do_create_source(
        tenant.organisation,
        platform="app_store",
        name="Appli iOS",
        config={
            "base_url": platform.url,
            "app_id": APP,
            "issuer_id": "57246542-96fe-1a63-e053-0824d011072a",
            "key_id": "2X9R4HXF34",
            "private_key": p8,
        },
    )


def test_a_removed_review_is_marked_deleted_and_a_review_of_another_page_is_not(
    tenant: Tenant, platform: FakePlatform, p8: str
) -> None:
    first, second = load("reviews_page1.json"), load("reviews_page2.json")
    platform.add("GET", REVIEWS, json=first)
    platform.add("GET", REVIEWS, json=second, query={"cursor": CURSOR})
    source = source_for(tenant, platform, p8)
    assert do_fetch_source(source).counts.new == 3
    stored = Mention.objects.filter(source=source)
    # The first page covers only its own span: the older review on page 2 is not "missing" there.
    assert not stored.filter(deleted_at__isnull=False).exists()

    # The newest review is removed: the next poll's first page starts with the second one.
    newest, second_newest = first["data"]
    page = {**first, "data": [second_newest], "links": {"self": first["links"]["self"]}}
    platform.add("GET", REVIEWS, json=page)
    do_fetch_source(source)
    gone = stored.get(external_id=newest["id"])
    assert gone.deleted_at is not None
    assert gone.text == newest["attributes"]["body"]  # kept as last read
    assert stored.filter(deleted_at__isnull=True).count() == 2

    # Listed again (Apple restores a review it had hidden): shown again.
    platform.add("GET", REVIEWS, json={**first, "links": {"self": first["links"]["self"]}})
    do_fetch_source(source)
    assert not stored.filter(deleted_at__isnull=False).exists()


def test_an_empty_answer_marks_nothing_deleted(tenant: Tenant, platform: FakePlatform, p8: str) -> None:
    first, second = load("reviews_page1.json"), load("reviews_page2.json")
    platform.add("GET", REVIEWS, json=first)
    platform.add("GET", REVIEWS, json=second, query={"cursor": CURSOR})
    source = source_for(tenant, platform, p8)
    do_fetch_source(source)
    platform.add("GET", REVIEWS, json={"data": [], "included": [], "links": {"self": first["links"]["self"]}})
    do_fetch_source(source)
    assert not Mention.objects.filter(source=source, deleted_at__isnull=False).exists()
