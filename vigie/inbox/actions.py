"""Every write of the inbox. Each function runs in one transaction and records an audit event."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from vigie.core import redaction
from vigie.core.actions import do_notify, do_record_audit_event
from vigie.core.db import copy_objects
from vigie.core.models import Membership, Organisation, Team, User
from vigie.core.roles import HANDLE_CASES, Role
from vigie.core.tenancy import scoped
from vigie.inbox.models import (
    OPEN_STATUSES,
    CallbackLog,
    Case,
    CaseStatus,
    NoAnswerReason,
    Note,
    PrivateMessage,
    PrivateThread,
    Reply,
    ReplyChannel,
    ReplyStatus,
    SavedView,
    Template,
)
from vigie.inbox.queries import members_by_mention
from vigie.mentions.models import Mention

# Sent inside the transaction when a case becomes resolved (not when it is reopened or closed as
# needing no answer), with ``case`` and ``actor``: higher apps (outreach) react without the inbox
# importing them.
case_resolved = Signal()

# Statuses that close a case: both stamp ``resolved_at`` so "resolved in" KPIs see them.
CLOSING_STATUSES = (CaseStatus.RESOLVED, CaseStatus.NO_ANSWER)
TAG_MAX_LENGTH = 40
NOTE_MAX_LENGTH = 5000
REPLY_MAX_LENGTH = 10000
# Bulk "mark as spam" tags the case so spam can still be counted and reviewed later.
SPAM_TAG = "spam"


def _locked(case: Case) -> Case:
    # Re-read the row under a lock so two agents acting at once apply one after the other.
    return Case.objects.select_for_update().get(pk=case.pk)


def _check_assignee(case: Case, assignee: User) -> None:
    membership = scoped(Membership, case.organisation).filter(user=assignee).select_related("user").first()
    if membership is None or not membership.user.is_active or not membership.can(HANDLE_CASES):
        raise ValidationError(
            {"assignee": _("Cette personne ne peut pas traiter les dossiers de cette organisation.")},
            code="invalid_assignee",
        )


def do_open_case(
    mention: Mention,
    *,
    needs_answer: bool,
    team: Team | None,
    assignee: User | None,
    priority: int,
    sla_due_at: datetime | None,
    tags: list[str],
    routing_rule: str,
    approval_required: bool,
    suggested_template_ids: list[int],
    at: datetime,
    no_answer_reason: str = "",
) -> Case:
    """Open the case of ``mention`` as routing decided it (``vigie.inbox.routing.route``); a case
    that needs no answer is opened closed (``no_answer``, resolved at once).

    Called inside routing's transaction, which logs why the case was opened (``case.routed``,
    with the rest of its batch's events). ``IntegrityError`` when the mention already has a case.
    """
    case = new_case(
        mention,
        needs_answer=needs_answer,
        team=team,
        assignee=assignee,
        priority=priority,
        sla_due_at=sla_due_at,
        tags=tags,
        routing_rule=routing_rule,
        approval_required=approval_required,
        suggested_template_ids=suggested_template_ids,
        at=at,
        no_answer_reason=no_answer_reason,
    )
    case.save(force_insert=True)
    return case


def new_case(
    mention: Mention,
    *,
    needs_answer: bool,
    team: Team | None,
    assignee: User | None,
    priority: int,
    sla_due_at: datetime | None,
    tags: list[str],
    routing_rule: str,
    approval_required: bool,
    suggested_template_ids: list[int],
    at: datetime,
    no_answer_reason: str = "",
) -> Case:
    """The case ``do_open_case`` opens, not saved yet: routing opens a batch's cases together
    with ``do_open_cases``."""
    return Case(
        organisation=mention.organisation,
        mention=mention,
        status=CaseStatus.NEW if needs_answer else CaseStatus.NO_ANSWER,
        team=team,
        assignee=assignee,
        priority=priority,
        needs_answer=needs_answer,
        no_answer_reason="" if needs_answer else no_answer_reason,
        sla_due_at=sla_due_at,
        resolved_at=None if needs_answer else at,
        tags=tags,
        routing_rule=routing_rule,
        approval_required=approval_required,
        suggested_template_ids=suggested_template_ids,
        created_at=at,
        updated_at=at,
    )


def do_open_cases(cases: list[Case]) -> list[Case]:
    """Insert the cases built by ``new_case`` in one go (routing's batch, inside its
    transaction); their ids are set. ``IntegrityError`` when one mention already has a case."""
    if connection.vendor == "postgresql":
        copy_objects(cases)
    else:
        Case.objects.bulk_create(cases, batch_size=500)
    if cases and cases[0].pk is None:  # backends without RETURNING ids
        ids = dict(
            Case.objects.filter(mention_id__in=[case.mention_id for case in cases]).values_list(
                "mention_id", "pk"
            )
        )
        for case in cases:
            case.pk = ids[case.mention_id]
    return cases


@transaction.atomic
def do_assign_case(case: Case, assignee: User | None, *, actor: User | None) -> Case:
    """Give ``case`` to ``assignee`` (None takes it back to the unassigned pile).

    The assignee must be an active member of the case's organisation allowed to handle cases;
    otherwise ``ValidationError`` (keyed ``assignee``) is raised and nothing changes.
    """
    if assignee is not None:
        _check_assignee(case, assignee)
    current = _locked(case)
    if current.assignee_id == (assignee.pk if assignee else None):
        case.assignee = assignee
        return case
    previous = current.assignee.email if current.assignee is not None else None
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(assignee=assignee, updated_at=now)
    case.assignee = assignee
    case.updated_at = now
    do_record_audit_event(
        case.organisation,
        "case.assigned",
        actor=actor,
        obj=case,
        data={"from": previous, "to": assignee.email if assignee else None},
    )
    return case


@transaction.atomic
def do_unassign_member_cases(membership: Membership, *, actor: User | None) -> int:
    """Take a member's open cases back to their team's queue (the team stays, the assignee goes), one
    ``case.assigned`` event each; returns how many. Done when the member is suspended: a case must not
    read "Attribué à" someone who can no longer open it."""
    cases = (
        scoped(Case, membership.organisation)
        .filter(assignee_id=membership.user_id, status__in=OPEN_STATUSES)
        .select_related("organisation")
        .order_by("pk")
    )
    count = 0
    for case in cases:
        do_assign_case(case, None, actor=actor)
        count += 1
    return count


@transaction.atomic
def do_set_case_status(case: Case, status: CaseStatus | str, *, actor: User | None) -> Case:
    """Move ``case`` to ``status``.

    Closing (resolved, or no answer needed) stamps ``resolved_at``; reopening clears it. An unknown
    status raises ``ValidationError`` keyed ``status``.
    """
    try:
        status = CaseStatus(status)
    except ValueError:
        raise ValidationError({"status": _("Statut inconnu.")}, code="invalid_status") from None
    current = _locked(case)
    if current.status == status:
        case.status = status
        return case
    now = timezone.now()
    previous = current.status
    if status in CLOSING_STATUSES:
        resolved_at = current.resolved_at if previous in CLOSING_STATUSES else now
    else:
        resolved_at = None
    Case.objects.filter(pk=case.pk).update(status=status, resolved_at=resolved_at, updated_at=now)
    case.status = status
    case.resolved_at = resolved_at
    case.updated_at = now
    do_record_audit_event(
        case.organisation,
        "case.status_changed",
        actor=actor,
        obj=case,
        data={
            "from": previous,
            "to": status.value,
            "reopened": previous in CLOSING_STATUSES and status not in CLOSING_STATUSES,
        },
    )
    _follow_sla_clock(case, previous, status, now)
    if status == CaseStatus.RESOLVED:
        case_resolved.send(sender=Case, case=case, actor=actor)
    return case


def _follow_sla_clock(case: Case, previous: str, status: CaseStatus, now: Any) -> None:
    """Pause the SLA clock the moment a case starts waiting for the customer, resume it when it
    stops; the SLA watcher does the same every five minutes, as a safety net."""
    from vigie.charter.queries import current_charter
    from vigie.inbox.sla.clock import do_pause_sla, do_resume_sla

    if status == CaseStatus.WAITING_CUSTOMER:
        if current_charter(case.organisation).sla.pause_while_waiting_customer:
            do_pause_sla(case, at=now)
    elif previous == CaseStatus.WAITING_CUSTOMER:
        resumed = do_resume_sla(case, at=now, closing=status in CLOSING_STATUSES)
        case.sla_due_at, case.sla_paused_at = resumed.sla_due_at, resumed.sla_paused_at


@transaction.atomic
def do_tag_case(case: Case, tag: str, *, actor: User | None) -> Case:
    """Add ``tag`` to the case's tags (once). Tags are short labels: 1 to 40 characters."""
    tag = (tag or "").strip()
    if not tag or len(tag) > TAG_MAX_LENGTH:
        raise ValidationError({"tag": _("Une étiquette fait de 1 à 40 caractères.")}, code="invalid_tag")
    current = _locked(case)
    tags = [str(t) for t in current.tags or []]
    if tag in tags:
        case.tags = tags
        return case
    tags.append(tag)
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(tags=tags, updated_at=now)
    case.tags = tags
    case.updated_at = now
    do_record_audit_event(case.organisation, "case.tagged", actor=actor, obj=case, data={"tag": tag})
    return case


