"""The evidence API: managers read and capture, agents are refused, other tenants' mentions are 404."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from vigie.conftest import Tenant
from vigie.connectors.testing import FakePlatform
from vigie.core.models import Membership
from vigie.mentions.tests.factories import make_mention

pytestmark = pytest.mark.django_db
Api = Callable[[Membership], Client]


def test_a_manager_captures_and_reads_a_mentions_evidence(
    tenant: Tenant, api_client: Api, site: FakePlatform
) -> None:
    mention = make_mention(tenant.organisation, url=f"{site.url}/gone")
    client = api_client(tenant.manager)
    made = client.post(f"/api/v1/mentions/{mention.pk}/evidence/capture")
    assert made.status_code == 201
    assert "HTTP 404" in made.json()["reason"]
    read = client.get(f"/api/v1/mentions/{mention.pk}/evidence").json()
    assert read["held"] is True
    assert [capture["sha256"] for capture in read["captures"]] == [made.json()["sha256"]]
    assert read["days_left"] > 80


def test_agents_and_other_tenants_are_refused(tenant: Tenant, other_tenant: Tenant, api_client: Api) -> None:
    mention = make_mention(tenant.organisation, url="https://example.com/a")
    assert api_client(tenant.agent).get(f"/api/v1/mentions/{mention.pk}/evidence").status_code == 403
    assert api_client(tenant.agent).post(f"/api/v1/mentions/{mention.pk}/evidence/capture").status_code == 403
    outsider = api_client(other_tenant.admin)
    assert outsider.get(f"/api/v1/mentions/{mention.pk}/evidence").status_code == 404
    assert outsider.post(f"/api/v1/mentions/{mention.pk}/evidence/capture").status_code == 404
