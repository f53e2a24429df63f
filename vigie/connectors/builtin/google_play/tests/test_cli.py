"""A Google Play source added and fetched from the command line, as a user would."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from vigie.conftest import Tenant
from vigie.connectors.builtin.google_play.tests.conftest import load
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.mentions.models import Mention


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_source_add_then_fetch(
    tenant: Tenant, platform: FakePlatform, service_account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    platform.add("POST", "/token", json=load("token.json"))
    platform.add(
        "GET",
        "/androidpublisher/v3/applications/fr.exemple.boutique/reviews",
        json=load("reviews_page2.json"),
    )
    config = {
        "base_url": platform.url,
        "package_name": "fr.exemple.boutique",
        "service_account_json": service_account,
    }
    output = run(
        "source", "add", "--org", "acme", "--platform", "google_play", "--name", "Appli Android",
        "--config", json.dumps(config),
    )  # fmt: skip
    assert output.startswith("created source Appli Android (google_play)")
    source = Source.objects.get(name="Appli Android")
    assert "service_account_json" not in source.config
    assert source.poll_interval_seconds == 3600
    assert "Appli Android: new=1 updated=0 unchanged=0" in run("fetch", "--org", "acme")
    mention = Mention.objects.get(source=source)
    assert mention.raw["vigie"]["app_version"] == "5.1.9"


def test_an_edited_review_updates_its_mention(
    tenant: Tenant, platform: FakePlatform, service_account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    reviews = "/androidpublisher/v3/applications/fr.exemple.boutique/reviews"
    platform.add("POST", "/token", json=load("token.json"))
    platform.add("GET", reviews, json=load("reviews_page2.json"))
    edited = load("reviews_page2.json")
    comment = edited["reviews"][0]["comments"][0]["userComment"]
    comment.update({"text": "Plus lent du tout depuis la 5.2.0, merci !", "starRating": 5})
    comment["lastModified"] = {"seconds": "1715700000", "nanos": 0}
    platform.add("GET", reviews, json=edited)
    config = {
        "base_url": platform.url,
        "package_name": "fr.exemple.boutique",
        "service_account_json": service_account,
    }
    run(
        "source",
        "add",
        "--org",
        "acme",
        "--platform",
        "google_play",
        "--name",
        "Appli",
        "--config",
        json.dumps(config),
    )
    run("fetch", "--org", "acme")
    assert "Appli: new=0 updated=1 unchanged=0" in run("fetch", "--org", "acme")
    mention = Mention.objects.get(source__name="Appli")
    assert (mention.text, str(mention.rating)) == ("Plus lent du tout depuis la 5.2.0, merci !", "5.00")