# --- Bulk actions ----------------------------------------------------------------------------------


class BulkAction(models.TextChoices):
    ASSIGN_TO_ME = "assign_to_me", gettext_lazy("M'attribuer")
    ASSIGN = "assign", gettext_lazy("Attribuer à")
    TAG = "tag", gettext_lazy("Étiqueter")
    CLOSE = "close", gettext_lazy("Clore (résolu)")
    SPAM = "spam", gettext_lazy("Marquer comme indésirable")
    NO_ANSWER = "no_answer", gettext_lazy("Sans réponse nécessaire")


@dataclass(frozen=True)
class BulkResult:
    """What happened to one case of a bulk action."""

    case_id: int
    ok: bool
    message: str


def do_bulk_update_cases(
    organisation: Organisation,
    case_ids: Iterable[int],
    action: BulkAction | str,
    *,
    actor: User,
    assignee: User | None = None,
    tag: str = "",
) -> list[BulkResult]:
    """Apply ``action`` to each case, each in its own transaction, and say how each one went.

    One failing case (another organisation's id, an invalid assignee) never stops the others.
    """
    action = BulkAction(action)
    ids = list(dict.fromkeys(int(pk) for pk in case_ids))
    found = {case.pk: case for case in scoped(Case, organisation).filter(pk__in=ids)}
    results: list[BulkResult] = []
    for pk in ids:
        case = found.get(pk)
        if case is None:
            results.append(BulkResult(pk, False, _("Dossier introuvable.")))
            continue
        try:
            with transaction.atomic():
                if action == BulkAction.ASSIGN_TO_ME:
                    do_assign_case(case, actor, actor=actor)
                elif action == BulkAction.ASSIGN:
                    do_assign_case(case, assignee, actor=actor)
                elif action == BulkAction.TAG:
                    do_tag_case(case, tag, actor=actor)
                elif action == BulkAction.CLOSE:
                    do_set_case_status(case, CaseStatus.RESOLVED, actor=actor)
                elif action == BulkAction.SPAM:
                    do_tag_case(case, SPAM_TAG, actor=actor)
                    do_set_case_status(case, CaseStatus.NO_ANSWER, actor=actor)
                else:
                    do_set_case_status(case, CaseStatus.NO_ANSWER, actor=actor)
        except ValidationError as error:
            results.append(BulkResult(pk, False, " ".join(error.messages)))
        else:
            results.append(BulkResult(pk, True, _("Fait.")))
    return results


