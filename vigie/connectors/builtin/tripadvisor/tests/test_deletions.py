"""A Tripadvisor review removed (by its author, or by Tripadvisor's moderation) is marked deleted:
the Content API lists the five most recent reviews, so one published after the oldest of them
and missing was deleted; one older simply fell out of the five."""

from __future__ import annotations

import copy
from typing import Any

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source, do_update_source
from vigie.connectors.builtin.tripadvisor.tests.conftest import load
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

REVIEWS = "/api/v1/location/1234567/reviews"


def review(review_id: int, published: str, title: str) -> dict[str, Any]:
    """A review as the Content API sends it (the fixture's second review, re-dated)."""
    shape = copy.deepcopy(load("reviews.json")["data"][1])
    return {**shape, "id": review_id, "published_date": published, "title": title}


def listing(*reviews: dict[str, Any]) -> dict[str, Any]:
    return {"data": list(reviews)}


OLD = review(930000001, "2024-01-10T10:00:00Z", "Séjour de janvier")
MIDDLE = review(940000002, "2024-02-10T10:00:00Z", "Séjour de février")
RECENT = review(950000003, "2024-03-10T10:00:00Z", "Séjour de mars")
NEWEST = review(960000004, "2024-03-20T10:00:00Z", "Séjour de fin mars")
NEWER = review(970000005, "2024-04-01T10:00:00Z", "Séjour d'avril")


def source_for(tenant: Tenant, platform: FakePlatform) -> Source:
    config = {"base_url": platform.url, "api_key": "ta-key", "location_id": "1234567", "language": "fr"}
    return do_create_source(tenant.organisation, platform="tripadvisor", name="Tripadvisor", config=config)


def deleted(source: Source) -> set[str]:
    return set(
        Mention.objects.filter(source=source, deleted_at__isnull=False).values_list("external_id", flat=True)
    )


def test_a_review_missing_from_the_five_most_recent_is_deleted_and_one_older_is_not(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("GET", REVIEWS, json=listing(NEWEST, RECENT, MIDDLE, OLD))
    source = source_for(tenant, platform)
    assert do_fetch_source(source).counts.new == 4

    # A new review pushes the oldest out of the listing (five at most, here four shown), and the
    # review of mid-March was removed by its author: only that one is deleted.
    platform.add("GET", REVIEWS, json=listing(NEWER, NEWEST, MIDDLE))
    do_fetch_source(source)
    assert deleted(source) == {"950000003"}
    gone = Mention.objects.get(source=source, external_id="950000003")
    assert gone.title == "Séjour de mars"  # kept as last read

    # Tripadvisor puts it back after moderation: shown again.
    platform.add("GET", REVIEWS, json=listing(NEWER, NEWEST, RECENT, MIDDLE))
    do_fetch_source(source)
    assert deleted(source) == set()


def test_the_newest_review_removed_is_deleted_too(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=listing(NEWEST, RECENT, MIDDLE))
    source = source_for(tenant, platform)
    do_fetch_source(source)
    platform.add("GET", REVIEWS, json=listing(RECENT, MIDDLE))
    do_fetch_source(source)
    assert deleted(source) == {"960000004"}


def test_an_empty_answer_marks_nothing(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=listing(NEWEST, RECENT))
    source = source_for(tenant, platform)
    do_fetch_source(source)
    platform.add("GET", REVIEWS, json={"data": []})
    do_fetch_source(source)
    assert deleted(source) == set()


def test_after_a_change_of_language_the_listing_marks_nothing(tenant: Tenant, platform: FakePlatform) -> None:
    platform.add("GET", REVIEWS, json=listing(NEWEST, RECENT))
    source = source_for(tenant, platform)
    do_fetch_source(source)
    # Now read in English: the French reviews stored are not in an English listing.
    english = review(980000006, "2024-03-25T10:00:00Z", "Great stay")
    platform.add("GET", REVIEWS, json=listing(english, RECENT))
    do_update_source(source, config={**source.config, "language": "en"})
    do_fetch_source(Source.objects.get(pk=source.pk))
    assert deleted(source) == set()
