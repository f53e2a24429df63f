"""The end of the pipeline: a fetched item, analysed, becomes a routed case through the jobs seam."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vigie.conftest import Tenant
from vigie.connectors.tasks import schedule_fetches
from vigie.connectors.tests.servers import LocalServer, local_server
from vigie.connectors.tests.test_scheduling import FEED, feed_source
from vigie.core import jobs
from vigie.core.models import AuditEvent
from vigie.inbox.models import Case
from vigie.mentions.models import Mention


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        yield running


@pytest.mark.django_db(transaction=True)  # each job commits, as in `vigie serve`: hand-ons follow
def test_a_scheduled_fetch_ends_as_a_routed_case(tenant: Tenant, server: LocalServer) -> None:
    server.add("GET", "/feed", 200, FEED, {"Content-Type": "application/rss+xml"})
    source = feed_source(tenant, server)
    schedule_fetches()
    jobs.run_pending(limit=5)
    mention = Mention.objects.get(source=source)
    case = Case.objects.get(mention=mention)
    assert case.priority >= mention.priority
    assert AuditEvent.objects.filter(verb="case.routed", object_id=str(case.pk)).exists()