# --- Author flags ----------------------------------------------------------------------------------


# --- Notes ------------------------------------------------------------------------------------------


@transaction.atomic
def do_add_note(case: Case, body: str, *, author: User) -> Note:
    """Add an internal note to ``case``; each member named as ``@email`` is notified in the app."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("La note est vide.")}, code="empty_note")
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"body": _("La note est trop longue (5 000 caractères au plus).")}, code="long_note"
        )
    mentioned = [m for m in members_by_mention(case.organisation, body) if m.user_id != author.pk]
    note = Note.objects.create(
        organisation=case.organisation,
        case=case,
        author=author,
        body=body,
        mentioned_user_ids=[m.user_id for m in mentioned],
    )
    do_record_audit_event(
        case.organisation,
        "case.note_added",
        actor=author,
        obj=case,
        data={"note": note.pk, "mentioned": [m.user.email for m in mentioned]},
    )
    for member in mentioned:
        do_notify(
            case.organisation,
            member.user,
            "case.mentioned",
            lambda: (
                _("%(who)s vous a mentionné sur le dossier %(case)s")
                % {"who": author, "case": case.reference}
            ),
            body=body[:500],
            url=reverse("case_detail", args=[case.pk]),
            data={"case": case.pk, "note": note.pk},
        )
    return note


# --- Saved views -----------------------------------------------------------------------------------


@transaction.atomic
def do_save_view(membership: Membership, name: str, query: str, *, team: Team | None = None) -> SavedView:
    """Save the inbox's current view and filters under ``name`` for the member (or their ``team``).

    Saving again under the same name replaces the filters. A team must be one of the member's.
    """
    name = (name or "").strip()[:80]
    if not name:
        raise ValidationError({"name": _("Donnez un nom à la vue.")}, code="empty_name")
    if team is not None and not membership.teams.filter(pk=team.pk).exists():
        raise ValidationError({"team": _("Vous ne faites pas partie de cette équipe.")}, code="invalid_team")
    view, _created = SavedView.objects.update_or_create(
        organisation=membership.organisation,
        owner=membership.user,
        name=name,
        defaults={"query": query[:1000], "team": team},
    )
    do_record_audit_event(
        membership.organisation,
        "inbox.view_saved",
        actor=membership.user,
        obj=view,
        data={"name": name, "team": team.pk if team else None},
    )
    return view


@transaction.atomic
def do_delete_saved_view(view: SavedView, *, actor: User) -> None:
    """Delete a saved view; only its owner may."""
    if view.owner_id != actor.pk:
        raise ValidationError(_("Seul l'auteur de cette vue peut la supprimer."), code="not_owner")
    do_record_audit_event(
        view.organisation, "inbox.view_deleted", actor=actor, obj=view, data={"name": view.name}
    )
    view.delete()


# --- Replies: drafting, the quality gate, approval --------------------------------------------------

EDITABLE_REPLY_STATUSES = (ReplyStatus.DRAFT, ReplyStatus.SENT_BACK)


class ReplyRefused(ValidationError):
    """The quality gate refused a reply: blocking findings, or warnings nobody confirmed.

    ``findings`` holds the gate's findings so the composer can show them where they are.
    """

    def __init__(self, message: str, findings: list[Any], code: str) -> None:
        super().__init__(message, code=code)
        self.findings = findings


def member_of(case: Case, user: User) -> Membership | None:
    """The active membership of ``user`` in the case's organisation, if any."""
    return scoped(Membership, case.organisation).filter(user=user, is_active=True).first()


