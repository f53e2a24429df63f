"""A crisis' post-mortem feeding an action plan.

The crisis room (``vigie.alerts``, a layer below) links to the action plan form with
``?crisis=<id>``; this module turns the closed crisis into the plan's first draft: its theme, a
title, the causes and corrective actions as the description, the crisis lead as owner (or the
first corrective action's owner who can act; nobody when none can), the day the
crisis closed as the start of the before/after comparison and the last corrective action's due
date as the deadline. A crisis feeds one plan: asking again opens the plan made the first time.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from vigie.alerts.models import Crisis, CrisisRole, CrisisStatus
from vigie.core.models import Organisation
from vigie.core.queries import active_members
from vigie.core.tenancy import get_in_org
from vigie.insights.models import ActionPlan


def closed_crisis(organisation: Organisation, crisis_id: str) -> Crisis:
    """The organisation's closed crisis ``crisis_id`` with its post-mortem (else a 404)."""
    if not crisis_id.isdecimal():
        raise Http404
    crisis = get_in_org(Crisis, organisation, crisis_id)
    if crisis.status != CrisisStatus.CLOSED or not hasattr(crisis, "postmortem"):
        raise Http404
    return crisis


def plan_of(crisis: Crisis) -> ActionPlan | None:
    """The action plan made from ``crisis``' post-mortem, if one was."""
    return ActionPlan.objects.filter(crisis=crisis).first()


def plan_draft(crisis: Crisis, themes: list[str]) -> dict[str, Any]:
    """The action plan form's first values for ``crisis`` (``themes``: the slugs the form offers)."""
    postmortem = crisis.postmortem
    actions = list(crisis.corrective_actions.select_related("owner").order_by("due_on", "id"))
    lines = [_("Issu du post-mortem de la crise « %(title)s ».") % {"title": crisis.title}, ""]
    lines += [_("Causes : %(causes)s") % {"causes": postmortem.causes}, ""]
    if actions:
        lines.append(_("Actions correctives :"))
        lines += [f"- {action.title} ({action.owner or '—'}, {action.due_on:%d/%m/%Y})" for action in actions]
    # The plan's owner must be able to act: a suspended lead (or action owner) is not proposed,
    # creating the plan refused them ("n'est pas membre"); then nobody is, the author chooses.
    can_act = set(active_members(crisis.organisation).values_list("user_id", flat=True))
    leads = crisis.cell.filter(role=CrisisRole.LEAD).order_by("id").values_list("user_id", flat=True)
    candidates = [*leads, *(action.owner_id for action in actions)]
    owner = next((pk for pk in candidates if pk in can_act), None)
    # The crisis' own theme where the form offers it; else none (the form asks for one), never
    # the first of the menu.
    theme = next((t for t in crisis.themes if t in themes), "")
    closed = crisis.closed_at or crisis.started_at
    return {
        "theme": theme,
        "title": (_("Suites de la crise « %(title)s »") % {"title": crisis.title})[:200],
        "description": "\n".join(lines),
        "owner": owner,
        "started_on": closed.astimezone(zoneinfo.ZoneInfo(crisis.organisation.timezone)).date(),
        "due_on": max((action.due_on for action in actions), default=None),
    }
