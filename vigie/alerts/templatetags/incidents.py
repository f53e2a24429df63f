"""``{% incident_banner %}``: the banner the inbox shows while an incident is open.

A template tag rather than an import: the inbox sits below alerts and must not import them; it
names this library in its template, and a deployment without alerts would only lose the banner.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from vigie.alerts.queries import incident_alerts, open_incident
from vigie.connectors.platforms import platform_name
from vigie.core.decorators import current_membership

register = template.Library()


@register.inclusion_tag("alerts/_incident_banner.html", takes_context=True)
def incident_banner(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    membership = current_membership(request) if request is not None else None
    if membership is None:
        return {"incident": None}
    incident = open_incident(membership.organisation)
    if incident is None:
        return {"incident": None}
    language = (get_language() or "fr")[:2]
    lead = incident_alerts(incident).first()
    return {
        "incident": incident,
        "title": incident.title_in(language),
        "explanation": incident.explanation_in(language),
        "lead": lead,
    }


# The filter moved to the connectors' built-in library (every page has it without a load); a
# template loading this library keeps the same one name.
register.filter("platform_name", platform_name)
