"""Scheduling and health: due sources are polled through the jobs seam, errors back off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.utils import timezone

from vigie.analysis.models import AnalysisResult
from vigie.conftest import Tenant
from vigie.connectors.actions import (
    backoff_seconds,
    do_create_source,
    do_pause_source,
    do_resume_source,
)
from vigie.connectors.contract import Capability, Connector, ConnectorConfig, ConnectorError, Page
from vigie.connectors.models import Source, SourceState
from vigie.connectors.queries import due_source_ids
from vigie.connectors.tasks import schedule_fetches
from vigie.connectors.tests.servers import LocalServer, local_server
from vigie.core import jobs, pipeline
from vigie.core.models import Job, JobStatus
from vigie.core.pipeline import FETCH_SOURCE_JOB, FETCH_SOURCE_JOB_FORMER_NAME
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

FEED = (Path(__file__).parents[1] / "builtin" / "feed" / "tests" / "fixtures" / "talkwalker.xml").read_bytes()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        yield running


def feed_source(tenant: Tenant, server: LocalServer, name: str = "Presse") -> Source:
    return do_create_source(
        tenant.organisation, platform="feed", name=name, config={"url": server.url("/feed")}
    )


def test_a_new_feed_source_is_due_at_once_and_a_webhook_never(tenant: Tenant, server: LocalServer) -> None:
    source = feed_source(tenant, server)
    hook = do_create_source(tenant.organisation, platform="webhook", name="Hook", config={"secret": "x" * 20})
    due = due_source_ids()
    assert source.pk in due
    assert hook.pk not in due


def test_paused_and_reauth_sources_are_not_due(tenant: Tenant, server: LocalServer) -> None:
    paused = feed_source(tenant, server, "A")
    do_pause_source(paused)
    reauth = feed_source(tenant, server, "B")
    Source.objects.filter(pk=reauth.pk).update(state=SourceState.NEEDS_REAUTH)
    assert due_source_ids() == []
    do_resume_source(paused)
    assert due_source_ids() == [paused.pk]


def test_the_scheduler_enqueues_one_fetch_per_due_source_with_a_dedupe_key(
    tenant: Tenant, server: LocalServer
) -> None:
    source = feed_source(tenant, server)
    schedule_fetches()
    schedule_fetches()
    queued = Job.objects.filter(name=FETCH_SOURCE_JOB)
    assert queued.count() == 1
    assert queued.get().payload == {"source_id": source.pk}


@pytest.mark.django_db(transaction=True)  # each job commits, as in `vigie serve`: hand-ons follow
def test_a_scheduled_fetch_reads_the_feed_and_records_health(tenant: Tenant, server: LocalServer) -> None:
    server.add("GET", "/feed", 200, FEED, {"Content-Type": "application/rss+xml"})
    source = feed_source(tenant, server)
    schedule_fetches()
    jobs.run_pending(limit=5)
    source.refresh_from_db()
    assert Mention.objects.filter(source=source).count() == 1
    assert source.state == SourceState.OK
    assert source.last_success_at is not None
    assert source.items_fetched == 1
    assert source.claimed_by == ""
    interval = timedelta(seconds=source.poll_interval_seconds)
    assert source.next_poll_at is not None
    assert interval * 0.85 < source.next_poll_at - timezone.now() < interval * 1.15

    # The pipeline of named jobs: the fetch (ingest) handed the new mention on to the analysis,
    # which handed it on to routing, each through the jobs seam: it ends as an analysed, routed case.
    ran = list(Job.objects.order_by("created_at", "run_after").values_list("name", "status"))
    assert ran == [
        (pipeline.job_name(pipeline.INGEST), JobStatus.DONE),
        (pipeline.job_name(pipeline.ANALYSE), JobStatus.DONE),
        (pipeline.job_name(pipeline.ROUTE), JobStatus.DONE),
    ]
    mention = Mention.objects.get(source=source)
    assert mention.language == "fr"
    assert AnalysisResult.objects.filter(mention=mention, analyzer="priority").exists()
    # The case it became is the inbox's business: vigie/inbox/routing/tests/test_pipeline.py.


def test_a_server_error_backs_off_exponentially_with_the_platform_message(
    tenant: Tenant, server: LocalServer
) -> None:
    server.add("GET", "/feed", 503, b"maintenance")
    source = feed_source(tenant, server)
    delays = []
    for _ in range(3):
        start = timezone.now()
        do_fetch_source(Source.objects.get(pk=source.pk))
        source.refresh_from_db()
        assert source.next_poll_at is not None
        delays.append((source.next_poll_at - start).total_seconds())
    assert source.state == SourceState.FAILING
    assert source.consecutive_failures == 3
    assert "HTTP 503" in source.last_error
    assert delays[0] < delays[1] < delays[2]
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff_seconds(50) == 6 * 3600


def test_retry_after_is_honoured(tenant: Tenant, server: LocalServer) -> None:
    server.add("GET", "/feed", 429, b"", {"Retry-After": "3600"})
    source = feed_source(tenant, server)
    do_fetch_source(source)
    source.refresh_from_db()
    assert source.rate_limited_until is not None
    assert source.rate_limited_until - timezone.now() > timedelta(minutes=59)
    assert source.next_poll_at is not None
    assert source.next_poll_at >= source.rate_limited_until, "jitter never polls before Retry-After"
    assert source.pk not in due_source_ids(now=timezone.now() + timedelta(minutes=30))


def test_a_success_after_failures_resets_the_health(tenant: Tenant, server: LocalServer) -> None:
    server.add("GET", "/feed", 500, b"oops")
    server.add("GET", "/feed", 200, FEED, {"Content-Type": "application/rss+xml"})
    source = feed_source(tenant, server)
    do_fetch_source(source)
    source.refresh_from_db()
    do_fetch_source(source)
    source.refresh_from_db()
    assert (source.state, source.consecutive_failures) == (SourceState.OK, 0)
    assert "HTTP 500" in source.last_error  # the last error stays visible, with its time


class ExpiredConfig(ConnectorConfig):
    token: str = ""


class ExpiredToken(Connector[ExpiredConfig]):
    slug: ClassVar[str] = "expired-test"
    label: ClassVar[str] = "test"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.FETCH})
    Config: ClassVar[type[ConnectorConfig]] = ExpiredConfig

    def fetch(self, cursor: dict[str, Any]) -> Page:
        raise ConnectorError(f"401 token {self.config.token} expired", needs_reauth=True)


def test_an_expired_token_asks_for_reauthorisation_and_never_stores_the_secret(tenant: Tenant) -> None:
    source = do_create_source(
        tenant.organisation, platform="webhook", name="Hook", config={"secret": "tok-abcdef-123456789"}
    )
    do_fetch_source(source, connector=ExpiredToken(ExpiredConfig(token="tok-abcdef-123456789")))
    source.refresh_from_db()
    assert source.state == SourceState.NEEDS_REAUTH
    assert source.next_poll_at is None
    assert "tok-abcdef" not in source.last_error
    assert "***" in source.last_error


def test_a_fetch_job_skips_a_source_another_worker_holds(tenant: Tenant, server: LocalServer) -> None:
    source = feed_source(tenant, server)
    Source.objects.filter(pk=source.pk).update(claimed_by="other", claimed_at=timezone.now())
    assert jobs.run_now(FETCH_SOURCE_JOB, {"source_id": source.pk}) == {"skipped": True}
    # Jobs queued under the fetch job's former name still run.
    assert jobs.run_now(FETCH_SOURCE_JOB_FORMER_NAME, {"source_id": source.pk}) == {"skipped": True}
    assert not server.requests
