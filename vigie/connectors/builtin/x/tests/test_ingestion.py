"""X through the framework: the CLI adds the source and fetches it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.connectors.actions import build_connector, do_create_source, do_store_renewed_secrets
from vigie.connectors.builtin.x.tests.conftest import (
    BEARER,
    MENTION_A,
    REFRESH,
    USER_TOKEN,
    config,
    load,
    script_walk,
)
from vigie.connectors.contract import MentionIn
from vigie.connectors.credentials import decrypt_secrets
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.models import Membership
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention


def test_source_add_then_fetch_from_the_command_line(tenant: Tenant, platform: FakePlatform) -> None:
    script_walk(platform)
    out = io.StringIO()
    call_command(
        "source", "add", "--org", "acme", "--platform", "x", "--name", "Compte X",
        "--config", json.dumps(config(platform)), stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert out.getvalue().startswith("created source Compte X (x)")
    source = Source.objects.get(name="Compte X")
    assert BEARER not in json.dumps(source.config)
    call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    assert Mention.objects.filter(source=source).count() == 5
    call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    assert Mention.objects.filter(source=source).count() == 5


def test_the_add_form_has_the_exact_keys_with_secrets_write_only(
    tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    page = login(tenant.manager).get(reverse("source_add", args=["x"])).content.decode()
    for key in ("base_url", "user_id", "query", "client_id"):
        assert f'name="config-{key}"' in page, key
    for key in ("bearer_token", "access_token", "refresh_token", "client_secret"):
        assert f'type="password" name="config-{key}"' in page, key


def test_a_renewed_token_pair_replaces_the_stored_one(tenant: Tenant, platform: FakePlatform) -> None:
    script_walk(platform)
    platform.add("POST", "/2/tweets", status=401, json=load("unauthorized.json"))
    platform.add("POST", "/2/tweets", status=201, json=load("tweet_created.json"))
    platform.add("POST", "/2/oauth2/token", json=load("oauth2_token.json"))
    source = do_create_source(
        tenant.organisation,
        platform="x",
        name="Compte X",
        config=config(platform, access_token=USER_TOKEN, refresh_token=REFRESH, client_id="cid"),
    )
    do_fetch_source(source)
    stored = Mention.objects.get(source=source, external_id=MENTION_A)
    # What the outbox hands the connector: the stored mention's id, kind, time, text and raw payload.
    item = MentionIn(
        external_id=stored.external_id,
        kind=stored.kind,
        created_at=stored.created_at,
        text=stored.text,
        raw=stored.raw,
    )
    build_connector(source).publish_reply(item, "Bonjour Camille !", idempotency_key="k")
    source.refresh_from_db()
    secrets = decrypt_secrets(source.credentials_encrypted)
    renewed = load("oauth2_token.json")
    # X's refresh tokens are single-use: the next renewal must use the new one.
    assert (secrets["access_token"], secrets["refresh_token"]) == (
        renewed["access_token"],
        renewed["refresh_token"],
    )
    assert secrets["bearer_token"] == BEARER
    assert platform.requests_to("POST", "/2/oauth2/token")[0].form()["client_id"] == "cid"


def test_only_secret_fields_are_taken_from_a_renewal(tenant: Tenant, platform: FakePlatform) -> None:
    source = do_create_source(tenant.organisation, platform="x", name="Compte X", config=config(platform))
    before = decrypt_secrets(source.credentials_encrypted)
    do_store_renewed_secrets(source.pk, {"user_id": "1", "base_url": "http://10.0.0.1", "bogus": "x"})
    source.refresh_from_db()
    assert decrypt_secrets(source.credentials_encrypted) == before
    assert source.config["user_id"] == config(platform)["user_id"]
