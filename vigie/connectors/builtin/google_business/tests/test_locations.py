"""One Google source, several locations: discovery, each review under its own location, the
per-location KPIs, authors, deleted reviews, the command line and the source form."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vigie.conftest import Tenant
from vigie.connectors.actions import build_connector, do_create_source
from vigie.connectors.builtin.google_business.connector import GoogleBusinessConfig, GoogleBusinessConnector
from vigie.connectors.builtin.google_business.tests.conftest import LOCATIONS, load
from vigie.connectors.contract import ConnectorError, RateLimited
from vigie.connectors.models import Source, SourcePlace
from vigie.connectors.testing import FakePlatform
from vigie.core.actions import do_create_location
from vigie.core.models import Location
from vigie.core.periods import period_between
from vigie.insights.queries.breakdowns import kpi_breakdown, location_split
from vigie.mentions.actions import do_ingest_page
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Author, Mention

PARIS = "/v4/accounts/1122334455/locations/9988776655/reviews"
LYON = "/v4/accounts/1122334455/locations/5544332211/reviews"
PARIS_REVIEWS = "https://search.google.com/local/reviews?placeid=ChIJLU7jZClu5kcR4PcOOO6p3I0"


def last_page(name: str) -> Any:
    page = load(name)
    page.pop("nextPageToken", None)
    return page


def google_source(tenant: Tenant, platform: FakePlatform, name: str = "Avis Google", **config: Any) -> Source:
    return do_create_source(
        tenant.organisation,
        platform="google_business",
        name=name,
        config={
            "base_url": platform.url,
            "token_url": f"{platform.url}/token",
            "account_id": "1122334455",
            "client_id": "123-abc.apps.googleusercontent.com",
            "client_secret": "GOCSPX-SECRET",
            "refresh_token": "1//refresh-SECRET",
            **config,
        },
    )


def both_locations(platform: FakePlatform, lyon: str = "reviews_other_location.json") -> None:
    platform.add("POST", "/token", json=load("token.json"))
    platform.add("GET", PARIS, json=last_page("reviews_page1.json"))
    platform.add("GET", LYON, json=last_page(lyon))


# --- discovery -----------------------------------------------------------------------------------


def test_the_accounts_locations_are_listed_page_by_page(platform: FakePlatform) -> None:
    with FakePlatform() as google:
        first = load("locations.json")
        second = {"locations": [first["locations"].pop()]}
        first["nextPageToken"] = "CiAKGjB4NDc1NjZkNjc"
        google.add("POST", "/token", json=load("token.json"))
        google.add("GET", LOCATIONS, json=first)
        google.add("GET", LOCATIONS, json=second, query={"pageToken": "CiAKGjB4NDc1NjZkNjc"})
        connector = GoogleBusinessConnector(
            GoogleBusinessConfig(
                base_url=google.url,
                token_url=f"{google.url}/token",
                account_id="accounts/1122334455",
                client_id="c",
                client_secret="s",
                refresh_token="r",
            )
        )
        places = connector.list_places()
        calls = google.requests_to("GET", LOCATIONS)
    assert [(p.external_id, p.name, p.store_code) for p in places] == [
        ("9988776655", "Boulangerie Dupont", "PAR-OPERA"),
        ("5544332211", "Boulangerie Dupont", "LYON-BELLECOUR"),
    ]
    assert (places[0].address, places[0].postcode, places[0].city) == ("12 Av. de l'Opéra", "75009", "Paris")
    assert calls[0].param("readMask") == "name,title,storeCode,storefrontAddress,metadata"
    assert calls[0].param("pageSize") == "100"
    assert calls[1].param("pageToken") == "CiAKGjB4NDc1NjZkNjc"
    assert calls[0].headers["authorization"] == "Bearer ya29.a0AfB_byFAKEaccess"


def test_no_location_chosen_reads_every_location_of_the_account(platform: FakePlatform) -> None:
    both_locations(platform)
    connector = GoogleBusinessConnector(
        GoogleBusinessConfig(
            base_url=platform.url,
            token_url=f"{platform.url}/token",
            account_id="1122334455",
            client_id="c",
            client_secret="s",
            refresh_token="r",
        )
    )
    paris = connector.fetch({})
    lyon = connector.fetch(paris.next_cursor)
    assert paris.has_more
    assert not lyon.has_more
    assert [item.place.external_id for item in paris.items + lyon.items if item.place] == [
        "9988776655",
        "9988776655",
        "5544332211",
    ]
    # Google has no per-review permalink: Paris' reviews open by its place id, Lyon (no place id
    # in its metadata) on Maps.
    assert {item.url for item in paris.items} == {PARIS_REVIEWS}
    assert lyon.items[0].url == "https://maps.google.com/maps?cid=3720919034458349870"
    assert connector.test_connection() == "compte 1122334455 : 2 établissement(s), 230 avis"


def test_a_reply_edit_is_a_put_that_replaces_never_a_second_reply(platform: FakePlatform) -> None:
    reply = "/v4/accounts/1122334455/locations/9988776655/reviews/AIe9_BGx7Q/reply"
    both_locations(platform)
    platform.add("PUT", reply, json=load("reply.json"))
    connector = GoogleBusinessConnector(
        GoogleBusinessConfig(
            base_url=platform.url,
            token_url=f"{platform.url}/token",
            account_id="1122334455",
            client_id="c",
            client_secret="s",
            refresh_token="r",
        )
    )
    review = connector.fetch({}).items[0]
    connector.publish_reply(review, "Merci !", idempotency_key="a")
    connector.publish_reply(review, "Merci Maria !", idempotency_key="b")
    assert [r.json() for r in platform.requests_to("PUT", reply)] == [
        {"comment": "Merci !"},
        {"comment": "Merci Maria !"},
    ]
    assert [r for r in platform.requests if r.method in ("POST", "DELETE") and r.path != "/token"] == []
    assert GoogleBusinessConnector.facts().reply_replaces


# --- ingestion: each review under its own location -----------------------------------------------


def test_reviews_are_filed_under_the_location_matched_by_store_code_or_address(
    tenant: Tenant, platform: FakePlatform
) -> None:
    org = tenant.organisation
    head_office = do_create_location(org, "Siège")
    opera = do_create_location(org, "Paris Opéra", store_code="par-opera")
    bellecour = do_create_location(org, "Lyon Bellecour", address="3, place Bellecour", postcode="69 002")
    both_locations(platform)
    source = google_source(tenant, platform)
    Source.objects.filter(pk=source.pk).update(location=head_office)
    source.refresh_from_db()

    report = do_fetch_source(source)

    assert report.error == ""
    assert report.counts.new == 3
    by_location = {
        m.external_id.rsplit("/", 1)[1]: m.location_id for m in Mention.objects.filter(source=source)
    }
    assert by_location == {"AIe9_BGx7Q": opera.pk, "AIe9_Zk2Pp": opera.pk, "BJf0_Lyon1": bellecour.pk}
    assert Location.objects.filter(organisation=org).count() == 3  # nothing created
    assert dict(SourcePlace.objects.filter(source=source).values_list("external_id", "location_id")) == {
        "9988776655": opera.pk,
        "5544332211": bellecour.pk,
    }

    # The dashboard's numbers per location.
    period = period_between(org, date(2024, 4, 1), date(2024, 5, 31))
    split = {row.label: (row.volume, row.average_rating) for row in location_split(org, period)}
    assert split == {"Paris Opéra": (2, 4.5), "Lyon Bellecour": (1, 1.0)}
    reports = {label: report for _key, label, report in kpi_breakdown(org, period, None, "location")}
    assert set(reports) == {"Paris Opéra", "Lyon Bellecour"}
    assert (reports["Paris Opéra"].review_count, reports["Paris Opéra"].average_rating) == (2, 4.5)
    assert (reports["Lyon Bellecour"].review_count, reports["Lyon Bellecour"].average_rating) == (1, 1.0)


def test_a_place_seen_first_becomes_a_location_named_as_on_google(
    tenant: Tenant, platform: FakePlatform
) -> None:
    both_locations(platform)
    source = google_source(tenant, platform)
    do_fetch_source(source)

    created = {loc.name: loc for loc in Location.objects.filter(organisation=tenant.organisation)}
    # Both shops are "Boulangerie Dupont" on Google: the second is told apart by its city.
    assert set(created) == {"Boulangerie Dupont", "Boulangerie Dupont (Lyon)"}
    lyon = created["Boulangerie Dupont (Lyon)"]
    assert (lyon.store_code, lyon.address, lyon.postcode, lyon.city) == (
        "LYON-BELLECOUR",
        "3 Place Bellecour",
        "69002",
        "Lyon",
    )
    assert Mention.objects.get(external_id__endswith="/BJf0_Lyon1").location == lyon

    # Read again: the mapping holds, nothing more is created.
    both_locations(platform)
    Source.objects.filter(pk=source.pk).update(cursor={})
    source.refresh_from_db()
    do_fetch_source(source)
    assert Location.objects.filter(organisation=tenant.organisation).count() == 2


def test_a_batch_resolves_its_places_in_one_query(tenant: Tenant, platform: FakePlatform) -> None:
    both_locations(platform)
    source = google_source(tenant, platform)
    do_fetch_source(source)
    connector = build_connector(source)
    both_locations(platform)
    items = [*connector.fetch({}).items]
    items += connector.fetch({"location": 1, "places": {}}).items
    assert {item.place.external_id for item in items if item.place} == {"9988776655", "5544332211"}
    with CaptureQueriesContext(connection) as queries:
        do_ingest_page(source, page_of(items), advance_cursor=False)
    place_queries = [q["sql"] for q in queries if "connectors_sourceplace" in q["sql"]]
    assert len(place_queries) == 1
    assert not [q for q in queries if "core_location" in q["sql"]]


def page_of(items: list[Any]) -> Any:
    from vigie.connectors.contract import Page

    return Page(items=items, next_cursor={})


def test_items_without_a_place_keep_the_sources_location(tenant: Tenant) -> None:
    from vigie.connectors.contract import MentionIn, Page

    shop = do_create_location(tenant.organisation, "Boutique")
    source = do_create_source(
        tenant.organisation, platform="webhook", name="Hook", config={"secret": "x" * 32}, location=shop
    )
    item = MentionIn(external_id="1", kind="post", created_at=datetime(2024, 5, 1, tzinfo=UTC), text="hi")
    do_ingest_page(source, Page(items=[item], next_cursor={}), advance_cursor=False)
    assert Mention.objects.get(source=source).location == shop


def test_two_reviewers_both_named_marie_d_stay_two_authors(tenant: Tenant, platform: FakePlatform) -> None:
    both_locations(platform, lyon="reviews_two_maries.json")
    source = google_source(tenant, platform)
    do_fetch_source(source)
    maries = Author.objects.filter(organisation=tenant.organisation, display_name="Marie D.")
    assert maries.count() == 2
    assert {a.external_id for a in maries} == {"review:AbFvOqn_Marie1", "review:AbFvOqn_Marie2"}
    ratings = sorted(int(m.rating or 0) for a in maries for m in a.mentions.all())
    assert ratings == [2, 5]


# --- deleted reviews -----------------------------------------------------------------------------


def test_a_daily_reconciliation_marks_a_vanished_review_deleted_and_keeps_it(
    tenant: Tenant, platform: FakePlatform
) -> None:
    both_locations(platform)
    source = google_source(tenant, platform)
    do_fetch_source(source)
    assert Mention.objects.filter(source=source, deleted_at__isnull=True).count() == 3

    # A day later Google no longer lists the anonymous review of Paris.
    cursor = dict(source.cursor)
    yesterday = (datetime.now(tz=UTC) - timedelta(hours=25)).isoformat()
    cursor["reconciled"] = {"9988776655": yesterday, "5544332211": datetime.now(tz=UTC).isoformat()}
    Source.objects.filter(pk=source.pk).update(cursor=cursor)
    source.refresh_from_db()
    remaining = last_page("reviews_page1.json")
    remaining["reviews"] = remaining["reviews"][:1]
    platform.add("GET", PARIS, json=remaining)
    platform.add("GET", LYON, json=last_page("reviews_other_location.json"))
    before = len(platform.requests_to("GET", PARIS))
    do_fetch_source(source)

    gone = Mention.objects.get(source=source, external_id__endswith="/AIe9_Zk2Pp")
    assert gone.deleted_at is not None
    assert gone.rating == 5  # kept as it was, never erased
    assert Mention.objects.filter(source=source, deleted_at__isnull=True).count() == 2
    # Lyon was reconciled recently: its review is untouched.
    assert Mention.objects.get(external_id__endswith="/BJf0_Lyon1").deleted_at is None
    # The reconciliation read the whole listing (no "since" stop), then the usual incremental read.
    assert len(platform.requests_to("GET", PARIS)) - before == 2
    source.refresh_from_db()
    assert datetime.fromisoformat(source.cursor["reconciled"]["9988776655"]) > datetime.fromisoformat(
        yesterday
    )

    # Listed again at the next reconciliation (a review Google had hidden): restored.
    cursor = dict(source.cursor)
    cursor["reconciled"]["9988776655"] = yesterday
    Source.objects.filter(pk=source.pk).update(cursor=cursor)
    source.refresh_from_db()
    platform.add("GET", PARIS, json=last_page("reviews_page1.json"))
    do_fetch_source(source)
    gone.refresh_from_db()
    assert gone.deleted_at is None


def test_the_connector_declares_it_detects_deletions() -> None:
    from vigie.connectors.platforms import Capability, platform_facts

    assert platform_facts("google_business").can(Capability.DETECTS_DELETIONS)


# --- command line and source form ----------------------------------------------------------------


def test_source_locations_prints_every_location_and_its_vigie_location(
    tenant: Tenant, platform: FakePlatform
) -> None:
    do_create_location(tenant.organisation, "Paris Opéra", store_code="PAR-OPERA")
    platform.add("POST", "/token", json=load("token.json"))
    google_source(tenant, platform, location_ids=["5544332211"])
    out = io.StringIO()
    call_command("source", "locations", "--org", "acme", "--source", "Avis Google", stdout=out)
    lines = [line.split("\t") for line in out.getvalue().splitlines()]
    assert lines == [
        [
            "9988776655",
            "Boulangerie Dupont",
            "PAR-OPERA",
            "12 Av. de l'Opéra, 75009 Paris",
            "Paris Opéra (matched by store code or address)",
            "not read",
        ],
        [
            "5544332211",
            "Boulangerie Dupont",
            "LYON-BELLECOUR",
            "3 Place Bellecour, 69002 Lyon",
            "(new location at the first review)",
            "read",
        ],
    ]


def test_source_locations_of_an_unknown_or_other_organisations_source_fails(
    tenant: Tenant, other_tenant: Tenant, platform: FakePlatform
) -> None:
    from django.core.management.base import CommandError

    google_source(other_tenant, platform)
    with pytest.raises(CommandError, match="no source named 'Avis Google' in acme"):
        call_command("source", "locations", "--org", "acme", "--source", "Avis Google", stdout=io.StringIO())


def test_the_source_form_lists_the_discovered_locations_to_choose(
    tenant: Tenant, login: Any, platform: FakePlatform
) -> None:
    platform.add("POST", "/token", json=load("token.json"))
    source = google_source(tenant, platform)
    client = login(tenant.manager)
    page = client.get(f"/sources/{source.pk}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="checkbox" name="config-location_ids" value="9988776655"' in html
    assert "Boulangerie Dupont — LYON-BELLECOUR — 3 Place Bellecour, Lyon" in html

    form = {
        "source-name": "Avis Google",
        "config-account_id": "1122334455",
        "config-location_ids": ["5544332211"],
        "config-client_id": "123-abc.apps.googleusercontent.com",
        "config-token_url": f"{platform.url}/token",
        "config-auth_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "config-reconcile_hours": "24",
        "config-base_url": platform.url,
    }
    saved = client.post(f"/sources/{source.pk}/edit/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    source.refresh_from_db()
    assert source.config["location_ids"] == ["5544332211"]
    # The secrets left empty on the form are kept: the source still reaches Google.
    assert build_connector(source).list_places()


def test_another_organisations_google_source_form_is_not_found(
    tenant: Tenant, other_tenant: Tenant, login: Any, platform: FakePlatform
) -> None:
    source = google_source(other_tenant, platform)
    assert login(tenant.manager).get(f"/sources/{source.pk}/edit/").status_code == 404
    assert platform.requests == []  # nothing asked of Google on another tenant's behalf


def test_a_place_is_never_matched_to_another_organisations_location(
    tenant: Tenant, other_tenant: Tenant, platform: FakePlatform
) -> None:
    theirs = do_create_location(other_tenant.organisation, "Paris Opéra", store_code="PAR-OPERA")
    both_locations(platform)
    source = google_source(tenant, platform)
    do_fetch_source(source)
    filed = set(Mention.objects.filter(source=source).values_list("location__organisation_id", flat=True))
    assert filed == {tenant.organisation.pk}
    assert not Mention.objects.filter(location=theirs).exists()


def test_a_store_code_entered_on_the_settings_page_maps_the_google_location(
    tenant: Tenant, login: Any, platform: FakePlatform
) -> None:
    answer = login(tenant.admin).post(
        "/settings/locations/",
        {"name": "Lyon centre", "kind": "shop", "store_code": "LYON-BELLECOUR", "timezone": ""},
    )
    assert answer.status_code == 302
    lyon = Location.objects.get(organisation=tenant.organisation, name="Lyon centre")
    assert lyon.store_code == "LYON-BELLECOUR"
    both_locations(platform)
    do_fetch_source(google_source(tenant, platform))
    assert Mention.objects.get(external_id__endswith="/BJf0_Lyon1").location == lyon


def test_an_empty_listing_that_announces_reviews_deletes_nothing(platform: FakePlatform) -> None:
    platform.add("POST", "/token", json=load("token.json"))
    platform.add("GET", PARIS, json={"averageRating": 4.3, "totalReviewCount": 212})
    connector = GoogleBusinessConnector(
        GoogleBusinessConfig(
            base_url=platform.url,
            token_url=f"{platform.url}/token",
            account_id="1122334455",
            location_ids=["9988776655"],
            client_id="c",
            client_secret="s",
            refresh_token="r",
        )
    )
    day_ago = (datetime.now(tz=UTC) - timedelta(days=1)).isoformat()
    page = connector.fetch({"reconciled": {"9988776655": day_ago}})
    assert page.complete_ids is None
    assert page.has_more  # the usual read of the location follows
    # A location with no review at all lists nothing and announces nothing: that is complete.
    platform.add("GET", PARIS, json={})
    page = connector.fetch({"reconciled": {"9988776655": day_ago}})
    assert page.complete_ids == frozenset()
    assert page.complete_prefix == "accounts/1122334455/locations/9988776655/reviews/"


# --- a location Google refuses -------------------------------------------------------------------

NOT_FOUND = {
    "error": {
        "code": 404,
        "message": "Requested entity was not found.",
        "errors": [{"message": "Requested entity was not found.", "domain": "global", "reason": "notFound"}],
        "status": "NOT_FOUND",
    }
}


def every_location_connector(platform: FakePlatform) -> GoogleBusinessConnector:
    return GoogleBusinessConnector(
        GoogleBusinessConfig(
            base_url=platform.url,
            token_url=f"{platform.url}/token",
            account_id="1122334455",
            client_id="c",
            client_secret="s",
            refresh_token="r",
        )
    )


def test_a_location_google_refuses_does_not_hold_back_the_others(
    tenant: Tenant, platform: FakePlatform
) -> None:
    platform.add("POST", "/token", json=load("token.json"))
    platform.add("GET", PARIS, status=404, json=NOT_FOUND)
    platform.add("GET", LYON, json=last_page("reviews_other_location.json"))
    source = google_source(tenant, platform)
    report = do_fetch_source(source)
    # Paris (removed from the account, or not verified) answers 404: Lyon's reviews are read
    # all the same, and the next poll tries Paris again.
    assert report.error == ""
    assert report.counts.new == 1
    assert Mention.objects.filter(source=source).count() == 1
    source.refresh_from_db()
    assert "9988776655" in source.cursor["unreadable"]
    assert "HTTP 404" in source.cursor["unreadable"]["9988776655"]
    do_fetch_source(source)
    assert len(platform.requests_to("GET", PARIS)) == 2


def test_a_location_readable_again_is_read_and_forgotten_as_unreadable(platform: FakePlatform) -> None:
    platform.add("POST", "/token", json=load("token.json"))
    platform.add("GET", PARIS, status=404, json=NOT_FOUND)
    platform.add("GET", PARIS, json=last_page("reviews_page1.json"))
    platform.add("GET", LYON, json=last_page("reviews_other_location.json"))
    connector = every_location_connector(platform)
    skipped = connector.fetch({})
    assert skipped.items == []
    assert skipped.has_more
    lyon = connector.fetch(skipped.next_cursor)
    paris = connector.fetch(lyon.next_cursor)
    assert [item.place.external_id for item in paris.items if item.place] == ["9988776655", "9988776655"]
    assert paris.next_cursor["unreadable"] == {}


def test_when_no_location_is_readable_the_poll_fails_with_googles_reason(platform: FakePlatform) -> None:
    platform.add("POST", "/token", json=load("token.json"))
    platform.add("GET", PARIS, status=404, json=NOT_FOUND)
    platform.add("GET", LYON, status=404, json=NOT_FOUND)
    connector = every_location_connector(platform)
    skipped = connector.fetch({})
    with pytest.raises(ConnectorError) as caught:
        connector.fetch(skipped.next_cursor)
    assert caught.value.message == "Google HTTP 404: NOT_FOUND: Requested entity was not found."


def test_a_refused_token_or_a_rate_limit_is_never_skipped(platform: FakePlatform) -> None:
    platform.add("POST", "/token", json=load("token.json"))
    platform.add(
        "GET",
        PARIS,
        status=429,
        headers={"Retry-After": "120"},
        json={"error": {"code": 429, "message": "Quota exceeded.", "status": "RESOURCE_EXHAUSTED"}},
    )
    with pytest.raises(RateLimited) as caught:
        every_location_connector(platform).fetch({})
    assert caught.value.retry_after == 120


def test_a_refused_address_reads_as_the_reason_on_the_form_and_the_command_line(
    tenant: Tenant, login: Any, platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token address the egress policy refuses (here loopback once the allowance is gone) is
    said on the edit page and by `vigie source locations`; the page was a server error."""
    from django.core.management.base import CommandError

    platform.add("POST", "/token", json=load("token.json"))
    source = google_source(tenant, platform)
    monkeypatch.delenv("VIGIE_EGRESS_ALLOW", raising=False)
    page = login(tenant.manager).get(f"/sources/{source.pk}/edit/")
    assert page.status_code == 200
    assert "Établissements du compte indisponibles : adresse non autorisée" in page.content.decode()
    with pytest.raises(CommandError, match="cannot list the locations: adresse non autorisée"):
        call_command("source", "locations", "--org", "acme", "--source", "Avis Google", stdout=io.StringIO())
    assert platform.requests_to("POST", "/token") == []
