"""Every write of a crisis room: opening it (by hand or from an alert), its cell, playbook,
timeline and statements, and closing it with a post-mortem and corrective actions. Each function
runs in one transaction and records an audit event."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vigie.alerts.actions import do_acknowledge_alert
from vigie.alerts.models import (
    Alert,
    AlertStatus,
    CorrectiveAction,
    Crisis,
    CrisisMember,
    CrisisRole,
    CrisisStatus,
    Incident,
    PlaybookItem,
    PostMortem,
    Severity,
    Statement,
    StatementStatus,
    TimelineEntry,
)
from vigie.core.actions import do_notify, do_record_audit_event
from vigie.core.models import Membership, Organisation, User
from vigie.core.roles import MANAGE
from vigie.core.tenancy import scoped
from vigie.inbox.models import Template


def _member_user(organisation: Organisation, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    membership = Membership.objects.filter(organisation=organisation, user_id=user_id, is_active=True).first()
    if membership is None:
        raise ValidationError(_("Cette personne n'est pas membre de l'organisation."))
    return membership.user


def _clean_list(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(v.strip() if isinstance(v, str) else v for v in values if v not in ("", None)))


# A cell opens a room because a wave is already under way: unless the manager says otherwise, the
# scope of a crisis opened by hand starts this long before it is opened (one opened from an alert
# starts where the alert's episode started). A start further back than the longest look-back is a
# typing mistake, not a crisis.
CRISIS_LOOKBACK = timedelta(hours=24)
CRISIS_MAX_LOOKBACK_DAYS = 90


def default_crisis_start(alert: Alert | None = None, *, now: datetime | None = None) -> datetime:
    """Where a new crisis' scope starts unless the manager corrects it: the alert's episode, or
    ``CRISIS_LOOKBACK`` before now for a crisis opened by hand."""
    if alert is not None:
        return alert.since or alert.opened_at
    return (now or timezone.now()) - CRISIS_LOOKBACK


def suggested_crisis_start(
    alert: Alert | None = None, incident: Incident | None = None, *, now: datetime | None = None
) -> datetime:
    """What the "open a crisis" form proposes as its start: the alert's episode, else the start of
    the open incident, else now, to the minute in the current (the organisation's) time zone. A
    room opened on a quiet day read "En cours · depuis hier" with a 24-hour lookback."""
    if alert is not None:
        return default_crisis_start(alert)
    if incident is not None:
        return incident.since or incident.opened_at
    return timezone.localtime(now or timezone.now()).replace(second=0, microsecond=0)


def check_crisis_start(started_at: datetime, *, now: datetime | None = None) -> datetime:
    """A start a manager typed: not in the future, not more than ``CRISIS_MAX_LOOKBACK_DAYS`` back."""
    now = now or timezone.now()
    if started_at > now:
        raise ValidationError(_("Le début de la crise ne peut pas être dans le futur."))
    if started_at < now - timedelta(days=CRISIS_MAX_LOOKBACK_DAYS):
        raise ValidationError(
            _("Le début de la crise ne peut pas remonter à plus de %(days)s jours.")
            % {"days": CRISIS_MAX_LOOKBACK_DAYS}
        )
    return started_at


@transaction.atomic
def do_open_crisis(
    organisation: Organisation,
    *,
    actor: User,
    title: str,
    severity: str = Severity.WARNING,
    keywords: list[str] | None = None,
    themes: list[str] | None = None,
    source_ids: list[int] | None = None,
    location_ids: list[int] | None = None,
    alert: Alert | None = None,
    cell: dict[str, int] | None = None,
    started_at: datetime | None = None,
) -> Crisis:
    """Open a crisis room, by hand or from an alert; the charter's playbook becomes its checklist.
    Its scope holds the mentions since ``started_at`` (by default ``default_crisis_start``)."""
    from vigie.charter.queries import current_charter
    from vigie.connectors.models import Source
    from vigie.core.models import Location

    if not title.strip():
        raise ValidationError(_("Donnez un titre à la crise."))
    if severity not in Severity.values:
        raise ValidationError(_("Gravité inconnue."))
    source_ids = _clean_list(source_ids or [])
    location_ids = _clean_list(location_ids or [])
    if scoped(Source, organisation).filter(pk__in=source_ids).count() != len(source_ids):
        raise ValidationError(_("Source inconnue."))
    if scoped(Location, organisation).filter(pk__in=location_ids).count() != len(location_ids):
        raise ValidationError(_("Lieu inconnu."))
    if alert is not None and alert.organisation_id != organisation.pk:
        raise ValidationError(_("Alerte inconnue."))
    if started_at is not None:
        check_crisis_start(started_at)
    crisis = Crisis.objects.create(
        organisation=organisation,
        title=title.strip()[:200],
        severity=severity,
        keywords=_clean_list(keywords or []),
        themes=_clean_list(themes or []),
        source_ids=source_ids,
        location_ids=location_ids,
        alert=alert,
        started_at=started_at or default_crisis_start(alert),
        opened_by=actor,
    )
    for position, step in enumerate(current_charter(organisation).crisis_playbook):
        PlaybookItem.objects.create(
            organisation=organisation,
            crisis=crisis,
            position=position,
            title=step.title,
            role=step.role,
            detail=step.detail,
        )
    do_record_audit_event(
        organisation,
        "crisis.opened",
        actor=actor,
        obj=crisis,
        data={
            "title": crisis.title,
            "alert_id": alert.pk if alert else None,
            "started_at": crisis.started_at.isoformat(),
        },
    )
    for role, user_id in (cell or {}).items():
        do_assign_crisis_role(crisis, role, user_id, actor=actor)
    if alert is not None and alert.status == AlertStatus.OPEN:
        do_acknowledge_alert(alert, actor=actor)
    return crisis


def _open(crisis: Crisis) -> None:
    if crisis.status != CrisisStatus.OPEN:
        raise ValidationError(_("Cette crise est close."))


@transaction.atomic
def do_set_crisis_start(crisis: Crisis, started_at: datetime, *, actor: User) -> Crisis:
    """Correct where an open crisis' scope starts (the wave began earlier, or later, than was
    thought when the room was opened): every reading of the scope follows; the audit log keeps
    the previous start."""
    _open(crisis)
    check_crisis_start(started_at)
    before = crisis.started_at
    if started_at == before:
        return crisis
    crisis.started_at = started_at
    crisis.save(update_fields=["started_at"])
    do_record_audit_event(
        crisis.organisation,
        "crisis.start_changed",
        actor=actor,
        obj=crisis,
        data={"before": before.isoformat(), "after": started_at.isoformat()},
    )
    return crisis


@transaction.atomic
def do_assign_crisis_role(
    crisis: Crisis, role: str, user_id: int | None, *, actor: User
) -> CrisisMember | None:
    """Give a role of the cell to a member (or free it with ``user_id=None``)."""
    _open(crisis)
    if role not in CrisisRole.values:
        raise ValidationError(_("Rôle inconnu."))
    user = _member_user(crisis.organisation, user_id)
    CrisisMember.objects.filter(crisis=crisis, role=role).delete()
    holder = None
    if user is not None:
        holder = CrisisMember.objects.create(
            organisation=crisis.organisation, crisis=crisis, role=role, user=user
        )
        with translation.override(user.language or crisis.organisation.language):
            title = _("Vous êtes %(role)s de la crise « %(title)s »") % {
                "role": CrisisRole(role).label,
                "title": crisis.title,
            }
        do_notify(
            crisis.organisation,
            user,
            "crisis.role_assigned",
            title,
            url=reverse("crisis_detail", args=[crisis.pk]),
            data={"crisis_id": crisis.pk, "role": role},
        )
    do_record_audit_event(
        crisis.organisation,
        "crisis.role_assigned",
        actor=actor,
        obj=crisis,
        data={"role": role, "user": user.email if user else None},
    )
    return holder


@transaction.atomic
def do_tick_playbook_item(item: PlaybookItem, *, actor: User, done: bool = True) -> PlaybookItem:
    """Tick (or untick) a playbook step, remembering who and when."""
    _open(item.crisis)
    item.done_at = timezone.now() if done else None
    item.done_by = actor if done else None
    item.save(update_fields=["done_at", "done_by"])
    do_record_audit_event(
        item.organisation,
        "crisis.playbook_ticked",
        actor=actor,
        obj=item.crisis,
        data={"step": item.title, "done": done},
    )
    return item


@transaction.atomic
def do_add_timeline_entry(
    crisis: Crisis, text: str, *, actor: User, at: datetime | None = None
) -> TimelineEntry:
    """Add a manual entry to a crisis' timeline."""
    _open(crisis)
    text = text.strip()
    if not text:
        raise ValidationError(_("L'entrée est vide."))
    if len(text) > 5000:
        raise ValidationError(_("L'entrée est trop longue (5 000 caractères au plus)."))
    entry = TimelineEntry.objects.create(
        organisation=crisis.organisation, crisis=crisis, text=text, author=actor, at=at or timezone.now()
    )
    do_record_audit_event(
        crisis.organisation, "crisis.timeline_entry", actor=actor, obj=crisis, data={"entry_id": entry.pk}
    )
    return entry


