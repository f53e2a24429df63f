"""The route step of the pipeline (``vigie.core.pipeline``): analysed mentions become cases.

``do_route_mentions`` runs on each batch the analysis hands on (the ``inbox.route_mentions`` job)
and on each re-analysis. For every mention it asks the scheme and the charter what to do
(``rules.decide``), then opens the case (``vigie.inbox.actions.do_open_case``) or, on
re-analysis, updates what routing owns (priority, deadline before the first answer, rule,
approval, templates, tags added) without undoing what a person decided (an assignment, a team, a
status or a priority set by hand). A rule may escalate the case (``escalation``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from vigie.charter.calendar import Calendar, calendar_for_organisation, due_at
from vigie.charter.document import CharterDocument
from vigie.charter.queries import current_charter
from vigie.core.actions import do_record_audit_event, do_record_audit_events
from vigie.core.models import AuditEvent, Membership, Organisation, Team, User
from vigie.core.tenancy import scoped
from vigie.inbox.actions import do_open_case, do_open_cases, new_case
from vigie.inbox.models import Case, CaseStatus, NoAnswerReason, RoutingRule
from vigie.inbox.outbox.direct_messages import attach_direct_message
from vigie.inbox.routing.actions import do_seed_default_routing
from vigie.inbox.routing.assign import AssignmentState, assignment_pool, pick_assignee
from vigie.inbox.routing.escalation import do_escalate_case, notify_escalation, rule_reason, supervisors
from vigie.inbox.routing.platform_replies import do_note_platform_replies
from vigie.inbox.routing.rules import Decision, analysis_results, decide, facts_for, ordered_rules
from vigie.mentions.models import Mention, MentionKind

# Audit verbs by which a person takes a decision routing must not undo, and the field each guards.
HUMAN_VERBS = {
    "case.assigned": "assignee",
    "case.team_changed": "team",
    "case.status_changed": "status",
    "case.priority_changed": "priority",
}


_MENTION_ORGANISATION = Mention._meta.get_field("organisation")


def human_decisions(organisation: Organisation, case_ids: Iterable[int]) -> dict[int, set[str]]:
    """Per case, the fields a person decided (from the audit log), for many cases in one query."""
    decided: dict[int, set[str]] = {}
    rows = scoped(AuditEvent, organisation).filter(
        object_type=Case._meta.label_lower,
        object_id__any_of=[str(pk) for pk in case_ids],
        actor__isnull=False,
        verb__in=list(HUMAN_VERBS),
    )
    for object_id, verb in rows.values_list("object_id", "verb"):
        decided.setdefault(int(object_id), set()).add(HUMAN_VERBS[verb])
    return decided


def _is_own_post(mention: Mention) -> bool:
    # The organisation's own posts and replies come back through the connectors; they are no case.
    handle = (mention.source.account_handle or "").strip().lstrip("@").casefold()
    author = mention.author
    return bool(handle and author and (author.handle or "").strip().lstrip("@").casefold() == handle)


def _deadline(mention: Mention, decision: Decision, scheme: Scheme, paused_seconds: int) -> datetime | None:
    if not decision.needs_answer or decision.sla_hours is None:
        return None
    location = mention.location if mention.location_id else None
    # The calendar depends only on the zone and the place's holidays: built once per batch.
    key = (
        mention.organisation.timezone,
        (location.timezone, location.postcode) if location is not None else None,
    )
    calendar = scheme.calendars.get(key)
    if calendar is None:
        calendar = calendar_for_organisation(scheme.charter, mention.organisation.timezone, location=location)
        scheme.calendars[key] = calendar
    deadline = due_at(mention.created_at, decision.sla_hours, calendar)
    if paused_seconds:
        deadline = due_at(deadline, paused_seconds / 3600, calendar)
    return deadline


@dataclass(frozen=True)
class Scheme:
    """What routing reads once per batch: the charter, the ordered rules and the teams, plus what
    it looks up along the way (templates per rule, assignment pools per team, analysis results)."""

    charter: CharterDocument
    rules: list[RoutingRule]
    teams: dict[int, Team]
    templates: dict[tuple[Any, ...], list[int]] = field(default_factory=dict)
    pools: dict[int | None, list[Membership]] = field(default_factory=dict)
    analysis: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Preloaded for a batch (mention id -> its case, locked); None: read each case when needed.
    cases: dict[int, Case] | None = None
    human: dict[int, set[str]] = field(default_factory=dict)
    # A batch's audit events, appended to the log in one go by ``flush`` (None: one at a time),
    # and its assignment cursors and loads.
    events: list[dict[str, Any]] | None = None
    assignment: AssignmentState | None = None
    # A batch's new cases, inserted in one go by ``flush`` (None: each one at once). Their
    # events wait in ``events`` with the case itself, its id known once inserted.
    new_cases: list[Case] | None = None
    # New cases of the batch escalated by their rule: who to tell, once they are inserted; and
    # each team's supervisors, read once per batch.
    notices: list[tuple[Case, Callable[[], str], list[User]]] = field(default_factory=list)
    supervisors: dict[int | None, list[User]] = field(default_factory=dict)
    calendars: dict[tuple[Any, ...], Calendar] = field(default_factory=dict)

    def record(
        self, organisation: Organisation, verb: str, case: Case, data: dict[str, Any], at: datetime
    ) -> None:
        """Log ``verb`` on ``case``: now, or with the batch."""
        if self.events is None:
            do_record_audit_event(organisation, verb, obj=case, data=data, at=at)
            return
        self.events.append(
            {
                "verb": verb,
                "at": at,
                "object_type": case._meta.label_lower,
                "object_id": case,  # its id is read in ``flush``: a new case has none yet
                "data": data,
            }
        )

    def flush(self, organisation: Organisation) -> None:
        """Insert the batch's new cases, then append its pending events to the log (before
        anything else writes to it)."""
        if self.new_cases:
            do_open_cases(self.new_cases)
            self.new_cases.clear()
        for case, reason, recipients in self.notices:
            notify_escalation(case, reason, recipients)
        self.notices.clear()
        if self.events:
            for event in self.events:
                if isinstance(event["object_id"], Case):
                    event["object_id"] = str(event["object_id"].pk)
            do_record_audit_events(organisation, self.events)
            self.events.clear()

    @classmethod
    def load(cls, organisation: Organisation) -> Scheme:
        """Read the organisation's charter, rules and teams."""
        return cls(
            current_charter(organisation),
            ordered_rules(organisation),
            {team.pk: team for team in scoped(Team, organisation)},
        )

    def supervisors_of(self, case: Case) -> list[User]:
        """``supervisors`` of ``case``'s team, read once per batch."""
        if case.team_id not in self.supervisors:
            self.supervisors[case.team_id] = supervisors(case)
        return self.supervisors[case.team_id]

    def pool(self, organisation: Organisation, team: Team | None, at: datetime) -> list[Membership]:
        """``assignment_pool`` for ``team``, read once per batch."""
        key = team.pk if team else None
        if key not in self.pools:
            self.pools[key] = assignment_pool(organisation, team, at)
        return self.pools[key]


