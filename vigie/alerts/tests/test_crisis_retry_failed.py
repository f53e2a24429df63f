"""A statement whose sendings partly failed: each account says its own state and, once online,
when it went online (in the reader's time zone, not the drafting time); every failed sending is
sent again in one click ("Relancer tous les envois en échec"), each with its own key, and a
second click sends nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from vigie.alerts.crisis.actions import (
    do_approve_statement,
    do_assign_crisis_role,
    do_draft_statement,
    do_open_crisis,
    do_publish_statement,
)
from vigie.alerts.models import Crisis, Statement, StatementPublicationStatus, StatementState
from vigie.alerts.tests.test_crisis_statement_outcome import FIXTURES, STATUSES
from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.jobs import run_pending

BODY = "Le portail des remboursements est rétabli depuis 13 heures. Merci de votre patience."
Status = StatementPublicationStatus


def _created() -> Any:
    return json.loads((FIXTURES / "status_created.json").read_text())


@pytest.fixture
def platforms() -> Iterator[list[FakePlatform]]:
    with FakePlatform() as ok, FakePlatform() as down, FakePlatform() as also_down:
        yield [ok, down, also_down]


def _account(tenant: Tenant, url: str, name: str) -> Source:
    return do_create_source(
        tenant.organisation, platform="mastodon", name=name, config={"base_url": url, "access_token": "tok"}
    )


def _card(page: str, statement: Statement) -> str:
    start = page.index(f'id="statement-{statement.pk}"')
    return page[start : page.index("</article>", start)]


def _row(card: str, account: str) -> str:
    start = card.index(account)
    return card[start : card.index("</li>", start)]


def test_every_failed_sending_of_a_statement_is_retried_in_one_click(
    tenant: Tenant, platforms: list[FakePlatform], login: Any
) -> None:
    ok, down, also_down = platforms
    ok.add("POST", STATUSES, json=_created())
    for fake in (down, also_down):
        fake.add("POST", STATUSES, json={"error": "Erreur interne"}, status=500)
        fake.add("POST", STATUSES, json=_created())
    accounts = [
        _account(tenant, ok.url, "Compte principal"),
        _account(tenant, down.url, "Compte agences"),
        _account(tenant, also_down.url, "Compte presse"),
    ]
    crisis: Crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Portail en panne")
    do_assign_crisis_role(crisis, "spokesperson", tenant.manager.user.pk, actor=tenant.manager.user)
    statement = do_draft_statement(crisis, BODY, actor=tenant.agent.user, membership=tenant.agent)
    # Drafted three hours before it went out: the room must not show that moment as its publication.
    Statement.objects.filter(pk=statement.pk).update(created_at=timezone.now() - timedelta(hours=3))
    statement = do_approve_statement(statement, actor=tenant.manager.user)
    do_publish_statement(statement, actor=tenant.manager.user, source_ids=[a.pk for a in accounts])
    run_pending(limit=10)
    statement.refresh_from_db()
    assert statement.state == StatementState.PARTIAL

    manager = login(tenant.manager)
    room = reverse("crisis_detail", args=[crisis.pk])
    card = _card(manager.get(room).content.decode(), statement)
    online = statement.publications.get(source=accounts[0])
    shown = formats.date_format(timezone.localtime(online.published_at), "SHORT_DATETIME_FORMAT")
    drafted = formats.date_format(timezone.localtime(statement.created_at), "SHORT_DATETIME_FORMAT")
    assert shown != drafted
    assert f"en ligne le {shown}" in _row(card, "Compte principal")
    assert f"rédigée le {drafted}" in card
    for name in ("Compte agences", "Compte presse"):
        assert "Échec" in _row(card, name)
        assert "en ligne le" not in _row(card, name)
    retry_all = reverse("statement_publications_retry_failed", args=[crisis.pk, statement.pk])
    assert f'action="{retry_all}"' in card
    assert "Relancer tous les envois en échec (2 comptes)" in card

    # A reader of the room may not send anything.
    assert login(tenant.viewer).post(retry_all).status_code == 403

    response = manager.post(retry_all, follow=True)
    assert "Nouvel envoi demandé sur 2 comptes." in response.content.decode()
    assert set(statement.publications.values_list("status", flat=True)) == {Status.PUBLISHED, Status.PENDING}
    run_pending(limit=10)
    statement.refresh_from_db()
    assert statement.state == StatementState.PUBLISHED
    assert set(statement.publications.values_list("status", flat=True)) == {Status.PUBLISHED}
    # Each account was asked again once, with the key of its first try; the one online was not.
    assert len(ok.requests_to("POST", STATUSES)) == 1
    for fake in (down, also_down):
        requests = fake.requests_to("POST", STATUSES)
        assert len(requests) == 2
        assert len({r.headers["idempotency-key"] for r in requests}) == 1

    # Nothing left to retry: a second click (or a double click) sends nothing.
    card = _card(manager.get(room).content.decode(), statement)
    assert "Relancer tous les envois" not in card
    response = manager.post(retry_all, follow=True)
    assert "Aucun envoi en échec à relancer." in response.content.decode()
    run_pending(limit=10)
    assert sum(len(f.requests_to("POST", STATUSES)) for f in platforms) == 5
