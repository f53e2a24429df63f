"""A Tripadvisor source added and fetched from the command line, as a user would."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from vigie.conftest import Tenant
from vigie.connectors.builtin.tripadvisor.tests.conftest import load
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
    platform.add("GET", "/api/v1/location/1234567/reviews", json=load("reviews.json"))
    config = {"base_url": platform.url, "api_key": "ta-key", "location_id": "1234567", "language": "fr"}
    output = run(
        "source", "add", "--org", "acme", "--platform", "tripadvisor", "--name", "Hôtel Lumière",
        "--config", json.dumps(config),
    )  # fmt: skip
    assert output.startswith("created source Hôtel Lumière (tripadvisor)")
    assert "api_key" not in Source.objects.get(name="Hôtel Lumière").config
    assert "Hôtel Lumière: new=2 updated=0 unchanged=0" in run("fetch", "--org", "acme")
    assert Mention.objects.filter(source__name="Hôtel Lumière").count() == 2