def do_route_mentions(organisation: Organisation, mention_ids: Iterable[int]) -> int:
    """Route each of the organisation's mentions ``mention_ids``; returns how many cases exist for them.

    The charter and the rules are read once for the batch, and the batch is one transaction. In
    the organisation's language: the escalation reasons and notifications are read by its people.
    """
    with translation.override(organisation.language):
        return _route_mentions(organisation, mention_ids)


def _route_mentions(organisation: Organisation, mention_ids: Iterable[int]) -> int:
    # A batch's mentions share their organisation and a few sources and places: one instance
    # of each (prefetched), not one per mention; the raw payload and HTML are not read at all.
    mentions = (
        scoped(Mention, organisation)
        .filter(pk__any_of=list(mention_ids))
        .select_related("author")
        .prefetch_related("source", "location")
        .defer("raw", "html")
        .order_by("created_at", "pk")
    )
    do_seed_default_routing(organisation)
    scheme = Scheme.load(organisation)
    batch = list(mentions)
    for mention in batch:
        _MENTION_ORGANISATION.set_cached_value(mention, organisation)
    scheme.analysis.update(analysis_results(organisation, [m.pk for m in batch]))
    routed = 0
    with transaction.atomic():
        # The batch's audit events are appended at its end: hold the organisation's log (the
        # lock every audit writer takes) from now on, so none can slip in between and the log
        # stays in the order things happened.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        # The batch's existing cases and what people decided on them, in two queries.
        existing = (
            Case.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(mention_id__any_of=[m.pk for m in batch])
        )
        cases = {case.mention_id: case for case in existing}
        scheme = replace(
            scheme,
            cases=cases,
            human=human_decisions(organisation, [c.pk for c in cases.values()]),
            events=[],
            assignment=AssignmentState(),
            new_cases=[],
        )
        try:
            with transaction.atomic():
                for mention in batch:
                    if do_route_mention(mention, scheme=scheme) is not None:
                        routed += 1
                scheme.flush(organisation)
        except IntegrityError:
            # Some case was opened meanwhile outside this batch's lock: the whole batch is
            # undone (its updates, events and cases alike) and routed again, one mention at a
            # time, each reading its case afresh.
            routed = _route_one_by_one(organisation, batch, scheme)
            do_note_platform_replies(organisation, batch)
            return routed
        assert scheme.assignment is not None
        scheme.assignment.save()
        # Reviews already answered on the platform: answered, and out of the queue unless someone
        # is answering them in Vigie (after the batch's cases exist).
        do_note_platform_replies(organisation, batch)
    return routed


