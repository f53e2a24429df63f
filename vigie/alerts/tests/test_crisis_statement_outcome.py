"""A statement is public when a platform (or a person) confirms it, never when it is handed to the
outbox: the room, the timeline, its CSV export, the post-mortem, the management report and the API
say *envoi en cours* while it is queued, *échec de publication* when every sending failed (a local
Mastodon-shaped server answering 500, or nothing listening), *partiellement publiée* when one
place failed, *publiée* (at the time of the first confirmation) when a platform confirmed it."""

from __future__ import annotations

import csv
import io
import json
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from vigie.alerts.crisis.actions import (
    ActionIn,
    do_approve_statement,
    do_assign_crisis_role,
    do_close_crisis,
    do_draft_statement,
    do_open_crisis,
    do_publish_statement,
)
from vigie.alerts.crisis.publishing import do_confirm_statement_posted_by_hand
from vigie.alerts.models import (
    Crisis,
    Statement,
    StatementPublicationStatus,
    StatementState,
    StatementStatus,
)
from vigie.alerts.queries import crisis_report_lines, crisis_timeline
from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.jobs import run_pending
from vigie.core.models import User
from vigie.mentions.tests.factories import make_source

STATUSES = "/api/v1/statuses"
FIXTURES = Path(__file__).resolve().parents[2] / "connectors" / "builtin" / "mastodon" / "tests" / "fixtures"
LINK = "https://mastodon.social/@acme/112383000000000042"
BODY = "Le portail des remboursements est rétabli depuis 13 heures. Merci de votre patience."


def _created() -> Any:
    return json.loads((FIXTURES / "status_created.json").read_text())


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        yield fake


@pytest.fixture
def other_platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        yield fake


@pytest.fixture
def crisis(tenant: Tenant) -> Crisis:
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Remboursements bloqués")
    do_assign_crisis_role(crisis, "spokesperson", tenant.manager.user.pk, actor=tenant.manager.user)
    return crisis


def _mastodon(tenant: Tenant, base_url: str, name: str = "Mastodon de l'entreprise") -> Source:
    return do_create_source(
        tenant.organisation,
        platform="mastodon",
        name=name,
        config={"base_url": base_url, "access_token": "tok"},
    )


