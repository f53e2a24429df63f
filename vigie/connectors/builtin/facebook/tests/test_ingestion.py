"""Facebook through the framework: the CLI adds and fetches, Meta's webhook callback verifies and
stores, a removed comment is kept and marked deleted."""

from __future__ import annotations

import io
import json

from django.core.management import call_command
from django.test import Client

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.facebook.graph import default_verify_token
from vigie.connectors.builtin.facebook.tests.conftest import APP_SECRET, TOKEN, config, delivery, raw
from vigie.connectors.builtin.facebook.tests.test_facebook import script_full_walk
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.mentions.models import Mention


def test_source_add_then_fetch_from_the_command_line(tenant: Tenant, platform: FakePlatform) -> None:
    script_full_walk(platform)
    out = io.StringIO()
    call_command(
        "source", "add", "--org", "acme", "--platform", "facebook", "--name", "Page Facebook",
        "--config", json.dumps(config(platform)), stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert out.getvalue().startswith("created source Page Facebook (facebook)")
    source = Source.objects.get(name="Page Facebook")
    assert TOKEN not in json.dumps(source.config)
    assert APP_SECRET not in json.dumps(source.config)
    call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    assert Mention.objects.filter(source=source).count() == 6
    call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    assert Mention.objects.filter(source=source).count() == 6


def test_metas_callback_verifies_then_stores_and_marks_removals_deleted(
    tenant: Tenant, platform: FakePlatform
) -> None:
    source = do_create_source(tenant.organisation, platform="facebook", name="Page", config=config(platform))
    url = f"/sources/meta/{source.pk}/webhook/"
    client = Client(enforce_csrf_checks=True)
    challenge = {
        "hub.mode": "subscribe",
        "hub.challenge": "8812",
        "hub.verify_token": default_verify_token(APP_SECRET),
    }
    answer = client.get(url, challenge)
    assert (answer.status_code, answer.content) == (200, b"8812")
    assert client.get(url, {**challenge, "hub.verify_token": "nope"}).status_code == 403

    body = raw("webhook_comment_add.json")
    signed = delivery(body)
    headers = {"HTTP_X_HUB_SIGNATURE_256": signed.headers["x-hub-signature-256"]}
    stored = client.post(url, body, content_type="application/json", **headers)
    assert stored.status_code == 200
    mention = Mention.objects.get(source=source, external_id="560011223344_998877667777")
    assert mention.text.startswith("Toujours aucune nouvelle")

    bad = client.post(url, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256="sha256=00")
    assert bad.status_code == 401

    remove = json.loads(raw("webhook_comment_remove.json"))
    remove["entry"][0]["changes"][0]["value"]["comment_id"] = "560011223344_998877667777"
    removal = json.dumps(remove).encode()
    headers = {"HTTP_X_HUB_SIGNATURE_256": delivery(removal).headers["x-hub-signature-256"]}
    assert client.post(url, removal, content_type="application/json", **headers).status_code == 200
    mention.refresh_from_db()
    assert mention.deleted_at is not None
    assert mention.text.startswith("Toujours aucune nouvelle")  # kept, marked


def test_the_source_page_shows_metas_callback_address(tenant: Tenant, platform: FakePlatform) -> None:
    source = do_create_source(tenant.organisation, platform="facebook", name="Page", config=config(platform))
    client = Client()
    client.force_login(tenant.manager.user)
    page = client.get(f"/sources/{source.pk}/edit/")
    assert f"/sources/meta/{source.pk}/webhook/" in page.content.decode()
    assert APP_SECRET not in page.content.decode()


def test_the_callback_is_404_for_a_source_that_is_not_metas(tenant: Tenant) -> None:
    other = do_create_source(
        tenant.organisation, platform="webhook", name="Hook", config={"secret": "s" * 20}
    )
    assert Client().get(f"/sources/meta/{other.pk}/webhook/", {"hub.mode": "subscribe"}).status_code == 404