def _route_one_by_one(organisation: Organisation, batch: list[Mention], scheme: Scheme) -> int:
    """The slow path of ``do_route_mentions``: each mention in its own savepoint, cases read and
    created one at a time (a conflict on one case then costs only that case a retry)."""
    assignment = AssignmentState()
    scheme = replace(scheme, cases=None, events=[], new_cases=None, notices=[], assignment=assignment)
    routed = sum(1 for mention in batch if do_route_mention(mention, scheme=scheme) is not None)
    scheme.flush(organisation)
    assignment.save()
    return routed


def do_route_mention(mention: Mention, *, scheme: Scheme | None = None) -> Case | None:
    """Create or update the case of an analysed ``mention`` from the scheme and the charter.

    Idempotent: routing the same mention twice changes nothing the second time. On re-analysis,
    what routing owns (rule, approval, templates, tags added, deadline before the first answer)
    follows the new analysis, while an assignee, team, status or priority set by a person stays.
    Deleted mentions and the organisation's own posts get no case (None); one opened before is
    left as it is, but for its priority, which follows the analysis. A private message of someone
    with an open case goes into that case's thread (that case is returned) instead of a new one.
    """
    organisation = mention.organisation
    if mention.deleted_at is not None or _is_own_post(mention):
        if scheme is not None and scheme.cases is not None:
            case = scheme.cases.get(mention.pk)
        else:
            case = Case.objects.filter(mention=mention).first()
        if case is not None and case.priority != mention.priority:
            Case.objects.filter(pk=case.pk).update(priority=mention.priority)
            case.priority = mention.priority
        return case
    if mention.kind == MentionKind.PRIVATE_MESSAGE:
        # A private message of someone whose case is open joins that case's thread.
        attached = attach_direct_message(mention)
        if attached is not None:
            return attached
    if scheme is None:
        do_seed_default_routing(organisation)
        scheme = Scheme.load(organisation)
    if scheme.new_cases is not None:
        # A batch holding its organisation's lock, its cases read: no other router can open
        # one of them meanwhile, and new cases wait for one INSERT (no savepoint per mention).
        return _route(mention, scheme)
    pending = len(scheme.events) if scheme.events is not None else 0
    try:
        with transaction.atomic():
            return _route(mention, scheme)
    except IntegrityError:
        # Another worker created the case between our read and our insert: update it instead
        # (and forget what the rolled-back attempt meant to log).
        if scheme.events is not None:
            del scheme.events[pending:]
        with transaction.atomic():
            return _route(mention, replace(scheme, cases=None))


