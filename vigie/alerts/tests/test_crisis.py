"""The crisis room's rules: the charter's playbook as checklist, a cell of members, a timeline
that merges automatic events and manual entries, statements approved before they go public, and
no closing without a post-mortem."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vigie.alerts.actions import Finding, do_record_finding
from vigie.alerts.crisis.actions import (
    ActionIn,
    do_add_timeline_entry,
    do_approve_statement,
    do_assign_crisis_role,
    do_close_crisis,
    do_draft_statement,
    do_open_crisis,
    do_publish_statement,
    do_tick_playbook_item,
)
from vigie.alerts.models import AlertStatus, CrisisStatus, StatementStatus
from vigie.alerts.queries import crisis_timeline, scope_metrics
from vigie.charter.actions import do_update_charter
from vigie.charter.document import CharterDocument, PlaybookStep
from vigie.conftest import Tenant
from vigie.core.models import AuditEvent
from vigie.mentions.tests.factories import make_mention


def test_the_playbook_is_the_charters_at_opening_time(tenant: Tenant) -> None:
    document = CharterDocument(crisis_playbook=[PlaybookStep(title="Appeler l'assureur", role="legal")])
    do_update_charter(tenant.organisation, document, author=tenant.admin.user)
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Fuite de données")
    assert [(s.title, s.role) for s in crisis.playbook.all()] == [("Appeler l'assureur", "legal")]
    step = crisis.playbook.get()
    do_tick_playbook_item(step, actor=tenant.agent.user)
    step.refresh_from_db()
    assert step.done_by == tenant.agent.user
    assert step.done_at is not None


def test_opening_from_an_alert_acknowledges_it_and_starts_at_the_episode(tenant: Tenant) -> None:
    since = timezone.now() - timedelta(minutes=40)
    alert, _ = do_record_finding(
        tenant.organisation,
        Finding(
            key="negative_volume:org", rule="negative_volume", title="Pic", severity="warning", since=since
        ),
    )
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Pic", alert=alert)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert crisis.started_at == since
    assert AuditEvent.objects.filter(verb="crisis.opened", object_id=str(crisis.pk)).exists()


def test_a_crisis_opened_by_hand_looks_back_and_refuses_an_absurd_start(tenant: Tenant) -> None:
    org = tenant.organisation
    before = timezone.now()
    crisis = do_open_crisis(org, actor=tenant.manager.user, title="Vague", keywords=["panne"])
    assert before - timedelta(hours=24) <= crisis.started_at <= timezone.now() - timedelta(hours=24)
    make_mention(org, text="La panne dure depuis ce matin", created_at=before - timedelta(hours=6))
    assert scope_metrics(crisis).mentions == 1, "the wave before the room opened is in scope"
    for wrong in (timezone.now() + timedelta(minutes=5), timezone.now() - timedelta(days=91)):
        with pytest.raises(ValidationError):
            do_open_crisis(org, actor=tenant.manager.user, title="Erreur", started_at=wrong)
    started = timezone.now() - timedelta(days=89)
    assert (
        do_open_crisis(org, actor=tenant.manager.user, title="Longue", started_at=started).started_at
        == started
    )


def test_the_cell_holds_members_of_the_organisation_only(tenant: Tenant, other_tenant: Tenant) -> None:
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Crise")
    do_assign_crisis_role(crisis, "spokesperson", tenant.agent.user.pk, actor=tenant.manager.user)
    assert crisis.cell.get(role="spokesperson").user == tenant.agent.user
    with pytest.raises(ValidationError):
        do_assign_crisis_role(crisis, "legal", other_tenant.agent.user.pk, actor=tenant.manager.user)


def test_scope_and_timeline_merge_mentions_statements_and_manual_entries(tenant: Tenant) -> None:
    org = tenant.organisation
    crisis = do_open_crisis(org, actor=tenant.manager.user, title="Panne", keywords=["panne"])
    make_mention(
        org, text="Encore une panne du site !", created_at=timezone.now(), sentiment="negative", reach=500
    )
    make_mention(org, text="Très bon accueil.", created_at=timezone.now())
    metrics = scope_metrics(crisis)
    assert (metrics.mentions, metrics.negative, metrics.reach) == (1, 1, 500)
    do_add_timeline_entry(crisis, "Cellule réunie", actor=tenant.agent.user)
    do_assign_crisis_role(crisis, "spokesperson", tenant.manager.user.pk, actor=tenant.manager.user)
    statement = do_draft_statement(crisis, "Nous enquêtons.", actor=tenant.agent.user)
    with pytest.raises(ValidationError):
        do_publish_statement(statement, actor=tenant.manager.user)
    do_approve_statement(statement, actor=tenant.manager.user)
    do_publish_statement(statement, actor=tenant.manager.user, where="Site web")
    do_publish_statement(statement, actor=tenant.manager.user, where="Site web")
    kinds = [item.kind for item in crisis_timeline(crisis)]
    assert sorted(kinds) == ["approved", "drafted", "manual", "mention", "opened", "statement"], (
        "one entry per publication, never two"
    )
    statement.refresh_from_db()
    assert statement.published_where == "Site web", "the same place is not listed twice"
    assert statement.status == StatementStatus.PUBLISHED


def test_someone_else_than_the_spokesperson_cannot_approve(tenant: Tenant) -> None:
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Crise")
    statement = do_draft_statement(crisis, "Texte", actor=tenant.agent.user)
    with pytest.raises(PermissionError):
        do_approve_statement(statement, actor=tenant.manager.user)
    do_approve_statement(statement, actor=tenant.admin.user)


def test_a_closed_crisis_keeps_its_post_mortem_and_accepts_no_more_entries(tenant: Tenant) -> None:
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Crise")
    with pytest.raises(ValidationError):
        do_close_crisis(
            crisis, actor=tenant.manager.user, causes="", what_worked="a", what_did_not="b", actions=[]
        )
    do_close_crisis(
        crisis,
        actor=tenant.manager.user,
        causes="c",
        what_worked="a",
        what_did_not="b",
        actions=[ActionIn("Former", tenant.agent.user.pk, timezone.localdate())],
    )
    crisis.refresh_from_db()
    assert crisis.status == CrisisStatus.CLOSED
    assert crisis.postmortem.causes == "c"
    with pytest.raises(ValidationError):
        do_add_timeline_entry(crisis, "Trop tard", actor=tenant.agent.user)


def test_a_member_given_a_role_in_the_cell_is_told_in_app(tenant: Tenant) -> None:
    from vigie.core.models import Notification

    crisis = do_open_crisis(
        tenant.organisation, actor=tenant.manager.user, title="Panne", cell={"legal": tenant.agent.user.pk}
    )
    notice = Notification.objects.get(recipient=tenant.agent.user, event="crisis.role_assigned")
    assert notice.title == "Vous êtes Juridique de la crise « Panne »"
    assert notice.url.endswith(f"/alerts/crises/{crisis.pk}/")
