"""X through the framework: the CLI adds the source and fetches it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from vigie.conftest import Tenant
from vigie.connectors.builtin.x.tests.conftest import BEARER, config, script_walk
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.models import Membership
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
