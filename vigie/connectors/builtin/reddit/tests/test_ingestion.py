"""Reddit through the framework: the CLI adds the source and fetches it; deletions are kept, marked."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.connectors.builtin.reddit.tests.conftest import CLIENT_SECRET, config, script_walk
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.models import Membership
from vigie.mentions.models import Mention


def test_source_add_then_fetch_from_the_command_line(tenant: Tenant, platform: FakePlatform) -> None:
    script_walk(platform)
    out = io.StringIO()
    call_command(
        "source", "add", "--org", "acme", "--platform", "reddit", "--name", "Reddit",
        "--config", json.dumps(config(platform)), stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert out.getvalue().startswith("created source Reddit (reddit)")
    source = Source.objects.get(name="Reddit")
    assert CLIENT_SECRET not in json.dumps(source.config)
    call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    assert Mention.objects.filter(source=source).count() == 7
    deleted = Mention.objects.get(source=source, external_id="t3_1h8k2qz")
    # Read live, then found deleted by the end-of-poll check: kept with its text, marked.
    assert deleted.deleted_at is not None
    assert deleted.text.startswith("Ligne R")
    call_command("fetch", "--org", "acme", stdout=io.StringIO(), stderr=io.StringIO())
    assert Mention.objects.filter(source=source).count() == 7


def test_the_add_form_has_the_exact_keys_with_secrets_write_only(
    tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    page = login(tenant.manager).get(reverse("source_add", args=["reddit"])).content.decode()
    for key in ("base_url", "client_id", "subreddits", "queries", "username", "user_agent"):
        assert f'name="config-{key}"' in page, key
    for key in ("client_secret", "password", "refresh_token"):
        assert f'type="password" name="config-{key}"' in page, key