def _locked_reply(reply: Reply) -> Reply:
    return Reply.objects.select_for_update(of=("self",)).select_related("template").get(pk=reply.pk)


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("La réponse est vide.")}, code="empty_reply")
    if len(body) > REPLY_MAX_LENGTH:
        raise ValidationError({"body": _("La réponse est trop longue.")}, code="long_reply")
    return body


def _check_case_open(case_id: int) -> None:
    """A reply is written on an open case: a resolved one, or one needing no answer, is reopened
    first (its status read afresh: the page may be older than a colleague's closing)."""
    status = Case.objects.filter(pk=case_id).values_list("status", flat=True).first()
    if status not in OPEN_STATUSES:
        raise ValidationError(_("Ce dossier est clos : rouvrez-le avant d'y répondre."), code="case_closed")


@transaction.atomic
def do_create_reply(
    case: Case,
    body: str,
    *,
    author: User,
    channel: ReplyChannel | str = ReplyChannel.PUBLIC,
    template: Template | None = None,
) -> Reply:
    """Start a draft reply on ``case`` (optionally from ``template``); refused on a closed case."""
    _check_case_open(case.pk)
    body = _check_body(body)
    if channel not in ReplyChannel.values:
        raise ValidationError({"channel": _("Canal inconnu.")}, code="invalid_channel")
    if template is not None and template.organisation_id != case.organisation_id:
        raise ValidationError({"template": _("Modèle inconnu.")}, code="invalid_template")
    reply = Reply.objects.create(
        organisation=case.organisation,
        case=case,
        author=author,
        template=template,
        channel=channel,
        body=body,
    )
    do_record_audit_event(
        case.organisation,
        "reply.drafted",
        actor=author,
        obj=case,
        data={"reply": reply.pk, "channel": str(channel), "template": template.pk if template else None},
    )
    return reply


@transaction.atomic
def do_update_reply(reply: Reply, body: str, *, actor: User, template: Template | None = None) -> Reply:
    """Change the text of a reply still being written (a draft, or one sent back) on an open case."""
    _check_case_open(reply.case_id)
    body = _check_body(body)
    current = _locked_reply(reply)
    if current.status not in EDITABLE_REPLY_STATUSES:
        raise ValidationError(_("Cette réponse ne peut plus être modifiée."), code="not_editable")
    if template is not None and template.organisation_id != reply.organisation_id:
        raise ValidationError({"template": _("Modèle inconnu.")}, code="invalid_template")
    fields: dict[str, Any] = {"body": body}
    if template is not None:
        fields["template"] = template
    Reply.objects.filter(pk=reply.pk).update(**fields)
    for name, value in fields.items():
        setattr(reply, name, value)
    reply.status = current.status
    return reply