def _route(mention: Mention, scheme: Scheme) -> Case:
    organisation = mention.organisation
    charter = scheme.charter
    results = scheme.analysis.get(mention.pk, {}) if scheme.analysis else None
    decision = decide(
        organisation,
        facts_for(mention, results),
        mention_priority=mention.priority,
        language=mention.language,
        charter=charter,
        rules=scheme.rules,
        teams=scheme.teams,
        template_cache=scheme.templates,
        explain=False,
    )
    now = timezone.now()
    if scheme.cases is not None:
        existing = scheme.cases.get(mention.pk)
    else:
        existing = Case.objects.select_for_update().filter(mention=mention).first()
    if existing is None:
        return _create_case(mention, decision, scheme, now)
    return _update_case(existing, mention, decision, scheme, now)


# An escalation pages people: it is for what is happening now, not for an imported backlog.
ESCALATE_WITHIN = timedelta(days=7)


def _recent(mention: Mention, now: datetime) -> bool:
    return mention.created_at > now - ESCALATE_WITHIN


def _decision_data(decision: Decision) -> dict[str, Any]:
    return {
        "rule": decision.rule_name,
        "rule_id": decision.rule.pk if decision.rule else None,
        "reasons": decision.reasons,
        "needs_answer": decision.needs_answer,
        "no_answer_reason": decision.no_answer_reason,
        "approval_reasons": decision.approval_reasons,
    }


def _create_case(mention: Mention, decision: Decision, scheme: Scheme, now: datetime) -> Case:
    organisation = mention.organisation
    assignee = None
    if decision.rule is not None and decision.needs_answer:
        pool = scheme.pool(organisation, decision.team, now)
        assignee = pick_assignee(
            decision.rule, decision.actions.assign, pool, commit=True, state=scheme.assignment
        )
    escalate = decision.actions.escalate and _recent(mention, now)
    batched = scheme.new_cases is not None
    case = (new_case if batched else do_open_case)(
        mention,
        needs_answer=decision.needs_answer,
        team=decision.team,
        assignee=assignee,
        priority=decision.priority,
        sla_due_at=_deadline(mention, decision, scheme, 0),
        tags=decision.tags,
        routing_rule=decision.rule_name,
        approval_required=decision.approval_required,
        suggested_template_ids=decision.template_ids,
        at=now,
        no_answer_reason=decision.no_answer_reason,
    )
    if batched:
        assert scheme.new_cases is not None
        if escalate:
            case.escalated_at = now  # a new case: nobody else can have escalated it
        scheme.new_cases.append(case)
    data = _decision_data(decision) | {
        "team": decision.team.name if decision.team else None,
        "assignee": assignee.email if assignee else None,
        "priority": case.priority,
        "sla_due_at": case.sla_due_at.isoformat() if case.sla_due_at else None,
        "tags": case.tags,
    }
    scheme.record(organisation, "case.routed", case, data, now)
    if escalate:
        reason = rule_reason(decision.rule_name)  # each supervisor reads it in their language
        if batched:
            # As ``do_escalate_case`` does it, with the batch: the event after "routed", the
            # supervisors told once the case is inserted.
            recipients = scheme.supervisors_of(case)
            scheme.record(
                organisation,
                "case.escalated",
                case,
                {"reason": reason(), "notified": [user.email for user in recipients]},
                now,
            )
            scheme.notices.append((case, reason, recipients))
        else:
            scheme.flush(organisation)  # the escalation's own event comes after this one
            do_escalate_case(case, reason=reason, at=now)
    return case