def _statement_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError(_("La déclaration est vide."))
    if len(body) > 5000:
        raise ValidationError(_("La déclaration est trop longue (5 000 caractères au plus)."))
    return body


@transaction.atomic
def do_draft_statement(
    crisis: Crisis,
    body: str,
    *,
    actor: User,
    template: Template | None = None,
    membership: Membership | None = None,
    holding: bool = False,
) -> Statement:
    """Draft a holding statement or public update (from a template or free text). The quality
    gate runs on it; its findings are kept with the draft, which is saved even when one blocks
    (nothing typed is lost), but a blocked draft cannot be approved until it is corrected.
    ``holding``: the playbook's holding statement (the timeline names it so)."""
    from vigie.alerts.crisis.statements import gate_findings

    _open(crisis)
    body = _statement_body(body)
    if template is not None and template.organisation_id != crisis.organisation_id:
        raise ValidationError(_("Modèle inconnu."))
    statement = Statement.objects.create(
        organisation=crisis.organisation,
        crisis=crisis,
        body=body,
        template=template,
        author=actor,
        findings=gate_findings(body, crisis.organisation, membership=membership, template=template),
    )
    do_record_audit_event(
        crisis.organisation,
        "crisis.statement_drafted",
        actor=actor,
        obj=crisis,
        data={"statement_id": statement.pk, "blocked": _blocked(statement), "holding": holding},
    )
    return statement


