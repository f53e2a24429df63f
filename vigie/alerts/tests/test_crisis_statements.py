"""Crisis statements end to end: the playbook's holding statement in one click, drafts checked by
the quality gate, approval, publication once per connected account through the statements'
outbox (a real local Mastodon-shaped server; copy-and-open where the platform has no post API),
the timeline as CSV, and the post-mortem feeding an action plan. Roles and tenancy throughout."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from vigie.alerts.crisis.actions import (
    ActionIn,
    do_add_timeline_entry,
    do_approve_statement,
    do_assign_crisis_role,
    do_close_crisis,
    do_draft_holding_statement,
    do_draft_statement,
    do_edit_statement,
    do_open_crisis,
    do_publish_statement,
)
from vigie.alerts.crisis.publishing import (
    PUBLISH_STATEMENT_JOB,
    do_confirm_statement_posted_by_hand,
    do_retry_statement_publication,
    run_statement_publication,
)
from vigie.alerts.models import Crisis, StatementPublicationStatus, StatementState, StatementStatus
from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.jobs import run_pending
from vigie.core.models import Job
from vigie.inbox.models import Template
from vigie.insights.models import ActionPlan
from vigie.mentions.tests.factories import make_source

STATUSES = "/api/v1/statuses"
FIXTURES = Path(__file__).resolve().parents[2] / "connectors" / "builtin" / "mastodon" / "tests" / "fixtures"
FILLED = (
    "Nous avons connaissance des difficultés signalées et nous les prenons très au sérieux. "
    "Nos équipes sont mobilisées. Nous reviendrons vers vous ici au plus tard à 14 heures."
)


def status_created() -> Any:
    return json.loads((FIXTURES / "status_created.json").read_text())


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        yield fake


@pytest.fixture
def crisis(tenant: Tenant) -> Crisis:
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Panne du site")
    do_assign_crisis_role(crisis, "spokesperson", tenant.manager.user.pk, actor=tenant.manager.user)
    do_assign_crisis_role(crisis, "lead", tenant.manager.user.pk, actor=tenant.manager.user)
    return crisis


def mastodon(tenant: Tenant, platform: FakePlatform) -> Source:
    return do_create_source(
        tenant.organisation,
        platform="mastodon",
        name="Mastodon de l'entreprise",
        config={"base_url": platform.url, "access_token": "tok"},
    )


def approved(crisis: Crisis, tenant: Tenant, body: str = FILLED) -> Any:
    statement = do_draft_statement(crisis, body, actor=tenant.agent.user, membership=tenant.agent)
    return do_approve_statement(statement, actor=tenant.manager.user)


# --- drafting: the holding statement, templates and the quality gate -------------------------


def test_the_holding_statement_is_one_click_and_waits_for_its_fill_in(tenant: Tenant, crisis: Crisis) -> None:
    statement = do_draft_holding_statement(crisis, actor=tenant.agent.user, membership=tenant.agent)
    assert "[[à compléter : heure du prochain point]]" in statement.body
    assert tenant.organisation.name in statement.body, "the organisation's name is filled in"
    blocking = [f for f in statement.findings if f["severity"] == "block"]
    assert blocking, statement.findings
    assert "compléter" in blocking[0]["message"]
    with pytest.raises(Exception, match="contrôle qualité"):
        do_approve_statement(statement, actor=tenant.manager.user)
    statement = do_edit_statement(statement, FILLED, actor=tenant.agent.user, membership=tenant.agent)
    assert not [f for f in statement.findings if f["severity"] == "block"]
    assert do_approve_statement(statement, actor=tenant.manager.user).status == StatementStatus.APPROVED


def test_the_organisations_own_holding_template_is_preferred(tenant: Tenant, crisis: Crisis) -> None:
    Template.objects.create(
        organisation=tenant.organisation,
        name="Déclaration d'attente",
        key="declaration-attente",
        category="information",
        body="{{organisation}} est au courant. Point complet à [[à compléter : heure]].",
    )
    statement = do_draft_holding_statement(crisis, actor=tenant.agent.user)
    assert statement.body.startswith(f"{tenant.organisation.name} est au courant.")
    assert statement.template is not None


def test_the_room_offers_the_holding_statement_from_the_playbook_and_shows_findings_in_french(
    tenant: Tenant, crisis: Crisis, login: Any
) -> None:
    client = login(tenant.agent)
    page = client.get(reverse("crisis_detail", args=[crisis.pk]), HTTP_HOST="127.0.0.1").content.decode()
    assert "Rédiger la déclaration d'attente" in page, "the playbook's step has its button"
    response = client.post(reverse("statement_holding", args=[crisis.pk]), HTTP_HOST="127.0.0.1")
    assert response.status_code == 302
    page = client.get(reverse("crisis_detail", args=[crisis.pk]), HTTP_HOST="127.0.0.1").content.decode()
    assert "Bloquant" in page
    assert "compléter" in page
    assert "Modifier le brouillon" in page


def test_the_rooms_template_picker_offers_the_organisations_language(
    tenant: Tenant, crisis: Crisis, login: Any
) -> None:
    """Found in the demo: the picker mixed the French and English variants of every answer."""
    for language, name in (("fr", "Déclaration d'attente"), ("en", "Holding statement")):
        Template.objects.create(
            organisation=tenant.organisation,
            name=name,
            key="declaration-attente",
            language=language,
            category="information",
            body="{{organisation}} est au courant.",
        )
    page = login(tenant.agent).get(reverse("crisis_detail", args=[crisis.pk]), HTTP_HOST="127.0.0.1")
    html = page.content.decode()
    assert "Déclaration d&#x27;attente" in html or "Déclaration d'attente" in html
    assert "Holding statement" not in html


# --- publishing through the statements' outbox ------------------------------------------------


def test_a_statement_goes_once_to_each_account_automatically_or_by_hand(
    tenant: Tenant, crisis: Crisis, platform: FakePlatform
) -> None:
    platform.add("POST", STATUSES, json=status_created())
    account = mastodon(tenant, platform)
    x_account = make_source(tenant.organisation, platform="twitter", name="Compte X")
    statement = approved(crisis, tenant)
    do_publish_statement(statement, actor=tenant.manager.user, source_ids=[account.pk, x_account.pk])
    do_publish_statement(statement, actor=tenant.manager.user, source_ids=[account.pk, x_account.pk])
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED, "handed to the outbox is not published"
    assert statement.published_at is None
    assert statement.state == StatementState.SENDING
    rows = {p.platform: p for p in statement.publications.all()}
    assert set(rows) == {"mastodon", "twitter"}
    assert rows["twitter"].status == StatementPublicationStatus.BY_HAND
    assert Job.objects.filter(name=PUBLISH_STATEMENT_JOB).count() == 1
    run_pending(limit=10)
    run_statement_publication(rows["mastodon"].pk, "second-worker")  # a late duplicate: skipped
    sent = platform.requests_to("POST", STATUSES)
    assert len(sent) == 1, "exactly once"
    assert sent[0].json() == {"status": FILLED, "visibility": "public"}
    assert sent[0].headers["idempotency-key"] == f"vigie-statement-{statement.pk}-{account.pk}"
    rows["mastodon"].refresh_from_db()
    assert rows["mastodon"].status == StatementPublicationStatus.PUBLISHED
    assert rows["mastodon"].url == "https://mastodon.social/@acme/112383000000000042"
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PUBLISHED
    assert statement.published_at == rows["mastodon"].published_at, "when the platform confirmed it"
    assert statement.state == StatementState.PARTIAL, "X still waits for a person"
    posted = do_confirm_statement_posted_by_hand(
        rows["twitter"], actor=tenant.manager.user, url="https://x.com/acme/status/1"
    )
    assert posted.status == StatementPublicationStatus.POSTED_BY_HAND
    statement.refresh_from_db()
    assert statement.state == StatementState.PUBLISHED
    assert statement.published_at == rows["mastodon"].published_at, "the first confirmation's time"


def test_a_failed_sending_is_shown_and_retried_with_the_same_key(
    tenant: Tenant, crisis: Crisis, platform: FakePlatform
) -> None:
    platform.add("POST", STATUSES, json={"error": "Service indisponible"}, status=503)
    platform.add("POST", STATUSES, json=status_created())
    account = mastodon(tenant, platform)
    statement = approved(crisis, tenant)
    do_publish_statement(statement, actor=tenant.manager.user, source_ids=[account.pk])
    publication = statement.publications.get()
    assert run_statement_publication(publication.pk, "w1") == StatementPublicationStatus.FAILED
    publication.refresh_from_db()
    assert publication.error
    do_retry_statement_publication(publication, actor=tenant.manager.user)
    assert run_statement_publication(publication.pk, "w1") == StatementPublicationStatus.PUBLISHED
    keys = {r.headers["idempotency-key"] for r in platform.requests_to("POST", STATUSES)}
    assert len(keys) == 1


def test_a_draft_or_another_organisations_account_is_refused(
    tenant: Tenant, other_tenant: Tenant, crisis: Crisis
) -> None:
    draft = do_draft_statement(crisis, FILLED, actor=tenant.agent.user)
    foreign = make_source(other_tenant.organisation, platform="twitter")
    with pytest.raises(Exception, match="approuvée"):
        do_publish_statement(draft, actor=tenant.manager.user, source_ids=[])
    statement = do_approve_statement(draft, actor=tenant.manager.user)
    with pytest.raises(Exception, match="Compte inconnu"):
        do_publish_statement(statement, actor=tenant.manager.user, source_ids=[foreign.pk])
    assert not statement.publications.exists()


def test_a_statement_too_long_for_x_is_refused_before_anything_is_queued(
    tenant: Tenant, crisis: Crisis
) -> None:
    x_account = make_source(tenant.organisation, platform="twitter", name="Compte X")
    statement = approved(crisis, tenant, body=FILLED + " " + FILLED)
    with pytest.raises(Exception, match="Trop long"):
        do_publish_statement(statement, actor=tenant.manager.user, source_ids=[x_account.pk])
    assert not statement.publications.exists()


def test_only_the_spokesperson_or_a_manager_publishes_from_the_room(
    tenant: Tenant, crisis: Crisis, login: Any
) -> None:
    x_account = make_source(tenant.organisation, platform="twitter", name="Compte X")
    statement = approved(crisis, tenant)
    url = reverse("statement_publish", args=[crisis.pk, statement.pk])
    refused = login(tenant.agent).post(url, {"sources": [x_account.pk]}, HTTP_HOST="127.0.0.1")
    assert refused.status_code == 403
    assert not statement.publications.exists()
    client = login(tenant.manager)
    page = client.get(reverse("crisis_detail", args=[crisis.pk]), HTTP_HOST="127.0.0.1").content.decode()
    assert "à copier et publier à la main" in page
    assert client.post(url, {"sources": [x_account.pk]}, HTTP_HOST="127.0.0.1").status_code == 302
    publication = statement.publications.get()
    page = client.get(reverse("crisis_detail", args=[crisis.pk]), HTTP_HOST="127.0.0.1").content.decode()
    assert "À publier à la main" in page
    assert "Copier le texte" in page
    posted = reverse("statement_publication_posted", args=[crisis.pk, publication.pk])
    assert login(tenant.agent).post(posted, HTTP_HOST="127.0.0.1").status_code == 403
    client.post(posted, {"url": "https://x.com/acme/status/9"}, HTTP_HOST="127.0.0.1")
    publication.refresh_from_db()
    assert publication.status == StatementPublicationStatus.POSTED_BY_HAND


def test_another_organisation_reaches_none_of_it(
    tenant: Tenant, other_tenant: Tenant, crisis: Crisis, login: Any
) -> None:
    x_account = make_source(tenant.organisation, platform="twitter", name="Compte X")
    statement = approved(crisis, tenant)
    do_publish_statement(statement, actor=tenant.manager.user, source_ids=[x_account.pk])
    publication = statement.publications.get()
    intruder = login(other_tenant.admin)
    for name, args in (
        ("statement_holding", [crisis.pk]),
        ("statement_edit", [crisis.pk, statement.pk]),
        ("statement_publish", [crisis.pk, statement.pk]),
        ("statement_publication_posted", [crisis.pk, publication.pk]),
        ("statement_publication_retry", [crisis.pk, publication.pk]),
    ):
        assert (
            intruder.post(reverse(name, args=args), {"body": "x"}, HTTP_HOST="127.0.0.1").status_code == 404
        )
    export = reverse("crisis_timeline_export", args=[crisis.pk])
    assert intruder.get(export, HTTP_HOST="127.0.0.1").status_code == 404
    assert statement.crisis.statements.count() == 1


# --- the API ----------------------------------------------------------------------------------


def test_the_api_drafts_approves_and_publishes(
    tenant: Tenant, other_tenant: Tenant, crisis: Crisis, api_client: Any
) -> None:
    x_account = make_source(tenant.organisation, platform="twitter", name="Compte X")
    agent = api_client(tenant.agent)
    base = f"/api/v1/crises/{crisis.pk}/statements"
    holding = agent.post(f"{base}/holding")
    assert holding.status_code == 201
    assert holding.json()["blocked"] is True
    drafted = agent.post(base, {"body": FILLED}, content_type="application/json")
    assert drafted.status_code == 201, drafted.content
    statement_id = drafted.json()["id"]
    assert agent.post(f"{base}/{statement_id}/approve").status_code == 403
    manager = api_client(tenant.manager)
    assert manager.post(f"{base}/{holding.json()['id']}/approve").status_code == 422
    assert manager.post(f"{base}/{statement_id}/approve").json()["status"] == "approved"
    publish = {"source_ids": [x_account.pk]}
    assert (
        agent.post(f"{base}/{statement_id}/publish", publish, content_type="application/json").status_code
        == 403
    )
    published = manager.post(f"{base}/{statement_id}/publish", publish, content_type="application/json")
    assert published.json()["publications"][0]["status"] == "by_hand"
    assert len(manager.get(base).json()) == 2
    outsider = api_client(other_tenant.admin)
    assert outsider.get(base).status_code == 404
    assert outsider.post(f"{base}/holding").status_code == 404


# --- the timeline as CSV ------------------------------------------------------------------------


def test_the_timeline_exports_in_french_in_the_organisations_time_zone(
    tenant: Tenant, crisis: Crisis, login: Any
) -> None:
    organisation = tenant.organisation
    organisation.timezone = "America/Montreal"
    organisation.save()
    do_add_timeline_entry(
        crisis,
        '=HYPERLINK("http://evil.example","cliquez")',
        actor=tenant.agent.user,
        at=datetime(2026, 12, 6, 15, 5, tzinfo=UTC),
    )
    response = login(tenant.viewer).get(
        reverse("crisis_timeline_export", args=[crisis.pk]), HTTP_HOST="127.0.0.1"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Date", "Heure (America/Montreal)", "Type", "Qui", "Texte", "Lien"]
    entry = next(row for row in rows if "HYPERLINK" in row[4])
    assert entry[:3] == ["06/12/2026", "10:05", "note"]
    assert entry[4].startswith("'="), "a formula is neutralised"


# --- the post-mortem feeding an action plan ---------------------------------------------------


def test_the_post_mortem_feeds_one_action_plan(
    tenant: Tenant, other_tenant: Tenant, crisis: Crisis, login: Any
) -> None:
    do_close_crisis(
        crisis,
        actor=tenant.manager.user,
        causes="Mise à jour défaillante du portail.",
        what_worked="Déclaration d'attente en moins d'une heure.",
        what_did_not="Le service client a été briefé tard.",
        actions=[
            ActionIn("Tester les mises à jour en préproduction", tenant.agent.user.pk, date(2030, 1, 31))
        ],
    )
    url = reverse("insights-action-plan-create") + f"?crisis={crisis.pk}"
    assert login(tenant.agent).get(url, HTTP_HOST="127.0.0.1").status_code == 403
    assert login(other_tenant.admin).get(url, HTTP_HOST="127.0.0.1").status_code == 404
    client = login(tenant.manager)
    room = client.get(reverse("crisis_detail", args=[crisis.pk]), HTTP_HOST="127.0.0.1").content.decode()
    assert f"?crisis={crisis.pk}" in room
    form = client.get(url, HTTP_HOST="127.0.0.1")
    page = form.content.decode()
    assert "Suites de la crise « Panne du site »" in page
    assert "Tester les mises à jour en préproduction" in page
    initial = form.context["form"].initial
    assert initial["due_on"] == date(2030, 1, 31)
    assert initial["owner"] == tenant.manager.user.pk, "the crisis lead owns the plan"
    theme = form.context["form"].fields["theme"].choices[1][0]  # the first is "Choisissez un thème…"
    data = {
        "theme": theme,
        "title": initial["title"],
        "description": initial["description"],
        "owner": str(initial["owner"]),
        "status": "planned",
        "started_on": initial["started_on"].isoformat(),
        "due_on": "2030-01-31",
    }
    assert client.post(url, data, HTTP_HOST="127.0.0.1").status_code == 302
    plan = ActionPlan.objects.get(crisis=crisis)
    assert plan.organisation == tenant.organisation
    again = client.get(url, HTTP_HOST="127.0.0.1")
    assert again.status_code == 302
    assert again["Location"].endswith(f"/{plan.pk}/")
    assert ActionPlan.objects.filter(crisis=crisis).count() == 1