def template_edit_ratio(rendered: str, body: str) -> float:
    """How much of the rendered template the agent changed, from 0 (untouched) to 1 (rewritten)."""
    from vigie.inbox.quality.similarity import edit_ratio

    return edit_ratio(rendered, body)


def join_reasons(reasons: Iterable[str]) -> str:
    """Reasons one after the other, as the active language writes a list of clauses: "a ; b" in
    French (a narrow no-break space before the semicolon), "a; b" in English."""
    separator = "; " if (get_language() or "fr").startswith("en") else "\u202f; "
    return separator.join(str(reason) for reason in reasons)


def approval_reasons(reply: Reply, membership: Membership | None) -> list[str]:
    """Why ``reply`` must be approved by a supervisor before it goes out; empty when it need not.

    The charter decides: low ratings, legal risk, a pre-approved template edited too far; the
    comment-handling scheme may also require approval for the whole case.
    """
    from vigie.analysis.queries import mention_analysis
    from vigie.charter.queries import current_charter
    from vigie.inbox.quality import approval_findings

    case = reply.case
    mention = case.mention
    policy = current_charter(case.organisation).approval
    reasons: list[str] = []
    if case.approval_required:
        reasons.append(_("le schéma de traitement demande une validation pour ce dossier"))
    if (
        policy.stars_at_most is not None
        and mention.rating is not None
        and mention.rating <= policy.stars_at_most
    ):
        reasons.append(_("avis de %(stars)s étoiles ou moins") % {"stars": policy.stars_at_most})
    if policy.legal_risk:
        toxicity = mention_analysis(mention).toxicity or {}
        if toxicity.get("legal_risk"):
            reasons.append(_("risque juridique détecté"))
    template = reply.template
    if template is not None and template.pre_approved:
        ratio = template_edit_ratio(rendered_template(reply, membership), reply.body)
        if ratio > policy.template_edit_threshold:
            reasons.append(
                _("modèle pré-approuvé modifié à %(ratio)d %% (seuil %(limit)d %%)")
                % {"ratio": round(ratio * 100), "limit": round(policy.template_edit_threshold * 100)}
            )
    # What the reply commits the organisation to (a refund, a gesture, an admission of fault, a
    # deadline shorter than the charter allows): the charter's ``reply_commitments`` say which.
    reasons.extend(finding.message for finding in approval_findings(gate_findings(reply, membership)))
    return reasons


def rendered_template(reply: Reply, membership: Membership | None) -> str:
    """The reply's template with the case's variables filled in: the baseline edits are measured on."""
    from vigie.inbox.templating.render import render_template, template_context

    if reply.template is None:
        return ""
    return render_template(reply.template.body, template_context(reply.case, membership)).text


def gate_findings(reply: Reply, membership: Membership | None) -> list[Any]:
    """The quality gate's findings on the reply's current text."""
    from vigie.inbox.quality import check_reply
    from vigie.inbox.templating.render import approved_template_text

    mention = reply.case.mention
    template = reply.template
    return list(
        check_reply(
            reply.body,
            platform=mention.source.platform,
            language=mention.language or "fr",
            organisation=reply.organisation,
            mention=mention,
            membership=membership,
            template_body=template.body if template is not None else None,
            channel=reply.channel,
            # A pre-approved template is meant to be reused as it is (see the quality gate's doc);
            # the API and ``vigie reply check --template`` pass the same text.
            approved_template=approved_template_text(template, membership, case=reply.case),
        )
    )


def enforce_gate(
    reply: Reply,
    membership: Membership | None,
    *,
    actor: User,
    overrides: Iterable[str] = (),
    override_reason: str = "",
) -> None:
    """Let ``reply``'s text through the quality gate, or raise ``ReplyRefused``.

    Blocking findings refuse it; each warning must be overridden (by code) with a reason, which
    is logged. Used before a first publication and before a published reply is changed.
    """
    from vigie.inbox.quality import is_blocked

    findings = gate_findings(reply, membership)
    if is_blocked(findings):
        raise ReplyRefused(_("La réponse contient un problème bloquant."), findings, "blocked")
    overridden = set(overrides)
    # A commitment that needs approval is not the agent's to override: the reply waits for a
    # supervisor instead (``approval_reasons``).
    warnings = [f for f in findings if f.severity == "warn" and not f.needs_approval]
    unconfirmed = [f for f in warnings if f.code not in overridden]
    if unconfirmed:
        raise ReplyRefused(
            _("Confirmez chaque avertissement ou corrigez la réponse."), unconfirmed, "warnings"
        )
    if warnings:
        reason = (override_reason or "").strip()
        if not reason:
            raise ReplyRefused(
                _("Indiquez pourquoi vous passez outre les avertissements."), warnings, "reason"
            )
        do_record_audit_event(
            reply.organisation,
            "reply.warnings_overridden",
            actor=actor,
            obj=reply.case,
            data={"reply": reply.pk, "codes": sorted(f.code for f in warnings), "reason": reason[:500]},
        )


