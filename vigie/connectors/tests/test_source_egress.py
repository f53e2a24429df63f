"""Sources and the egress policy: refusal on test and on poll, no port scanning, no re-polling."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source, do_update_source
from vigie.connectors.contract import ConnectorError
from vigie.connectors.models import Source, SourceState
from vigie.connectors.queries import due_source_ids
from vigie.connectors.tests.servers import LocalServer, local_server
from vigie.core import jobs, pipeline
from vigie.core.egress import EgressRefused
from vigie.core.models import Membership, Organisation
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

Login = Callable[[Membership], Client]
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Interne</title>
<item><guid>1</guid><title>Secret</title><link>http://x/1</link></item></channel></rss>"""


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        running.add("GET", "/feed", 200, FEED, {"Content-Type": "application/rss+xml"})
        yield running


@pytest.fixture
def no_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIE_EGRESS_ALLOW")


def feed(tenant: Tenant, url: str, name: str) -> Source:
    return do_create_source(tenant.organisation, platform="feed", name=name, config={"url": url})


@pytest.mark.usefixtures("no_allowance")
def test_the_test_button_says_the_same_for_open_closed_and_silent_addresses(
    tenant: Tenant, login: Login, server: LocalServer
) -> None:
    client = login(tenant.manager)
    answers = []
    for name, url in (
        ("ouvert", server.url("/feed")),
        ("fermé", "http://127.0.0.1:1/feed"),
        ("muet", "http://10.255.255.1:81/feed"),
        ("metadonnees", "http://169.254.169.254/latest/meta-data/"),
    ):
        source = feed(tenant, url, name)
        page = client.post(reverse("source_test", args=[source.pk]), follow=True).content.decode()
        answers.append(page.count(f"Échec du test de « {name} » : adresse non autorisée"))
    assert answers == [1, 1, 1, 1]
    assert server.requests == []


@pytest.mark.usefixtures("no_allowance")
def test_a_refused_feed_says_why_and_is_not_polled_again_until_changed(
    tenant: Tenant, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = feed(tenant, server.url("/feed"), "Interne")
    report = do_fetch_source(source)
    source.refresh_from_db()
    assert "adresse non autorisée" in report.error
    assert "adresse non autorisée" in source.last_error
    assert source.state == SourceState.FAILING
    assert source.next_poll_at is None
    assert source.pk not in due_source_ids()
    assert server.requests == []
    assert not Mention.objects.filter(source=source).exists()
    # Once the operator allows the address and the source is changed, it polls again.
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    do_update_source(source, name="Interne", config={"url": server.url("/feed")}, actor=None)
    source.refresh_from_db()
    assert source.pk in due_source_ids()
    assert do_fetch_source(source).error == ""
    assert Mention.objects.filter(source=source).count() == 1


def test_a_source_with_a_token_never_sends_it_over_plain_http(tenant: Tenant, server: LocalServer) -> None:
    from vigie.connectors.builtin.mastodon.connector import MastodonConfig, MastodonConnector

    public = MastodonConnector(MastodonConfig(base_url="http://93.184.215.14", access_token="tok-secret"))
    with pytest.raises(EgressRefused, match="https"):
        public.test_connection()
    # The test servers are allowed by VIGIE_EGRESS_ALLOW, so http:// reaches them.
    allowed = MastodonConnector(MastodonConfig(base_url=server.url(), access_token="tok-secret"))
    with pytest.raises(ConnectorError):
        allowed.test_connection()  # the local server knows no Mastodon route: an answer, not a refusal
    assert server.requests


@pytest.mark.usefixtures("no_allowance")
def test_an_english_organisation_reads_the_refusals_in_english(
    tenant: Tenant, login: Login, server: LocalServer
) -> None:
    Organisation.objects.filter(pk=tenant.organisation.pk).update(language="en")
    client = login(tenant.manager)
    answers = []
    for name, url in (("open", server.url("/feed")), ("closed", "http://127.0.0.1:1/feed")):
        source = feed(tenant, url, name)
        page = client.post(reverse("source_test", args=[source.pk]), follow=True).content.decode()
        answers.append(page.count(f"Test of “{name}” failed: address not allowed"))
    assert answers == [1, 1]
    assert "adresse" not in page
    # The poll job has no request: it speaks the organisation's language.
    source = feed(tenant, server.url("/feed"), "Internal")
    jobs.run_now(pipeline.FETCH_SOURCE_JOB, {"source_id": source.pk})
    source.refresh_from_db()
    assert (
        source.last_error == "address not allowed (egress policy: retried only after the source is changed)"
    )
    assert server.requests == []


@pytest.mark.usefixtures("no_allowance")
def test_a_french_organisation_s_poll_job_keeps_the_french_refusal(
    tenant: Tenant, server: LocalServer
) -> None:
    source = feed(tenant, server.url("/feed"), "Interne")
    with translation.override("en"):  # whatever language the worker's thread was left in
        jobs.run_now(pipeline.FETCH_SOURCE_JOB, {"source_id": source.pk})
    source.refresh_from_db()
    assert source.last_error == (
        "adresse non autorisée (politique de sortie : relancée seulement après modification)"
    )