def _update_case(case: Case, mention: Mention, decision: Decision, scheme: Scheme, now: datetime) -> Case:
    if scheme.cases is not None:
        human = scheme.human.get(case.pk, set())
    else:
        human = human_decisions(case.organisation, [case.pk]).get(case.pk, set())
    changes: dict[str, Any] = {}
    if case.routing_rule != decision.rule_name:
        changes["routing_rule"] = decision.rule_name
    if case.approval_required != decision.approval_required:
        changes["approval_required"] = decision.approval_required
    if case.suggested_template_ids != decision.template_ids:
        changes["suggested_template_ids"] = decision.template_ids
    tags = list(dict.fromkeys([*case.tags, *decision.tags]))
    if tags != case.tags:
        changes["tags"] = tags
    if "priority" not in human and case.priority != decision.priority:
        changes["priority"] = decision.priority
    team_changed = False
    if (
        "team" not in human
        and "assignee" not in human
        and case.team_id != (decision.team.pk if decision.team else None)
    ):
        changes["team"] = decision.team
        team_changed = True
    # Routing's own assignment stays put unless the case moves to another team.
    may_assign = "assignee" not in human and decision.rule is not None and decision.needs_answer
    if may_assign and case.is_open and (team_changed or case.assignee_id is None):
        assert decision.rule is not None
        pool = scheme.pool(case.organisation, decision.team, now)
        assignee = pick_assignee(
            decision.rule, decision.actions.assign, pool, commit=True, state=scheme.assignment
        )
        if assignee is not None and assignee.pk != case.assignee_id:
            changes["assignee"] = assignee
        elif team_changed and assignee is None and case.assignee_id is not None:
            changes["assignee"] = None
    # Closed because the answer is already online (read from the platform) or the person's data
    # was erased: facts, not a rule's choice, so a new reading of the rules (an edited review, a
    # changed scheme) leaves the closing and its reason as they are.
    settled = case.no_answer_reason in (NoAnswerReason.ANSWERED_ELSEWHERE, NoAnswerReason.ERASED)
    if "status" not in human and not settled:
        if not decision.needs_answer and case.status == CaseStatus.NEW:
            changes |= {"status": CaseStatus.NO_ANSWER, "resolved_at": now}
        elif decision.needs_answer and case.status == CaseStatus.NO_ANSWER and _recent(mention, now):
            # Reopened only while the item is recent: a re-analysis of last year's history must
            # not bring back months-old cases, overdue on arrival, to the top of the queue.
            changes |= {"status": CaseStatus.NEW, "resolved_at": None}
        if case.needs_answer != decision.needs_answer:
            changes["needs_answer"] = decision.needs_answer
        if case.no_answer_reason != decision.no_answer_reason:
            changes["no_answer_reason"] = decision.no_answer_reason
    if case.first_response_at is None:
        deadline = _deadline(mention, decision, scheme, case.sla_paused_seconds)
        if deadline != case.sla_due_at and (decision.needs_answer or "status" not in human):
            changes["sla_due_at"] = deadline
    if not changes:
        return case
    changes["updated_at"] = now
    Case.objects.filter(pk=case.pk).update(**changes)
    for name, value in changes.items():
        setattr(case, name, value)
    shown = {
        name: (
            str(value)
            if isinstance(value, Team | User)
            else value.isoformat()
            if isinstance(value, datetime)
            else value
        )
        for name, value in changes.items()
        if name != "updated_at"
    }
    scheme.record(
        case.organisation,
        "case.rerouted",
        case,
        _decision_data(decision) | {"changes": shown, "kept": sorted(human)},
        now,
    )
    if decision.actions.escalate and case.escalated_at is None and _recent(mention, now):
        scheme.flush(case.organisation)  # the escalation's own event comes after this one
        do_escalate_case(case, reason=rule_reason(decision.rule_name), at=now)
    return case