def _notify_approvers(reply: Reply, actor: User, membership: Membership, reasons: list[str]) -> None:
    """Ask the managers to approve ``reply``, each in their language: ``reasons`` are written in
    the active one (the author's), and again in another one for those who read it."""
    case = reply.case
    approvers = (
        scoped(Membership, case.organisation)
        .filter(is_active=True, user__is_active=True, role__in=[Role.MANAGER, Role.ADMIN])
        .exclude(user=actor)
        .select_related("user")
    )
    written = {get_language(): join_reasons(reasons)}

    def reasons_text() -> str:
        language = get_language()
        if language not in written:
            written[language] = join_reasons(approval_reasons(reply, membership))
        return written[language]

    for member in approvers:
        do_notify(
            case.organisation,
            member.user,
            "reply.approval_requested",
            lambda: _("Réponse à valider sur le dossier %(case)s") % {"case": case.reference},
            body=reasons_text,
            url=reverse("case_detail", args=[case.pk]),
            data={"case": case.pk, "reply": reply.pk},
        )


@transaction.atomic
def do_submit_reply(
    reply: Reply, *, actor: User, overrides: Iterable[str] = (), override_reason: str = ""
) -> Reply:
    """Run the quality gate, then ask for approval when the charter wants it, else publish.

    Blocking findings refuse the reply; warnings must each be overridden (by code) with a reason,
    which is logged. A supervisor's own reply needs no approval. Raises ``ReplyRefused``.
    """
    from vigie.inbox.outbox.publishing import do_queue_publication

    current = _locked_reply(reply)
    if current.status not in EDITABLE_REPLY_STATUSES:
        raise ValidationError(_("Cette réponse a déjà été envoyée."), code="not_editable")
    reply.body, reply.template = current.body, current.template
    case = reply.case
    _check_case_open(case.pk)
    membership = member_of(case, actor)
    if membership is None or not membership.can(HANDLE_CASES):
        raise ValidationError(_("Votre rôle ne permet pas de répondre."), code="forbidden")
    # The same text sent again on the case (the page restored by "back" and sent once more, a
    # second tab) would be published twice: the customer gets it once.
    if (
        Reply.objects.filter(case_id=case.pk, channel=current.channel, body=current.body)
        .exclude(pk=current.pk)
        .exclude(status__in=EDITABLE_REPLY_STATUSES)
        .exists()
    ):
        raise ValidationError(
            _("Cette réponse a déjà été envoyée sur ce dossier : elle ne part pas une seconde fois."),
            code="duplicate",
        )
    enforce_gate(reply, membership, actor=actor, overrides=overrides, override_reason=override_reason)
    now = timezone.now()
    reasons = approval_reasons(reply, membership)
    if reasons and not membership.can(Role.MANAGER):
        Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.AWAITING_APPROVAL, submitted_at=now)
        reply.status, reply.submitted_at = ReplyStatus.AWAITING_APPROVAL, now
        do_record_audit_event(
            case.organisation,
            "reply.submitted",
            actor=actor,
            obj=case,
            data={"reply": reply.pk, "approval": True, "reasons": reasons},
        )
        do_set_case_status(case, CaseStatus.AWAITING_APPROVAL, actor=actor)
        _notify_approvers(reply, actor, membership, reasons)
        return reply
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.APPROVED, submitted_at=now, approved_at=now)
    reply.status, reply.submitted_at, reply.approved_at = ReplyStatus.APPROVED, now, now
    do_record_audit_event(
        case.organisation,
        "reply.submitted",
        actor=actor,
        obj=case,
        data={"reply": reply.pk, "approval": False, "reasons": reasons},
    )
    do_queue_publication(reply, actor=actor)
    return reply


def _approver(reply: Reply, actor: User) -> Membership:
    membership = member_of(reply.case, actor)
    if membership is None or not membership.can(Role.MANAGER):
        raise ValidationError(_("Seul un responsable peut valider une réponse."), code="forbidden")
    return membership


