"""The dry-run: which rule a mention would hit, why, and what routing would do with it,
answered without writing anything (the scheme's page, the API and ``vigie routing dry-run``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from vigie.charter.calendar import calendar_for_organisation, due_at
from vigie.charter.document import CharterDocument
from vigie.charter.queries import current_charter
from vigie.core.models import Organisation, User
from vigie.inbox.models import Case
from vigie.inbox.routing.assign import assignment_pool, pick_assignee
from vigie.inbox.routing.rules import Decision, Facts, decide, facts_for
from vigie.mentions.models import Mention


@dataclass(frozen=True)
class DryRun:
    """What routing would do with a mention, and why. Produced without writing anything."""

    facts: Facts
    decision: Decision
    assignee: User | None
    sla_due_at: datetime | None
    existing_case: Case | None


def explain_mention(mention: Mention) -> DryRun:
    """Dry-run on a stored mention: the rule it would hit, each rule's checks, the outcome."""
    organisation = mention.organisation
    charter = current_charter(organisation)
    facts = facts_for(mention)
    decision = decide(
        organisation, facts, mention_priority=mention.priority, language=mention.language, charter=charter
    )
    return _dry_run(organisation, facts, decision, charter, mention=mention)


def explain_facts(organisation: Organisation, facts: Facts, *, start: datetime | None = None) -> DryRun:
    """Dry-run on facts typed into the form (a mention that does not exist yet)."""
    charter = current_charter(organisation)
    decision = decide(organisation, facts, language=facts.language, charter=charter)
    return _dry_run(organisation, facts, decision, charter, start=start)


def _dry_run(
    organisation: Organisation,
    facts: Facts,
    decision: Decision,
    charter: CharterDocument,
    *,
    mention: Mention | None = None,
    start: datetime | None = None,
) -> DryRun:
    now = timezone.now()
    assignee = None
    if decision.rule is not None and decision.needs_answer:
        pool = assignment_pool(organisation, decision.team, now)
        assignee = pick_assignee(decision.rule, decision.actions.assign, pool, commit=False)
    deadline = None
    if decision.needs_answer and decision.sla_hours is not None:
        location = mention.location if mention is not None and mention.location_id else None
        calendar = calendar_for_organisation(charter, organisation.timezone, location=location)
        deadline = due_at(mention.created_at if mention else (start or now), decision.sla_hours, calendar)
    existing = Case.objects.filter(mention=mention).first() if mention is not None else None
    return DryRun(facts, decision, assignee, deadline, existing)
