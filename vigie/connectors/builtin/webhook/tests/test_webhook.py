"""The webhook connector and its endpoint: signatures, replay window, 202/401/422, idempotency."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source, do_pause_source
from vigie.connectors.builtin.webhook.connector import (
    PayloadError,
    SignatureError,
    WebhookConfig,
    WebhookConnector,
    sign,
)
from vigie.connectors.contract import WebhookRequest
from vigie.connectors.models import Source
from vigie.core.actions import do_create_location
from vigie.mentions.models import Mention

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "whsec-0123456789abcdef"
DELIVERY = (FIXTURES / "delivery.json").read_bytes()


def signed(body: bytes, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    return {"x-vigie-timestamp": timestamp, "x-vigie-signature": sign(secret, timestamp, body)}


def connector() -> WebhookConnector:
    return WebhookConnector(WebhookConfig(secret=SECRET))


def test_a_signed_delivery_becomes_mentions() -> None:
    first, second = connector().parse_webhook(WebhookRequest(signed(DELIVERY), DELIVERY))
    assert (first.external_id, first.kind) == ("crm-4711", "comment")
    assert first.created_at.isoformat() == "2026-11-20T16:45:00+01:00"
    assert first.author is not None
    assert first.author.followers_count == 120
    assert first.raw["ticket_priority"] == "high"  # unknown fields kept in raw, ignored otherwise
    assert second.rating == Decimal("4.56")
    assert second.rating_raw == "9"
    assert second.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (dict, "missing"),
        (lambda: signed(DELIVERY, secret="another-secret-value"), "bad signature"),
        (lambda: signed(DELIVERY, at=time.time() - 600), "5-minute window"),
        (lambda: signed(DELIVERY, at=time.time() + 600), "5-minute window"),
        (lambda: {"x-vigie-timestamp": "soon", "x-vigie-signature": "sha256=00"}, "Unix time"),
    ],
)
def test_unsigned_stale_or_forged_requests_are_refused(
    headers: Callable[[], dict[str, str]], message: str
) -> None:
    # Signed when the test runs, not when pytest collects it: a long suite would age the timestamps.
    with pytest.raises(SignatureError, match=message):
        connector().parse_webhook(WebhookRequest(headers(), DELIVERY))


def test_the_replay_window_is_five_minutes_either_way() -> None:
    headers = signed(DELIVERY, at=1_800_000_000)
    request = WebhookRequest(headers, DELIVERY)
    connector().verify(request, now=1_800_000_300)
    connector().verify(request, now=1_799_999_700)
    with pytest.raises(SignatureError):
        connector().verify(request, now=1_800_000_301)


def test_the_signature_covers_the_raw_body() -> None:
    headers = signed(DELIVERY)
    tampered = DELIVERY.replace(b"jamais", b"toujours")
    with pytest.raises(SignatureError):
        connector().parse_webhook(WebhookRequest(headers, tampered))


def test_invalid_items_are_reported_one_by_one() -> None:
    body = (FIXTURES / "invalid_items.json").read_bytes()
    with pytest.raises(PayloadError) as excinfo:
        connector().parse_webhook(WebhookRequest(signed(body), body))
    fields = {(e["index"], e["field"]) for e in excinfo.value.errors}
    assert {(1, "id"), (1, "kind"), (1, "created_at"), (2, "created_at")} <= fields
    assert not any(e["index"] == 0 for e in excinfo.value.errors)


# --- the endpoint --------------------------------------------------------------------------------


@pytest.fixture
def source(tenant: Tenant) -> Source:
    return do_create_source(tenant.organisation, platform="webhook", name="CRM", config={"secret": SECRET})


def post(source: Source, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("source_webhook", args=[source.pk]),
        data=body,
        content_type="application/json",
        headers={k.title(): v for k, v in headers.items()},
    )
    return response.status_code, response.json()


def test_the_endpoint_answers_202_with_counts_and_is_idempotent(source: Source) -> None:
    status, body = post(source, DELIVERY, signed(DELIVERY))
    assert (status, body) == (202, {"received": 2, "new": 2, "updated": 0, "unchanged": 0})
    status, body = post(source, DELIVERY, signed(DELIVERY))
    assert (status, body["new"], body["unchanged"]) == (202, 0, 2)
    assert Mention.objects.filter(source=source).count() == 2
    source.refresh_from_db()
    assert source.last_success_at is not None


def test_the_endpoint_answers_401_on_a_bad_signature(source: Source) -> None:
    status, body = post(source, DELIVERY, signed(DELIVERY, secret="wrong-secret-wrong-secret"))
    assert (status, body["error"]) == (401, "bad signature")
    assert not Mention.objects.exists()


def test_the_endpoint_answers_422_with_per_item_errors_and_stores_nothing(source: Source) -> None:
    payload = (FIXTURES / "invalid_items.json").read_bytes()
    status, body = post(source, payload, signed(payload))
    assert status == 422
    assert {"index": 2, "field": "created_at", "message": "unreadable date"} in body["errors"]
    assert not Mention.objects.exists()


def test_the_endpoint_is_404_for_unknown_or_non_webhook_sources(tenant: Tenant) -> None:
    feed = do_create_source(
        tenant.organisation, platform="feed", name="F", config={"url": "https://x.example"}
    )
    assert post(feed, DELIVERY, signed(DELIVERY))[0] == 404
    assert (
        Client()
        .post(reverse("source_webhook", args=[999999]), data=b"{}", content_type="application/json")
        .status_code
        == 404
    )


def test_a_paused_source_refuses_deliveries(source: Source) -> None:
    do_pause_source(source)
    assert post(source, DELIVERY, signed(DELIVERY))[0] == 409


def test_the_endpoint_accepts_only_post(source: Source) -> None:
    assert Client().get(reverse("source_webhook", args=[source.pk])).status_code == 405


def test_a_numeric_id_is_the_same_item_as_its_string_form(source: Source) -> None:
    """CRMs and no-code tools send ids as JSON numbers, sometimes as strings on a later delivery:
    both are one item (and one author), never two."""
    as_number = (
        b'{"items": [{"id": 4711, "kind": "comment", "created_at": "2026-11-20T16:45:00+01:00",'
        b' "text": "Pas de rappel", "author": {"id": 88, "name": "Sophie B."}}]}'
    )
    status, body = post(source, as_number, signed(as_number))
    assert (status, body["new"]) == (202, 1)
    as_text = (
        b'{"items": [{"id": "4711", "kind": "comment", "created_at": "2026-11-20T16:45:00+01:00",'
        b' "text": "Pas de rappel (modifi\\u00e9)", "author": {"id": "88", "name": "Sophie B."}},'
        b' {"id": 4712.0, "kind": "reply", "parent_id": 4711, "created_at": 1795680000, "text": "Relance"}]}'
    )
    status, body = post(source, as_text, signed(as_text))
    assert (status, body["new"], body["updated"]) == (202, 1, 1)
    stored = Mention.objects.filter(source=source)
    assert sorted(stored.values_list("external_id", flat=True)) == ["4711", "4712"]
    comment = stored.get(external_id="4711")
    assert comment.text == "Pas de rappel (modifié)"
    assert comment.author is not None
    assert comment.author.external_id == "88"
    assert stored.get(external_id="4712").parent_id == comment.pk


def test_an_id_that_is_no_whole_number_or_text_is_refused(source: Source) -> None:
    payload = b'{"items": [{"id": 47.5, "created_at": 1795680000}, {"id": true, "created_at": 1795680000}]}'
    status, body = post(source, payload, signed(payload))
    assert status == 422
    assert {(e["index"], e["field"]) for e in body["errors"]} == {(0, "id"), (1, "id")}
    assert not Mention.objects.exists()


def test_a_date_sent_without_offset_is_the_sources_local_time(tenant: Tenant) -> None:
    """A CRM exporting "2026-03-29T10:15:00" means 10:15 where the shop is, not in London."""
    guadeloupe = do_create_location(
        tenant.organisation, "Agence Pointe-à-Pitre", timezone_name="America/Guadeloupe"
    )
    local = do_create_source(
        tenant.organisation,
        platform="webhook",
        name="CRM Antilles",
        config={"secret": SECRET},
        location=guadeloupe,
    )
    paris = do_create_source(
        tenant.organisation, platform="webhook", name="CRM Paris", config={"secret": SECRET}
    )
    payload = (
        b'{"items": [{"id": "a", "created_at": "2026-03-29T10:15:00", "text": "Appel sans suite"},'
        b' {"id": "b", "created_at": "2026-03-28 10:15:00", "text": "Toujours rien"},'
        b' {"id": "c", "created_at": "2026-03-29T10:15:00Z", "text": "Relance"}]}'
    )
    for source in (local, paris):
        assert post(source, payload, signed(payload))[0] == 202
    read = {
        (m.source.name, m.external_id): m.created_at.isoformat()
        for m in Mention.objects.filter(source__in=[local, paris]).select_related("source")
    }
    assert read == {
        ("CRM Antilles", "a"): "2026-03-29T14:15:00+00:00",
        ("CRM Antilles", "b"): "2026-03-28T14:15:00+00:00",
        ("CRM Antilles", "c"): "2026-03-29T10:15:00+00:00",
        # The organisation's timezone (Europe/Paris), which went to summer time that night.
        ("CRM Paris", "a"): "2026-03-29T08:15:00+00:00",
        ("CRM Paris", "b"): "2026-03-28T09:15:00+00:00",
        ("CRM Paris", "c"): "2026-03-29T10:15:00+00:00",
    }


def test_empty_fields_sent_as_null_are_read_as_left_out(source: Source) -> None:
    """Zapier, Make or n8n send ``null`` for each mapped field that is empty: the item is stored,
    not refused; a required field sent as null is still refused, by name."""
    payload = (
        b'{"items": [{"id": "zap-1", "kind": "review", "created_at": "2026-11-20T16:45:00+01:00",'
        b' "text": "Accueil tres froid", "title": null, "html": null, "url": null, "rating": null,'
        b' "rating_scale": null, "parent_id": null, "language": null, "deleted": null, "likes": null,'
        b' "author": {"id": 88, "name": "Sophie B.", "handle": null, "url": null, "followers": null}},'
        b' {"id": null, "created_at": null, "text": "sans id"}]}'
    )
    status, body = post(source, payload, signed(payload))
    assert status == 422
    assert {(e["index"], e["field"]) for e in body["errors"]} == {(1, "id"), (1, "created_at")}
    first_only = payload.replace(b', {"id": null, "created_at": null, "text": "sans id"}', b"")
    status, body = post(source, first_only, signed(first_only))
    assert (status, body["new"]) == (202, 1)
    stored = Mention.objects.get(source=source, external_id="zap-1")
    assert stored.text == "Accueil tres froid"
    assert stored.rating is None
    assert stored.deleted_at is None
    assert stored.author is not None
    assert stored.author.display_name == "Sophie B."