@transaction.atomic
def do_approve_reply(reply: Reply, *, actor: User) -> Reply:
    """A supervisor approves a reply waiting for them; it is handed over to publishing."""
    from vigie.inbox.outbox.publishing import do_queue_publication

    _approver(reply, actor)
    current = _locked_reply(reply)
    if current.status != ReplyStatus.AWAITING_APPROVAL:
        raise ValidationError(_("Cette réponse n'attend pas de validation."), code="not_awaiting")
    if Case.objects.filter(pk=reply.case_id).values_list("status", flat=True).first() not in OPEN_STATUSES:
        # Closed since the reply was submitted (resolved, answered elsewhere): approving would
        # publish it and reopen the case behind the back of whoever closed it.
        raise ValidationError(
            _("Ce dossier a été clos depuis : rouvrez-le avant de valider sa réponse."), code="case_closed"
        )
    now = timezone.now()
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.APPROVED, approved_by=actor, approved_at=now)
    reply.status, reply.approved_by, reply.approved_at = ReplyStatus.APPROVED, actor, now
    case = reply.case
    do_record_audit_event(
        case.organisation, "reply.approved", actor=actor, obj=case, data={"reply": reply.pk}
    )
    do_set_case_status(case, CaseStatus.IN_PROGRESS, actor=actor)
    if reply.author is not None and reply.author_id != actor.pk:
        do_notify(
            case.organisation,
            reply.author,
            "reply.approved",
            lambda: _("Votre réponse sur le dossier %(case)s a été validée") % {"case": case.reference},
            url=reverse("case_detail", args=[case.pk]),
            data={"case": case.pk, "reply": reply.pk},
        )
    do_queue_publication(reply, actor=actor)
    return reply


@transaction.atomic
def do_send_back_reply(reply: Reply, *, actor: User, comment: str) -> Reply:
    """A supervisor sends a reply back to its author with a comment saying what to change."""
    _approver(reply, actor)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Dites à l'agent ce qu'il faut changer.")}, code="empty_comment")
    current = _locked_reply(reply)
    if current.status != ReplyStatus.AWAITING_APPROVAL:
        raise ValidationError(_("Cette réponse n'attend pas de validation."), code="not_awaiting")
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.SENT_BACK)
    reply.status = ReplyStatus.SENT_BACK
    case = reply.case
    do_record_audit_event(
        case.organisation,
        "reply.sent_back",
        actor=actor,
        obj=case,
        data={"reply": reply.pk, "comment": comment[:2000]},
    )
    do_set_case_status(case, CaseStatus.IN_PROGRESS, actor=actor)
    if reply.author is not None:
        do_notify(
            case.organisation,
            reply.author,
            "reply.sent_back",
            lambda: _("Votre réponse sur le dossier %(case)s est à reprendre") % {"case": case.reference},
            body=comment[:500],
            url=reverse("case_detail", args=[case.pk]),
            data={"case": case.pk, "reply": reply.pk},
        )
    return reply


# --- GDPR: retention and erasure (called by vigie.privacy, which audits what it did) -------------------

ERASED = redaction.ERASED


def _redact(value: str, needles: Sequence[str]) -> str:
    # Whole words, without case nor accents: "Nathalie" is erased, "Nathaliette" is not.
    return redaction.redact(value, needles)


@transaction.atomic
def do_pseudonymise_private_messages(organisation: Organisation, message_ids: Sequence[int]) -> int:
    """Clear the sender, subject and body of these private messages; the rows (and the fact a
    message was sent or received, for the case's history) stay."""
    return PrivateMessage.objects.filter(organisation=organisation, pk__in=message_ids).update(
        sender="", subject="", body=ERASED, error=""
    )


@transaction.atomic
def do_delete_private_messages(organisation: Organisation, message_ids: Sequence[int]) -> int:
    """Delete these private messages."""
    _deleted, per_model = PrivateMessage.objects.filter(
        organisation=organisation, pk__in=message_ids
    ).delete()
    return per_model.get(PrivateMessage._meta.label, 0)


@dataclass(frozen=True)
class ErasedCaseTexts:
    replies: int
    notes: int
    private_threads: int
    private_messages: int
    callbacks: int