def _closed_port_url() -> str:
    """An address on loopback where nothing listens: the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _published(crisis: Crisis, tenant: Tenant, *sources: Source) -> Statement:
    statement = do_draft_statement(crisis, BODY, actor=tenant.agent.user, membership=tenant.agent)
    statement = do_approve_statement(statement, actor=tenant.manager.user)
    do_publish_statement(statement, actor=tenant.manager.user, source_ids=[s.pk for s in sources])
    return statement


def _room(client: Any, crisis: Crisis) -> str:
    page: str = client.get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    return page


def _statement_card(page: str, statement: Statement) -> str:
    start = page.index(f'id="statement-{statement.pk}"')
    return page[start : page.index("</article>", start)]


def _timeline(page: str) -> str:
    start = page.index('id="timeline"')
    return page[start : page.index("</ol>", start)]


def _log(page: str) -> str:
    start = page.index("Journal des informations au public")
    return page[start : page.index("</section>", start)]


def _csv_kinds(client: Any, crisis: Crisis) -> list[str]:
    response = client.get(reverse("crisis_timeline_export", args=[crisis.pk]))
    return [row[2] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))][1:]


def _report_lines(crisis: Crisis) -> list[str]:
    now = timezone.now()
    return crisis_report_lines(crisis.organisation, now - timedelta(days=2), now + timedelta(days=1))


def _close(crisis: Crisis, tenant: Tenant) -> None:
    do_close_crisis(
        crisis,
        actor=tenant.manager.user,
        causes="Migration du système de remboursement.",
        what_worked="La cellule s'est réunie vite.",
        what_did_not="La déclaration n'est pas partie.",
        actions=[ActionIn("Surveiller les envois", tenant.manager.user.pk, date(2030, 1, 31))],
    )


@pytest.mark.parametrize("failure", ["server_error", "refused"])
def test_a_statement_whose_only_platform_fails_is_published_nowhere(
    tenant: Tenant, crisis: Crisis, platform: FakePlatform, login: Any, api_client: Any, failure: str
) -> None:
    if failure == "server_error":
        platform.add("POST", STATUSES, json={"error": "Erreur interne"}, status=500)
        account = _mastodon(tenant, platform.url)
    else:
        account = _mastodon(tenant, _closed_port_url())
    statement = _published(crisis, tenant, account)
    client = login(tenant.viewer)

    # Queued: on its way, not public.
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED
    assert statement.published_at is None
    assert statement.state == StatementState.SENDING
    page = _room(client, crisis)
    assert "Envoi en cours" in _statement_card(page, statement)
    assert "Pas encore publique" in _statement_card(page, statement)
    assert "déclaration publiée" not in _timeline(page)
    assert "envoi de la déclaration en cours" in _timeline(page)

    # Every sending failed: not published, anywhere.
    run_pending(limit=10)
    statement.refresh_from_db()
    publication = statement.publications.get()
    assert publication.status == StatementPublicationStatus.FAILED
    assert statement.status == StatementStatus.APPROVED
    assert statement.published_at is None
    assert statement.state == StatementState.FAILED
    page = _room(client, crisis)
    card = _statement_card(page, statement)
    assert "Échec de publication" in card
    assert "Non publiée : chaque envoi a échoué" in card
    assert ">Publiée<" not in card
    timeline = _timeline(page)
    assert "échec de publication de la déclaration" in timeline
    assert "déclaration publiée" not in timeline
    assert "déclaration mise en ligne" not in timeline
    assert "Rien de publié pour l'instant." in _log(page)
    kinds = _csv_kinds(client, crisis)
    assert "échec de publication de la déclaration" in kinds
    assert "déclaration publiée" not in kinds
    assert "déclaration mise en ligne" not in kinds
    assert " : aucune déclaration publiée" in _report_lines(crisis)[0]
    api = api_client(tenant.viewer).get(f"/api/v1/crises/{crisis.pk}/statements").json()
    assert (api[0]["status"], api[0]["state"], api[0]["published_at"]) == ("approved", "failed", None)

    # The way out offered in the room: the outbox's own retry (manager), same key.
    if failure == "refused":
        return
    platform.add("POST", STATUSES, json=_created())
    retry = reverse("statement_publication_retry", args=[crisis.pk, publication.pk])
    assert 'action="' + retry + '"' in _statement_card(_room(login(tenant.manager), crisis), statement)
    assert login(tenant.manager).post(retry).status_code == 302
    run_pending(limit=10)
    statement.refresh_from_db()
    publication.refresh_from_db()
    assert publication.status == StatementPublicationStatus.PUBLISHED
    assert statement.state == StatementState.PUBLISHED
    assert statement.published_at == publication.published_at, "public when the platform said so"
    keys = {r.headers["idempotency-key"] for r in platform.requests_to("POST", STATUSES)}
    assert len(keys) == 1
    assert len(platform.requests_to("POST", STATUSES)) == 2


def test_the_post_mortem_does_not_list_a_failed_statement_as_public(
    tenant: Tenant, crisis: Crisis, platform: FakePlatform, login: Any
) -> None:
    platform.add("POST", STATUSES, json={"error": "Erreur interne"}, status=500)
    _published(crisis, tenant, _mastodon(tenant, platform.url))
    run_pending(limit=10)
    _close(crisis, tenant)
    client = login(tenant.viewer)
    report = client.get(reverse("crisis_report", args=[crisis.pk, "html"])).content.decode()
    public = report[report.index("Informations au public") : report.index("Fil des événements")]
    assert "Aucune déclaration publiée." in public
    never = public[public.index("Déclarations approuvées jamais publiées") :]
    assert "Échec de publication" in never
    assert "Mastodon (échec" in never
    assert "Le portail" in never
    events = report[report.index("Fil des événements") :]
    assert "[échec de publication de la déclaration]" in events
    assert "[déclaration publiée]" not in events
    pdf = client.get(reverse("crisis_report", args=[crisis.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF-")


def test_a_statement_a_platform_confirms_is_published_everywhere(
    tenant: Tenant, crisis: Crisis, platform: FakePlatform, login: Any
) -> None:
    platform.add("POST", STATUSES, json=_created())
    statement = _published(crisis, tenant, _mastodon(tenant, platform.url))
    run_pending(limit=10)
    statement.refresh_from_db()
    publication = statement.publications.get()
    assert statement.status == StatementStatus.PUBLISHED
    assert statement.state == StatementState.PUBLISHED
    assert statement.published_at == publication.published_at
    client = login(tenant.viewer)
    page = _room(client, crisis)
    assert ">Publiée<" in _statement_card(page, statement)
    timeline = _timeline(page)
    assert "déclaration publiée" in timeline
    assert "(diffusion : Mastodon)" in timeline
    assert "déclaration mise en ligne" in timeline
    assert f'href="{LINK}"' in timeline
    assert "échec" not in timeline
    assert "envoi de la déclaration en cours" not in timeline
    assert f'href="{LINK}"' in _log(page)
    kinds = _csv_kinds(client, crisis)
    assert "déclaration publiée" in kinds
    assert "déclaration mise en ligne" in kinds
    assert " : 1 déclaration publiée" in _report_lines(crisis)[0]
    _close(crisis, tenant)
    report = client.get(reverse("crisis_report", args=[crisis.pk, "html"])).content.decode()
    public = report[report.index("Informations au public") : report.index("Fil des événements")]
    assert "Publiée · Mastodon (publiée" in public
    assert "jamais publiées" not in report


def test_one_platform_confirming_and_one_failing_is_partly_published(
    tenant: Tenant,
    crisis: Crisis,
    platform: FakePlatform,
    other_platform: FakePlatform,
    login: Any,
) -> None:
    platform.add("POST", STATUSES, json=_created())
    other_platform.add("POST", STATUSES, json={"error": "Erreur interne"}, status=500)
    good = _mastodon(tenant, platform.url, "Compte principal")
    bad = _mastodon(tenant, other_platform.url, "Compte du service client")
    statement = _published(crisis, tenant, good, bad)
    run_pending(limit=10)
    statement.refresh_from_db()
    rows = {p.source_id: p for p in statement.publications.all()}
    assert rows[good.pk].status == StatementPublicationStatus.PUBLISHED
    assert rows[bad.pk].status == StatementPublicationStatus.FAILED
    assert statement.state == StatementState.PARTIAL
    assert statement.published_at == rows[good.pk].published_at
    client = login(tenant.viewer)
    page = _room(client, crisis)
    assert "Partiellement publiée" in _statement_card(page, statement)
    timeline = _timeline(page)
    assert "déclaration partiellement publiée" in timeline
    assert "(diffusion : Mastodon ; pas publiée : Mastodon)" in timeline
    assert "Mastodon · Compte principal" in timeline
    assert "Mastodon · Compte du service client" in timeline
    assert "échec de publication de la déclaration" in timeline
    log = _log(page)
    assert "Partiellement publiée" in log
    assert "Mastodon (échec)" in log
    assert f'href="{LINK}"' in log
    kinds = _csv_kinds(client, crisis)
    assert "déclaration partiellement publiée" in kinds
    assert "déclaration publiée" not in kinds

    User.objects.filter(pk=tenant.viewer.user.pk).update(language="en")
    english = _room(login(tenant.viewer), crisis)
    assert "Partly published" in _statement_card(english, statement)
    timeline = _timeline(english)
    assert "statement partly published" in timeline
    assert "statement publication failed" in timeline
    assert "(channels: Mastodon; not published: Mastodon)" in timeline


def test_a_statement_for_a_platform_without_api_waits_for_a_person(
    tenant: Tenant, crisis: Crisis, login: Any
) -> None:
    instagram = make_source(tenant.organisation, platform="instagram", name="Compte Instagram")
    statement = _published(crisis, tenant, instagram)
    statement.refresh_from_db()
    assert statement.state == StatementState.BY_HAND
    assert statement.published_at is None
    page = _room(login(tenant.viewer), crisis)
    assert "À publier à la main" in _statement_card(page, statement)
    assert "déclaration à publier à la main" in _timeline(page)
    assert "déclaration publiée" not in _timeline(page)
    assert [item.kind for item in crisis_timeline(crisis) if item.kind == "statement"] == []
    publication = do_confirm_statement_posted_by_hand(
        statement.publications.get(), actor=tenant.manager.user, url="https://www.instagram.com/p/C0ffee/"
    )
    statement.refresh_from_db()
    assert statement.state == StatementState.PUBLISHED
    assert statement.published_at == publication.published_at
    assert "déclaration publiée" in _timeline(_room(login(tenant.viewer), crisis))


def test_a_place_recorded_by_hand_makes_it_public_at_once(tenant: Tenant, crisis: Crisis) -> None:
    statement = do_draft_statement(crisis, BODY, actor=tenant.agent.user, membership=tenant.agent)
    statement = do_approve_statement(statement, actor=tenant.manager.user)
    statement = do_publish_statement(statement, actor=tenant.manager.user, where="Site web")
    assert statement.status == StatementStatus.PUBLISHED
    assert statement.published_at is not None
    assert statement.state == StatementState.PUBLISHED
    again = do_publish_statement(statement, actor=tenant.manager.user)
    assert again.published_at == statement.published_at, "publishing twice is a no-op"


def test_statements_stored_as_published_when_queued_are_corrected(
    tenant: Tenant, crisis: Crisis, platform: FakePlatform, other_platform: FakePlatform
) -> None:
    """Migration ``alerts.0005``: a statement marked published when it was queued is approved
    again when no place confirmed it, and dated by its first confirmation otherwise."""
    from importlib import import_module

    from django.apps import apps

    platform.add("POST", STATUSES, json={"error": "Erreur interne"}, status=500)
    other_platform.add("POST", STATUSES, json=_created())
    failed = _published(crisis, tenant, _mastodon(tenant, platform.url))
    confirmed = _published(crisis, tenant, _mastodon(tenant, other_platform.url, "Autre compte"))
    said = do_publish_statement(
        do_approve_statement(
            do_draft_statement(crisis, BODY, actor=tenant.agent.user, membership=tenant.agent),
            actor=tenant.manager.user,
        ),
        actor=tenant.manager.user,
        where="Site web",
    )
    run_pending(limit=10)
    queued_at = timezone.now() - timedelta(minutes=5)
    # What the former code stored: published, at the time it was queued.
    Statement.objects.filter(pk__in=[failed.pk, confirmed.pk]).update(
        status=StatementStatus.PUBLISHED, published_at=queued_at
    )
    said_at = Statement.objects.get(pk=said.pk).published_at
    import_module("vigie.alerts.migrations.0005_statement_published_when_confirmed").forwards(apps, None)
    failed.refresh_from_db()
    confirmed.refresh_from_db()
    said.refresh_from_db()
    assert (failed.status, failed.published_at) == (StatementStatus.APPROVED, None)
    assert failed.state == StatementState.FAILED
    assert confirmed.status == StatementStatus.PUBLISHED
    assert confirmed.published_at == confirmed.publications.get().published_at
    assert said.published_at == said_at, "a place recorded by hand keeps its time"
