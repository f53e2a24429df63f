"""An App Store source added and fetched from the command line, as a user would."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from vigie.conftest import Tenant
from vigie.connectors.builtin.app_store.tests.conftest import load
from vigie.connectors.models import Source, SourceState
from vigie.connectors.testing import FakePlatform
from vigie.mentions.models import Mention


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_source_add_then_fetch(
    tenant: Tenant, platform: FakePlatform, p8: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    platform.add("GET", "/v1/apps/1234567890/customerReviews", json=load("reviews_page2.json"))
    config = {
        "base_url": platform.url,
        "app_id": "1234567890",
        "issuer_id": "57246542-96fe-1a63-e053-0824d011072a",
        "key_id": "2X9R4HXF34",
        "private_key": p8,
    }
    output = run(
        "source", "add", "--org", "acme", "--platform", "app_store", "--name", "Appli iOS",
        "--config", json.dumps(config),
    )  # fmt: skip
    assert output.startswith("created source Appli iOS (app_store)")
    source = Source.objects.get(name="Appli iOS")
    assert "private_key" not in source.config
    assert "Appli iOS: new=1 updated=0 unchanged=0" in run("fetch", "--org", "acme")
    assert Mention.objects.get(source=source).raw["vigie"]["country"] == "FRA"


def test_the_hourly_limit_is_recorded_on_the_source(
    tenant: Tenant, platform: FakePlatform, p8: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    platform.add("GET", "/v1/apps/1234567890/customerReviews", status=429, json=load("error_rate_limit.json"))
    config = {
        "base_url": platform.url,
        "app_id": "1234567890",
        "issuer_id": "57246542-96fe-1a63-e053-0824d011072a",
        "key_id": "2X9R4HXF34",
        "private_key": p8,
    }
    run(
        "source",
        "add",
        "--org",
        "acme",
        "--platform",
        "app_store",
        "--name",
        "iOS",
        "--config",
        json.dumps(config),
    )
    run("fetch", "--org", "acme")
    source = Source.objects.get(name="iOS")
    assert source.state == SourceState.FAILING
    assert source.rate_limited_until is not None
    assert source.last_error_at is not None
    assert round((source.rate_limited_until - source.last_error_at).total_seconds()) == 900
