"""Writes of the case page's handling steps that are neither a reply nor the private channel:
re-deciding a case after a correction of its analysis, moderating it, closing it with a reason.

Each step runs in one transaction and leaves an audited case event, worded on the case page by
``vigie.inbox.views.case.describe_event``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.analysis.actions import do_correct_analysis, do_rescore_priority
from vigie.connectors.actions import SourceConfigError, build_connector
from vigie.connectors.contract import ConnectorError
from vigie.connectors.platforms import Capability, platform_facts
from vigie.core.actions import do_record_audit_event
from vigie.core.models import User
from vigie.inbox.actions import SPAM_TAG, do_set_case_status, do_tag_case
from vigie.inbox.models import Case, CaseStatus, NoAnswerReason
from vigie.inbox.routing.route import do_route_mention
from vigie.mentions.models import MentionType

URL_MAX_LENGTH = 1000


def _shown(case: Case) -> dict[str, Any]:
    return {
        "priority": case.priority,
        "sla_due_at": case.sla_due_at.isoformat() if case.sla_due_at else None,
        "needs_answer": case.needs_answer,
        "no_answer_reason": case.no_answer_reason,
        "team": case.team.name if case.team_id and case.team else None,
        "status": case.status,
    }


@dataclass(frozen=True)
class Redecision:
    """A case before and after routing decided it again."""

    case: Case
    before: dict[str, Any]
    after: dict[str, Any]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _reload(case: Case) -> Case:
    return Case.objects.select_related("team", "assignee", "mention__source").get(pk=case.pk)


@transaction.atomic
def do_redecide_case(case: Case, *, actor: User | None, cause: str = "correction") -> Redecision:
    """Score the mention's priority again and route its case again, from the analysis as it now
    stands (after a person's correction): priority, reasons, deadline, team and whether an answer
    is due follow, while what a person decided by hand (assignee, status, priority) stays.
    Audited as ``case.redecided`` with the before and after."""
    before_case = _reload(case)
    before = _shown(before_case)
    mention = before_case.mention
    scored = do_rescore_priority(mention)
    do_route_mention(mention)
    after_case = _reload(case)
    after = _shown(after_case)
    do_record_audit_event(
        case.organisation,
        "case.redecided",
        actor=actor,
        obj=case,
        data={"cause": cause, "before": before, "after": after, "reasons": scored.get("reasons", [])},
    )
    for name in ("priority", "sla_due_at", "needs_answer", "no_answer_reason", "team_id", "status"):
        setattr(case, name, getattr(after_case, name))
    return Redecision(after_case, before, after)


@transaction.atomic
def do_correct_case_analysis(case: Case, changes: list[tuple[str, Any]], *, actor: User) -> Redecision | None:
    """Apply a person's corrections of the case's analysis (each kept as a training label and
    audited), then re-decide the case. None when nothing changed."""
    if not changes:
        return None
    for field, value in changes:
        do_correct_analysis(case.mention, field, value, actor=actor, audit_on=case)
    redecision = do_redecide_case(case, actor=actor)
    if redecision.case.needs_answer and redecision.case.status == CaseStatus.NO_ANSWER:
        # Closed as needing no answer, now read as needing one: back to the queue.
        do_set_case_status(case, CaseStatus.NEW, actor=actor)
        redecision.case.status = CaseStatus.NEW
    return redecision


class Moderation(enum.StrEnum):
    """What a person can do about an item that should not get an answer."""

    SPAM = "spam"
    TROLL = "troll"
    # Done through the connector where it declares the capability (Facebook, Instagram), else
    # recorded as done by hand on the platform.
    HIDDEN = "hidden"
    DELETED = "deleted"
    REPORTED = "reported"


def platform_moderation(platform: str) -> list[Moderation]:
    """The steps on the platform the connector's declarations allow: hide and delete where it
    can, otherwise report the item to the platform."""
    facts = platform_facts(platform)
    steps = []
    if facts.can(Capability.HIDE_COMMENT):
        steps.append(Moderation.HIDDEN)
    if facts.can(Capability.DELETE_COMMENT):
        steps.append(Moderation.DELETED)
    return steps or [Moderation.REPORTED]


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > URL_MAX_LENGTH or (url and not url.lower().startswith(("https://", "http://"))):
        raise ValidationError({"url": _("Adresse web invalide.")}, code="invalid_url")
    return url


@transaction.atomic
def do_moderate_case(
    case: Case, action: Moderation | str, *, actor: User, url: str = "", note: str = ""
) -> Case:
    """Mark the case's item as spam or troll (the type is corrected, the case re-decided and, when
    no answer is due, closed as such), or record a step done on the platform (hidden, deleted,
    reported). Audited as ``case.moderated``."""
    try:
        action = Moderation(action)
    except ValueError:
        raise ValidationError({"action": _("Action de modération inconnue.")}, code="invalid") from None
    url = _check_url(url)
    note = (note or "").strip()[:500]
    if action in (Moderation.HIDDEN, Moderation.DELETED) and action not in platform_moderation(
        case.mention.source.platform
    ):
        raise ValidationError(
            # The code on the field's error: a 409 in the API (the platform, not the input, refuses).
            {
                "action": ValidationError(
                    _("Cette plateforme ne permet pas cette action."), code="not_supported"
                )
            }
        )
    data: dict[str, Any] = {"action": action.value}
    if (
        action in (Moderation.HIDDEN, Moderation.DELETED)
        and platform_facts(case.mention.source.platform).connected
    ):
        _moderate_on_platform(case, action)
        data |= {"url": url, "note": note, "by_hand": False}
    elif action in (Moderation.SPAM, Moderation.TROLL):
        mention = case.mention
        if mention.mention_type != action.value:
            do_correct_analysis(mention, "type", action.value, actor=actor, audit_on=case)
        redecision = do_redecide_case(case, actor=actor, cause="moderation")
        if action == Moderation.SPAM:
            do_tag_case(case, SPAM_TAG, actor=actor)
        if not redecision.case.needs_answer and case.is_open:
            do_set_case_status(case, CaseStatus.NO_ANSWER, actor=actor)
        data["needs_answer"] = redecision.case.needs_answer
    else:
        data |= {"url": url, "note": note, "by_hand": True}
    do_record_audit_event(case.organisation, "case.moderated", actor=actor, obj=case, data=data)
    return case


def _moderate_on_platform(case: Case, action: Moderation) -> None:
    """Hide or delete the item on the platform through its connector; a refusal is the user's
    error message (nothing is recorded as done)."""
    from vigie.inbox.outbox.publishing import mention_in

    try:
        connector = build_connector(case.mention.source)
        target = mention_in(case.mention)
        if action == Moderation.HIDDEN:
            connector.hide_item(target)
        else:
            connector.delete_item(target)
    except (ConnectorError, SourceConfigError, ValueError) as error:
        message = getattr(error, "message", "") or str(error)
        raise ValidationError(
            {"action": _("La plateforme a refusé : %(reason)s") % {"reason": message[:300]}},
            code="platform_refused",
        ) from None


class Closing(enum.StrEnum):
    """How a person closes a case from its page."""

    RESOLVED = "resolved"
    ANSWERED_ELSEWHERE = "answered_elsewhere"
    NO_ANSWER = "no_answer"


@transaction.atomic
def do_close_case(case: Case, how: Closing | str, *, actor: User, at: datetime | None = None) -> Case:
    """Close the case: resolved, or needing no answer (answered elsewhere, or nothing to say).
    The reason is kept so the case says why it has no deadline. Audited."""
    try:
        how = Closing(how)
    except ValueError:
        raise ValidationError({"how": _("Façon de clore inconnue.")}, code="invalid") from None
    if how == Closing.RESOLVED:
        do_set_case_status(case, CaseStatus.RESOLVED, actor=actor)
        return case
    reason = (
        NoAnswerReason.ANSWERED_ELSEWHERE if how == Closing.ANSWERED_ELSEWHERE else NoAnswerReason.NOT_NEEDED
    )
    now = at or timezone.now()
    Case.objects.filter(pk=case.pk).update(no_answer_reason=reason, updated_at=now)
    case.no_answer_reason = reason
    do_set_case_status(case, CaseStatus.NO_ANSWER, actor=actor)
    do_record_audit_event(
        case.organisation,
        "case.closed",
        actor=actor,
        obj=case,
        data={"how": how.value, "reason": reason.value},
    )
    return case


def no_answer_label(case: Case) -> str:
    """Why ``case`` has no deadline, in words, or "" when it has one or still needs an answer."""
    if case.needs_answer and case.status != CaseStatus.NO_ANSWER:
        return ""
    if case.no_answer_reason in NoAnswerReason.values:
        return str(NoAnswerReason(case.no_answer_reason).label)
    mention_type = case.mention.mention_type if case.mention_id else ""
    if mention_type == MentionType.TROLL:
        return str(NoAnswerReason.TROLL.label)
    if mention_type == MentionType.SPAM or SPAM_TAG in (case.tags or []):
        return str(NoAnswerReason.SPAM.label)
    return str(NoAnswerReason.CHARTER.label)