@transaction.atomic
def do_erase_person_from_cases(
    organisation: Organisation,
    case_ids: Sequence[int],
    needles: Sequence[str],
    *,
    thread_ids: Sequence[int] = (),
    callback_ids: Sequence[int] = (),
    placeholder: str = ERASED,
) -> ErasedCaseTexts:
    """Erase one person from the inbox (a data subject's erasure request).

    In replies (drafts and published ones alike) and notes of ``case_ids``, each of ``needles``
    (their e-mail, phone, handle, full name, first and last names) becomes « [effacé] » where it
    stands as whole words. The private threads ``thread_ids`` lose their address and subject and
    their messages say ``placeholder`` (what was erased, and when); the callbacks
    ``callback_ids`` lose the phone and notes.
    """
    replies = notes = 0
    for reply in Reply.objects.filter(organisation=organisation, case_id__in=case_ids).only("pk", "body"):
        body = _redact(reply.body, needles)
        if body != reply.body:
            replies += Reply.objects.filter(pk=reply.pk).update(body=body)
    for note in Note.objects.filter(organisation=organisation, case_id__in=case_ids).only("pk", "body"):
        body = _redact(note.body, needles)
        if body != note.body:
            notes += Note.objects.filter(pk=note.pk).update(body=body)
    threads = PrivateThread.objects.filter(organisation=organisation, pk__in=thread_ids)
    messages = PrivateMessage.objects.filter(organisation=organisation, thread_id__in=thread_ids)
    message_count = messages.update(sender="", subject="", body=placeholder, error="")
    thread_count = threads.update(address="", subject=ERASED)
    callbacks = CallbackLog.objects.filter(organisation=organisation, pk__in=callback_ids).update(
        phone="", notes=""
    )
    return ErasedCaseTexts(replies, notes, thread_count, message_count, callbacks)


# Replies not yet out: sent back to their author, so that nothing is published to a person who
# asked to be erased (the outbox publishes neither a sent-back reply nor one awaiting approval).
_UNSENT_REPLIES = (ReplyStatus.AWAITING_APPROVAL, ReplyStatus.APPROVED, ReplyStatus.FAILED)


@transaction.atomic
def do_close_cases_for_erasure(
    organisation: Organisation, case_ids: Sequence[int], *, actor: User | None
) -> int:
    """Close the cases of a person whose data was erased (GDPR): there is nobody left to answer.

    An open case becomes "no answer needed" with the reason « données effacées » (the case page
    then offers reopening, not the reply composer, and says why); replies that were on their way
    out are sent back, so none is published. Each case's timeline gets a ``case.closed`` event
    (``how``: ``erased``). Returns how many cases were closed."""
    closed = 0
    for case in Case.objects.filter(organisation=organisation, pk__in=case_ids).order_by("pk"):
        withdrawn = Reply.objects.filter(
            organisation=organisation, case=case, status__in=_UNSENT_REPLIES
        ).update(status=ReplyStatus.SENT_BACK, error="")
        if case.status in CLOSING_STATUSES and not withdrawn:
            continue
        if case.status not in CLOSING_STATUSES:
            Case.objects.filter(pk=case.pk).update(
                no_answer_reason=NoAnswerReason.ERASED, updated_at=timezone.now()
            )
            case.no_answer_reason = NoAnswerReason.ERASED
            do_set_case_status(case, CaseStatus.NO_ANSWER, actor=actor)
            closed += 1
        do_record_audit_event(
            organisation,
            "case.closed",
            actor=actor,
            obj=case,
            data={"how": "erased", "reason": NoAnswerReason.ERASED.value, "replies_withdrawn": withdrawn},
        )
    return closed


@transaction.atomic
def do_pseudonymise_cases_of_mentions(organisation: Organisation, mention_ids: Sequence[int]) -> int:
    """Clear the texts of the cases of these mentions (retention): replies, notes, private
    threads and their messages, callbacks. Status, dates, assignee and the timeline stay, so the
    KPIs keep counting; returns how many cases were touched."""
    case_ids = list(
        Case.objects.filter(organisation=organisation, mention_id__in=mention_ids).values_list(
            "pk", flat=True
        )
    )
    if not case_ids:
        return 0
    Reply.objects.filter(organisation=organisation, case_id__in=case_ids).exclude(body=ERASED).update(
        body=ERASED
    )
    Note.objects.filter(organisation=organisation, case_id__in=case_ids).exclude(body=ERASED).update(
        body=ERASED
    )
    threads = PrivateThread.objects.filter(organisation=organisation, case_id__in=case_ids)
    PrivateMessage.objects.filter(organisation=organisation, thread__in=threads).update(
        sender="", subject="", body=ERASED, error=""
    )
    threads.update(address="", subject=ERASED)
    CallbackLog.objects.filter(organisation=organisation, case_id__in=case_ids).update(phone="", notes="")
    return len(case_ids)
