"""The evidence panel of a case page, loaded by name from the inbox's template
(``{% load evidence_tags %}{% evidence_panel case %}``) so the inbox never imports this app."""

from __future__ import annotations

from typing import Any

from django import template

from vigie.alerts.queries import legal_risk_mention_ids
from vigie.core.roles import ADMINISTER, MANAGE
from vigie.evidence import queries
from vigie.evidence.forms import LiftHoldForm

register = template.Library()


@register.inclusion_tag("evidence/_panel.html", takes_context=True)
def evidence_panel(context: template.Context, case: Any) -> dict[str, Any]:
    """Captures, legal hold and the three-month countdown of ``case``'s mention, with the buttons the
    member's role allows."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    mention = case.mention
    captures = list(queries.captures_of(mention))
    purged = list(queries.purged_captures_of(mention))
    hold = queries.active_hold(mention)
    legal_risk = bool(legal_risk_mention_ids(mention.organisation, [mention.pk]))
    return {
        "mention": mention,
        "captures": captures,
        "last_capture": captures[-1] if captures else None,
        # Said, so that no one reads "Aucune capture" of a post whose evidence was deleted.
        "purged": len(purged),
        "purged_at": purged[-1].purged_at if purged else None,
        "hold": hold,
        "legal_risk": legal_risk,
        "limitation": queries.limitation_of(mention) if (captures or hold or legal_risk) else None,
        "can_capture": bool(membership and membership.can(MANAGE)),
        "can_lift": bool(membership and membership.can(ADMINISTER)),
        "lift_form": LiftHoldForm(),
        "csrf_token": context.get("csrf_token"),
    }