def _blocked(statement: Statement) -> bool:
    from vigie.alerts.crisis.statements import blocked

    return blocked(statement.findings)


def do_draft_holding_statement(
    crisis: Crisis, *, actor: User, membership: Membership | None = None
) -> Statement:
    """The playbook's holding statement in one click: drafted from the organisation's template
    ``declaration-attente`` (else Vigie's wording), its fill-ins left for the spokesperson."""
    from vigie.alerts.crisis.statements import holding_statement

    body, template = holding_statement(crisis)
    return do_draft_statement(
        crisis, body, actor=actor, template=template, membership=membership, holding=True
    )


@transaction.atomic
def do_edit_statement(
    statement: Statement, body: str, *, actor: User, membership: Membership | None = None
) -> Statement:
    """Correct a draft (fill in the next update's time, shorten it); the gate runs again."""
    from vigie.alerts.crisis.statements import gate_findings

    statement = (
        Statement.objects.select_for_update(of=("self",))
        .select_related("crisis", "template")
        .get(pk=statement.pk)
    )
    _open(statement.crisis)
    if statement.status != StatementStatus.DRAFT:
        raise ValidationError(_("Seul un brouillon peut être modifié."))
    statement.body = _statement_body(body)
    statement.findings = gate_findings(
        statement.body, statement.organisation, membership=membership, template=statement.template
    )
    statement.save(update_fields=["body", "findings"])
    do_record_audit_event(
        statement.organisation,
        "crisis.statement_edited",
        actor=actor,
        obj=statement.crisis,
        data={"statement_id": statement.pk, "blocked": _blocked(statement)},
    )
    return statement


@transaction.atomic
def do_approve_statement(statement: Statement, *, actor: User) -> Statement:
    """The spokesperson (or an admin: the caller checks who) approves a draft."""
    from vigie.alerts.queries import can_approve_statement

    statement = (
        Statement.objects.select_for_update(of=("self",)).select_related("crisis").get(pk=statement.pk)
    )
    _open(statement.crisis)
    membership = Membership.objects.filter(
        organisation=statement.organisation, user=actor, is_active=True
    ).first()
    if membership is None or not can_approve_statement(statement.crisis, membership):
        raise PermissionError("only the spokesperson or an admin approves statements")
    if statement.status != StatementStatus.DRAFT:
        raise ValidationError(_("Seul un brouillon peut être approuvé."))
    if _blocked(statement):
        raise ValidationError(
            _("Le contrôle qualité bloque cette déclaration : corrigez-la avant de l'approuver.")
        )
    statement.status = StatementStatus.APPROVED
    statement.approved_by = actor
    statement.approved_at = timezone.now()
    statement.save()
    do_record_audit_event(
        statement.organisation,
        "crisis.statement_approved",
        actor=actor,
        obj=statement.crisis,
        data={"statement_id": statement.pk},
    )
    return statement


