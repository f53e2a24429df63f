"""Who receives a case automatically: the assignment pool (a team's members who handle cases, or
the organisation's agents; people marked away left out) and the pick in it (round-robin or least
loaded)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count

from vigie.core.models import Membership, Organisation, Team, User
from vigie.core.roles import HANDLE_CASES, Role, has_role
from vigie.core.tenancy import scoped
from vigie.inbox.models import OPEN_STATUSES, Case, MemberAvailability, RoutingRule
from vigie.inbox.routing.rules import AssignMode


def away_user_ids(organisation: Organisation, at: datetime) -> set[int]:
    """Members marked unavailable at ``at``."""
    return set(
        scoped(MemberAvailability, organisation)
        .filter(unavailable_until__gt=at)
        .values_list("user_id", flat=True)
    )


def assignment_pool(organisation: Organisation, team: Team | None, at: datetime) -> list[Membership]:
    """Who may receive a case automatically: the team's members who handle cases, or, with no team,
    the organisation's agents. People marked away are left out."""
    members = scoped(Membership, organisation).filter(is_active=True, user__is_active=True)
    if team is not None:
        members = members.filter(teams=team)
        members = members.filter(role__in=[r.value for r in Role if has_role(r, HANDLE_CASES)])
    else:
        members = members.filter(role=Role.AGENT)
    away = away_user_ids(organisation, at)
    return [m for m in members.select_related("user").order_by("user_id") if m.user_id not in away]


@dataclass
class AssignmentState:
    """What assignment reads once per routing batch instead of once per case: each round-robin
    rule's cursor (locked for the batch, written back by ``save``) and everyone's open cases."""

    cursors: dict[int, int | None] = field(default_factory=dict)  # rule id -> last assignee id
    loads: dict[int, int] | None = None  # user id -> open cases, counting this batch's
    moved: set[int] = field(default_factory=set)

    def save(self) -> None:
        """Write back the cursors the batch moved."""
        for rule_id in sorted(self.moved):
            RoutingRule.objects.filter(pk=rule_id).update(last_assignee_id=self.cursors[rule_id])
        self.moved.clear()


def _open_loads(organisation: Organisation, user_ids: Iterable[int] | None = None) -> dict[int, int]:
    cases = scoped(Case, organisation).filter(status__in=OPEN_STATUSES, assignee_id__isnull=False)
    if user_ids is not None:
        cases = cases.filter(assignee_id__in=list(user_ids))
    return dict(cases.values_list("assignee_id").annotate(n=Count("id")).values_list("assignee_id", "n"))


def pick_assignee(
    rule: RoutingRule,
    mode: AssignMode,
    pool: Sequence[Membership],
    *,
    commit: bool,
    state: AssignmentState | None = None,
) -> User | None:
    """The next person under ``mode``. Round-robin moves the rule's cursor only when ``commit``;
    with a batch's ``state``, the cursor and the loads are read once and kept there."""
    if mode == "none" or not pool:
        return None
    if mode == "least_loaded":
        if state is None:
            loads = _open_loads(rule.organisation, [m.user_id for m in pool])
        else:
            if state.loads is None:
                state.loads = _open_loads(rule.organisation)
            loads = state.loads
        chosen = min(pool, key=lambda m: (loads.get(m.user_id, 0), m.user_id))
        if commit and state is not None:
            loads[chosen.user_id] = loads.get(chosen.user_id, 0) + 1
        return chosen.user
    last = rule.last_assignee_id
    if commit:
        if state is not None and rule.pk in state.cursors:
            last = state.cursors[rule.pk]
        else:
            last = (
                RoutingRule.objects.select_for_update()
                .filter(pk=rule.pk)
                .values_list("last_assignee_id", flat=True)
                .first()
            )
    following = [m for m in pool if last is None or m.user_id > last]
    chosen = (following or list(pool))[0]
    if commit:
        if state is None:
            RoutingRule.objects.filter(pk=rule.pk).update(last_assignee=chosen.user)
        else:
            state.cursors[rule.pk] = chosen.user_id
            state.moved.add(rule.pk)
        rule.last_assignee_id = chosen.user_id
    return chosen.user
