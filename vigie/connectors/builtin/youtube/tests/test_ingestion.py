"""YouTube through the framework: the CLI adds the source and fetches it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.connectors.builtin.youtube.tests.conftest import API_KEY, config, script_walk
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.models import Membership
from vigie.mentions.models import Mention


def test_source_add_then_fetch_from_the_command_line(tenant: Tenant, platform: FakePlatform) -> None:
    script_walk(platform)
    out = io.StringIO()
    call_command(
        "source", "add", "--org", "acme", "--platform", "youtube", "--name", "Chaîne YouTube",
        "--config", json.dumps(config(platform)), stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert out.getvalue().startswith("created source Chaîne YouTube (youtube)")
    source = Source.objects.get(name="Chaîne YouTube")
    assert API_KEY not in json.dumps(source.config)
    call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    assert Mention.objects.filter(source=source).count() == 5
    call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    assert Mention.objects.filter(source=source).count() == 5


def test_a_manager_adds_the_channel_from_the_sources_page(
    tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    client = login(tenant.manager)
    page = client.get(reverse("source_add", args=["youtube"])).content.decode()
    for key in ("base_url", "channel_id", "video_ids", "search_terms"):
        assert f'name="config-{key}"' in page, key
    for key in ("api_key", "access_token", "refresh_token", "client_secret"):
        assert f'type="password" name="config-{key}"' in page, key
    response = client.post(
        reverse("source_add", args=["youtube"]),
        {
            "source-name": "Chaîne",
            "source-poll_interval_minutes": "30",
            "config-api_key": API_KEY,
            "config-channel_id": "UCq3Lm4uN8dFf0XbG7pRkZ2w",
            "config-video_ids": "dQ7xK2mLp9A\nHh3nR8tYq1Z",
            "config-search_terms": "paiement",
            "config-daily_units": "2000",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get(name="Chaîne")
    assert source.config["video_ids"] == ["dQ7xK2mLp9A", "Hh3nR8tYq1Z"]
    assert API_KEY not in json.dumps(source.config)
