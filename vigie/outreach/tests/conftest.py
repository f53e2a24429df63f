"""Fixtures of the outreach tests: an organisation whose charter names a review platform per
location and whose campaign is on, a real SMTP server on loopback, a resolved-case builder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time
from typing import Any

import pytest

from vigie.charter.actions import do_update_charter
from vigie.charter.document import OutreachPolicy, ReviewSite
from vigie.charter.queries import current_charter
from vigie.conftest import Tenant
from vigie.core.models import Location
from vigie.inbox.tests.mailservers import SmtpServer
from vigie.mentions.tests.factories import make_location
from vigie.outreach.actions import do_update_campaign
from vigie.outreach.models import Campaign, LegalBasis

PLACE_ID = "ChIJtestPlaceId123"


@dataclass
class World:
    tenant: Tenant
    lyon: Location
    campaign: Campaign


def configure(tenant: Tenant, **campaign: Any) -> World:
    organisation = tenant.organisation
    lyon = make_location(organisation, "Agence Lyon")
    sites = [
        ReviewSite(location="Agence Lyon", platform="google_business", place_id=PLACE_ID),
        ReviewSite(platform="trustpilot", domain="acme.example"),
    ]
    charter = current_charter(organisation)
    do_update_charter(
        organisation, charter.model_copy(update={"outreach": OutreachPolicy(review_sites=sites)})
    )
    settings: dict[str, Any] = {
        "enabled": True,
        "legal_basis": LegalBasis.LEGITIMATE_INTEREST,
        "period_days": 90,
        "reminder_after_days": 7,
        # No quiet hours unless a test sets them: the tests run at any hour.
        "quiet_start": time(0, 0),
        "quiet_end": time(0, 0),
        **campaign,
    }
    return World(tenant, lyon, do_update_campaign(organisation, actor=None, **settings))


@pytest.fixture
def world(tenant: Tenant) -> World:
    return configure(tenant)


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    """aiosmtpd on loopback; Django's mail goes there."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        yield server
