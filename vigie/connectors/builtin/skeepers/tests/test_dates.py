"""Skeepers writes its dates without an offset, in local time: they are read in the source's
timezone, daylight saving time included (the day clocks go forward is the test)."""

from __future__ import annotations

from typing import Any

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.testing import FakePlatform
from vigie.core.actions import do_create_location
from vigie.core.models import Location
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

TOKEN = "/realms/skeepers/protocol/openid-connect/token"
PRODUCTS = "/verified-reviews/v1/published/products/reviews"
BRANDS = "/verified-reviews/v1/published/brands/reviews"
WEBSITE = "2c7f8a1e-5b3d-4e9f-8a6b-1c2d3e4f5a6b"


def review(review_id: str, published: str, answered: str = "") -> dict[str, Any]:
    """A site review as the Published API sends it, dates written the way Skeepers writes them."""
    comments = [{"origin": "merchant", "content": "Merci pour votre avis.", "comment_date": answered}]
    return {
        "review_id": review_id,
        "review_rate": 4,
        "review_content": "Livraison rapide.",
        "publish_date": published,
        "language": "fr",
        "customer": {"first_name": "Marie", "last_name": "D."},
        "comments": comments if answered else [],
    }


def script(platform: FakePlatform) -> None:
    platform.add("POST", TOKEN, json={"access_token": "tok", "expires_in": 300, "token_type": "Bearer"})
    platform.add("GET", PRODUCTS, json=[])
    platform.add(
        "GET",
        BRANDS,
        json=[
            # Paris went from UTC+1 to UTC+2 at 02:00 on Sunday 29 March 2026.
            review("after-dst", "2026-03-29 10:15:00", answered="2026-03-30 09:00:00"),
            review("before-dst", "2026-03-28 10:15:00"),
            review("with-offset", "2026-03-27T10:15:00+01:00"),
        ],
    )


def source_in(tenant: Tenant, platform: FakePlatform, name: str, location: Location | None = None) -> Any:
    config = {"base_url": platform.url, "client_id": "c", "client_secret": "s", "website_id": WEBSITE}
    return do_create_source(
        tenant.organisation, platform="skeepers", name=name, config=config, location=location
    )


def test_dates_without_offset_are_paris_time_across_the_change_to_summer_time(
    tenant: Tenant, platform: FakePlatform
) -> None:
    script(platform)
    assert tenant.organisation.timezone == "Europe/Paris"
    source = source_in(tenant, platform, "Avis Vérifiés")
    do_fetch_source(source)
    times = {m.external_id: m for m in Mention.objects.filter(source=source)}
    assert times["after-dst"].created_at.isoformat() == "2026-03-29T08:15:00+00:00"
    assert times["before-dst"].created_at.isoformat() == "2026-03-28T09:15:00+00:00"
    assert times["with-offset"].created_at.isoformat() == "2026-03-27T09:15:00+00:00"
    assert times["after-dst"].owner_reply_at is not None
    assert times["after-dst"].owner_reply_at.isoformat() == "2026-03-30T07:00:00+00:00"


def test_a_source_of_a_location_reads_them_in_the_locations_timezone(
    tenant: Tenant, platform: FakePlatform
) -> None:
    script(platform)
    reunion = do_create_location(tenant.organisation, "Boutique Saint-Denis", timezone_name="Indian/Reunion")
    source = source_in(tenant, platform, "Avis Vérifiés Réunion", location=reunion)
    do_fetch_source(source)
    times = {m.external_id: m.created_at.isoformat() for m in Mention.objects.filter(source=source)}
    # La Réunion is UTC+4 all year round; a date written with its offset is read as written.
    assert times == {
        "after-dst": "2026-03-29T06:15:00+00:00",
        "before-dst": "2026-03-28T06:15:00+00:00",
        "with-offset": "2026-03-27T09:15:00+00:00",
    }
