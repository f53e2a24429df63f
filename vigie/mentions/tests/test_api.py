from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import Client
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.mentions.models import MentionKind, Sentiment
from vigie.mentions.tests.factories import make_author, make_location, make_mention, make_source

ApiClient = Callable[[Membership], Client]
PARIS = ZoneInfo("Europe/Paris")


def test_mentions_are_listed_newest_first_with_a_total(tenant: Tenant, api_client: ApiClient) -> None:
    org = tenant.organisation
    now = timezone.now()
    created = [make_mention(org, created_at=now - timedelta(hours=h)) for h in range(5)]

    body = api_client(tenant.viewer).get("/api/v1/mentions", {"limit": 2, "offset": 1}).json()
    assert body["count"] == 5
    assert (body["limit"], body["offset"]) == (2, 1)
    assert [m["id"] for m in body["items"]] == [created[1].pk, created[2].pk]


def test_a_mention_is_described_in_full(tenant: Tenant, api_client: ApiClient) -> None:
    org = tenant.organisation
    author = make_author(org, handle="jdupont", display_name="Jeanne Dupont", followers_count=120)
    mention = make_mention(
        org,
        author=author,
        title="Déçue",
        text="<b>Attente</b> interminable",
        rating="2",
        sentiment=Sentiment.NEGATIVE,
        sentiment_score=-0.8,
        themes=["attente"],
        url="https://maps.example/review/1",
        created_at=datetime(2025, 3, 1, 10, 30, tzinfo=PARIS),
    )
    item = api_client(tenant.viewer).get("/api/v1/mentions").json()["items"][0]
    assert item["id"] == mention.pk
    assert item["platform"] == "google"
    assert item["text"] == "<b>Attente</b> interminable"
    assert item["rating"] == 2.0
    assert item["sentiment"] == "negative"
    assert item["mention_type"] == ""
    assert item["themes"] == ["attente"]
    assert item["author"]["display_name"] == "Jeanne Dupont"
    assert item["author"]["followers_count"] == 120
    assert item["created_at"] == "2025-03-01T09:30:00+00:00"


def test_mentions_filter_by_query_parameters(tenant: Tenant, api_client: ApiClient) -> None:
    org = tenant.organisation
    lyon = make_location(org, "Lyon")
    facebook = make_source(org, "facebook")
    target = make_mention(
        org,
        source=facebook,
        location=lyon,
        kind=MentionKind.COMMENT,
        sentiment=Sentiment.NEGATIVE,
        mention_type="complaint",
        language="fr",
        themes=["prix"],
        text="Trop cher",
        created_at=datetime(2025, 3, 10, 23, 30, tzinfo=PARIS),
    )
    make_mention(org, created_at=datetime(2025, 3, 11, 0, 30, tzinfo=PARIS), language="en")
    client = api_client(tenant.viewer)

    def found(**params: object) -> list[int]:
        response = client.get("/api/v1/mentions", params)
        assert response.status_code == 200, response.content
        return [m["id"] for m in response.json()["items"]]

    assert found(platform="facebook") == [target.pk]
    assert found(source=facebook.pk) == [target.pk]
    assert found(location=lyon.pk) == [target.pk]
    assert found(kind="comment") == [target.pk]
    assert found(sentiment="negative") == [target.pk]
    assert found(type="complaint") == [target.pk]
    assert found(language="fr") == [target.pk]
    assert found(theme="prix") == [target.pk]
    assert found(q="CHER") == [target.pk]
    # Days are whole days in the organisation's time zone: 23:30 in Paris is still the 10th.
    assert found(**{"from": "2025-03-10", "to": "2025-03-10"}) == [target.pk]
    assert len(found(**{"from": "2025-03-10"})) == 2


def test_deleted_mentions_are_hidden_unless_asked(tenant: Tenant, api_client: ApiClient) -> None:
    deleted = make_mention(tenant.organisation, deleted_at=timezone.now())
    client = api_client(tenant.viewer)
    assert client.get("/api/v1/mentions").json()["count"] == 0
    assert [m["id"] for m in client.get("/api/v1/mentions", {"deleted": "only"}).json()["items"]] == [
        deleted.pk
    ]


def test_bad_query_parameters_are_a_422_naming_them(tenant: Tenant, api_client: ApiClient) -> None:
    client = api_client(tenant.viewer)
    cases = [
        ({"limit": 0}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"offset": -1}, "offset"),
        ({"sentiment": "furious"}, "sentiment"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2025-03-02", "to": "2025-03-01"}, "to"),
        ({"location": "lyon"}, "location"),
    ]
    for params, field in cases:
        response = client.get("/api/v1/mentions", params)
        assert response.status_code == 422, params
        assert [item["loc"][-1] for item in response.json()["detail"]] == [field], params


def test_another_organisations_mentions_stay_invisible(
    tenant: Tenant, other_tenant: Tenant, api_client: ApiClient
) -> None:
    theirs = make_mention(other_tenant.organisation, text="globex only")
    mine = make_mention(tenant.organisation)
    client = api_client(tenant.admin)
    body = client.get("/api/v1/mentions").json()
    assert [m["id"] for m in body["items"]] == [mine.pk]
    assert body["count"] == 1
    response = client.get(f"/api/v1/mentions/{theirs.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    assert client.get("/api/v1/mentions/999999").status_code == 404


def test_one_mention_comes_with_the_authors_other_mentions(tenant: Tenant, api_client: ApiClient) -> None:
    org = tenant.organisation
    author = make_author(org, handle="jdupont")
    mention = make_mention(org, author=author)
    older = make_mention(org, author=author, created_at=timezone.now() - timedelta(days=3), title="Avant")
    make_mention(org)
    body = api_client(tenant.viewer).get(f"/api/v1/mentions/{mention.pk}").json()
    assert body["id"] == mention.pk
    assert body["author"]["handle"] == "jdupont"
    assert [m["id"] for m in body["other_mentions"]] == [older.pk]
    assert body["other_mentions"][0]["title"] == "Avant"