@transaction.atomic
def do_publish_statement(
    statement: Statement, *, actor: User, where: str = "", source_ids: Iterable[int] = ()
) -> Statement:
    """Publish an approved statement: on each chosen connected account through the statements'
    outbox (``vigie.alerts.crisis.publishing``; by hand where the platform has no API for posts),
    and in the log of public updates with ``where`` it was also said (a website, the press).
    Calling it again adds only the accounts not chosen before: no account ever gets it twice.

    Handing it to the outbox does not make it public: it is *envoi en cours* until a platform
    confirms (then *publiée* at that time, see ``Statement.state``). A place recorded in ``where``
    is a person saying it was said there: that makes it public now."""
    from vigie.alerts.crisis.publishing import mark_statement_public, queue_statement_publications

    statement = (
        Statement.objects.select_for_update(of=("self",)).select_related("crisis").get(pk=statement.pk)
    )
    _open(statement.crisis)
    if statement.status == StatementStatus.DRAFT:
        raise ValidationError(_("La déclaration doit être approuvée par le porte-parole avant publication."))
    source_ids = _clean_list(source_ids)
    handed_out = statement.status == StatementStatus.PUBLISHED or statement.publications.exists()
    if not source_ids and not where.strip() and handed_out:
        return statement  # publishing twice is a no-op, never a second entry
    if not source_ids and not where.strip():
        raise ValidationError(
            _("Choisissez au moins un compte où publier, ou indiquez où elle a été publiée.")
        )
    queued = queue_statement_publications(statement, source_ids, actor=actor)
    if where.strip() and where.strip() not in statement.published_where.split(" ; "):
        places = [p for p in (statement.published_where, where.strip()) if p]
        statement.published_where = " ; ".join(places)[:300]
        # Only this field: the outbox's job may have marked the statement public meanwhile.
        statement.save(update_fields=["published_where"])
        mark_statement_public(statement.pk, timezone.now())
        statement.refresh_from_db(fields=["status", "published_at"])
    do_record_audit_event(
        statement.organisation,
        "crisis.statement_published",
        actor=actor,
        obj=statement.crisis,
        data={
            "statement_id": statement.pk,
            "where": statement.published_where,
            "platforms": [p.platform for p in queued],
        },
    )
    return statement


@dataclass(frozen=True)
class ActionIn:
    title: str
    owner_id: int | None
    due_on: date


@transaction.atomic
def do_close_crisis(
    crisis: Crisis,
    *,
    actor: User,
    causes: str,
    what_worked: str,
    what_did_not: str,
    actions: list[ActionIn],
) -> Crisis:
    """Close a crisis; a post-mortem (causes, what worked, what did not, corrective actions with
    owners and due dates) is required."""
    crisis = Crisis.objects.select_for_update().get(pk=crisis.pk)
    _open(crisis)
    missing = [
        label
        for label, value in (
            (_("causes"), causes),
            (_("ce qui a fonctionné"), what_worked),
            (_("ce qui n'a pas fonctionné"), what_did_not),
        )
        if not value.strip()
    ]
    if missing:
        raise ValidationError(_("Post-mortem incomplet : %(fields)s.") % {"fields": ", ".join(missing)})
    if not actions:
        raise ValidationError(
            _("Indiquez au moins une action corrective, avec un responsable et une échéance.")
        )
    for action in actions:
        if not action.title.strip():
            raise ValidationError(_("Chaque action corrective a un intitulé."))
        if action.owner_id is None:
            raise ValidationError(_("Chaque action corrective a un responsable."))
    PostMortem.objects.create(
        organisation=crisis.organisation,
        crisis=crisis,
        causes=causes.strip(),
        what_worked=what_worked.strip(),
        what_did_not=what_did_not.strip(),
        written_by=actor,
    )
    for action in actions:
        CorrectiveAction.objects.create(
            organisation=crisis.organisation,
            crisis=crisis,
            title=action.title.strip()[:300],
            owner=_member_user(crisis.organisation, action.owner_id),
            due_on=action.due_on,
        )
    crisis.status = CrisisStatus.CLOSED
    crisis.closed_at = timezone.now()
    crisis.closed_by = actor
    crisis.save()
    do_record_audit_event(
        crisis.organisation, "crisis.closed", actor=actor, obj=crisis, data={"actions": len(actions)}
    )
    return crisis


@transaction.atomic
def do_complete_corrective_action(action: CorrectiveAction, *, actor: User) -> CorrectiveAction:
    """Mark a corrective action done (its owner or a manager; the caller checks)."""
    if action.done_at is None:
        action.done_at = timezone.now()
        action.done_by = actor
        action.save(update_fields=["done_at", "done_by"])
        do_record_audit_event(
            action.organisation,
            "crisis.action_done",
            actor=actor,
            obj=action.crisis,
            data={"action": action.title},
        )
    return action


def can_complete_action(action: CorrectiveAction, membership: Membership) -> bool:
    return membership.can(MANAGE) or action.owner_id == membership.user_id
