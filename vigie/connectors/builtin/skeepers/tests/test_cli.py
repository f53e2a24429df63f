"""A Skeepers source added and fetched from the command line, as a user would."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from vigie.conftest import Tenant
from vigie.connectors.builtin.skeepers.tests.conftest import load
from vigie.connectors.models import Source
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
    platform.add("POST", "/realms/skeepers/protocol/openid-connect/token", json=load("token.json"))
    platform.add("GET", "/verified-reviews/v1/published/products/reviews", json=load("products_page1.json"))
    platform.add("GET", "/verified-reviews/v1/published/brands/reviews", json=load("brands_page1.json"))
    config = {
        "base_url": platform.url,
        "client_id": "vigie-client",
        "client_secret": "s3cret",
        "website_id": "2c7f8a1e-5b3d-4e9f-8a6b-1c2d3e4f5a6b",
    }
    output = run(
        "source", "add", "--org", "acme", "--platform", "skeepers", "--name", "Avis Vérifiés",
        "--config", json.dumps(config),
    )  # fmt: skip
    assert output.startswith("created source Avis Vérifiés (skeepers)")
    source = Source.objects.get(name="Avis Vérifiés")
    assert "client_secret" not in source.config
    assert "Avis Vérifiés: new=3 updated=0 unchanged=0" in run("fetch", "--org", "acme")
    answered = Mention.objects.get(source=source, external_id="0b6a4f9e-2c1d-4e8f-9a7b-3c2d1e0f9a8b")
    assert answered.raw["vigie"]["moderation_status"] == "published"
