"""A Yelp source added and fetched from the command line, as a user would."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from vigie.conftest import Tenant
from vigie.connectors.builtin.yelp.tests.conftest import load
from vigie.connectors.models import Source, SourceState
from vigie.connectors.testing import FakePlatform
from vigie.mentions.models import Mention


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_source_add_then_fetch(
    tenant: Tenant, platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    platform.add("GET", "/v3/businesses/casa-bella-paris/reviews", json=load("reviews.json"))
    config = {"base_url": platform.url, "api_key": "yelp-key", "business_id": "casa-bella-paris"}
    output = run(
        "source", "add", "--org", "acme", "--platform", "yelp", "--name", "Yelp Bastille",
        "--config", json.dumps(config),
    )  # fmt: skip
    assert output.startswith("created source Yelp Bastille (yelp)")
    assert "api_key" not in Source.objects.get(name="Yelp Bastille").config
    assert "Yelp Bastille: new=3 updated=0 unchanged=0" in run("fetch", "--org", "acme")
    assert Mention.objects.filter(source__name="Yelp Bastille").count() == 3


def test_a_refused_key_puts_the_source_in_needs_reauthorisation(
    tenant: Tenant, platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    platform.add(
        "GET", "/v3/businesses/casa-bella-paris/reviews", status=401, json=load("error_token_invalid.json")
    )
    config = {"base_url": platform.url, "api_key": "revoked-key", "business_id": "casa-bella-paris"}
    run(
        "source",
        "add",
        "--org",
        "acme",
        "--platform",
        "yelp",
        "--name",
        "Yelp",
        "--config",
        json.dumps(config),
    )
    output = run("fetch", "--org", "acme")
    assert "error=Yelp HTTP 401: TOKEN_INVALID" in output
    assert "revoked-key" not in output
    source = Source.objects.get(name="Yelp")
    assert source.state == SourceState.NEEDS_REAUTH
