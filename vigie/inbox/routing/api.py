"""API routes of the comment-handling scheme: the rules in order, and the dry-run."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from vigie.core.api_auth import membership
from vigie.core.api_schemas import READ_ERRORS, ApiDateTime
from vigie.core.tenancy import get_in_org
from vigie.inbox.routing.dryrun import explain_mention
from vigie.inbox.routing.rules import ordered_rules, rule_actions, rule_conditions
from vigie.mentions.models import Mention

router = Router(tags=["routing"])


class RuleOut(Schema):
    id: int
    position: int
    name: str
    description: str
    enabled: bool
    conditions: dict[str, Any] | None
    actions: dict[str, Any]


class CheckOut(Schema):
    label: str
    expected: str
    actual: str
    ok: bool


class EvaluationOut(Schema):
    rule: str
    enabled: bool
    matched: bool
    checks: list[CheckOut]


class DryRunOut(Schema):
    mention_id: int
    rule: str | None
    needs_answer: bool
    team: str | None
    assignee: str | None
    priority: int
    sla_due_at: ApiDateTime | None
    approval_required: bool
    approval_reasons: list[str]
    template_ids: list[int]
    tags: list[str]
    escalate: bool
    reasons: list[str]
    rules: list[EvaluationOut]


@router.get(
    "/routing/rules",
    response={200: list[RuleOut], **READ_ERRORS},
    summary="The rules, in the order tried",
    operation_id="vigie_inbox_api_routing_list_rules",
)
def list_rules(request: HttpRequest) -> list[RuleOut]:
    """The organisation's rules in the order tried, with their conditions and actions."""
    rules = []
    for rule in ordered_rules(membership(request).organisation):
        conditions = rule_conditions(rule)
        rules.append(
            RuleOut(
                id=rule.pk,
                position=rule.position,
                name=rule.name,
                description=rule.description,
                enabled=rule.enabled,
                conditions=conditions.model_dump(mode="json", exclude_defaults=True) if conditions else None,
                actions=rule_actions(rule).model_dump(mode="json", exclude_defaults=True),
            )
        )
    return rules


@router.get(
    "/routing/dry-run/{mention_id}",
    operation_id="vigie_inbox_api_routing_dry_run",
    response={200: DryRunOut, **READ_ERRORS},
    summary="Which rule a mention would hit, and why; writes nothing",
)
def dry_run(request: HttpRequest, mention_id: int) -> DryRunOut:
    """Which rule the mention would hit, every rule's checks, and the outcome; writes nothing."""
    mention = get_in_org(Mention, membership(request).organisation, mention_id)
    result = explain_mention(mention)
    decision = result.decision
    return DryRunOut(
        mention_id=mention.pk,
        rule=decision.rule_name or None,
        needs_answer=decision.needs_answer,
        team=decision.team.name if decision.team else None,
        assignee=result.assignee.email if result.assignee else None,
        priority=decision.priority,
        sla_due_at=result.sla_due_at,
        approval_required=decision.approval_required,
        approval_reasons=decision.approval_reasons,
        template_ids=decision.template_ids,
        tags=decision.tags,
        escalate=decision.actions.escalate,
        reasons=decision.reasons,
        rules=[
            EvaluationOut(
                rule=e.rule.name,
                enabled=e.rule.enabled,
                matched=e.matched,
                checks=[
                    CheckOut(label=c.label, expected=c.expected, actual=c.actual, ok=c.ok) for c in e.checks
                ],
            )
            for e in decision.evaluations
        ],
    )
