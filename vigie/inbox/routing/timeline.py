"""How the events routing and the SLA clock record read on the case timeline."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vigie.core.models import AuditEvent


def describe_routing_event(event: AuditEvent) -> str | None:
    """A sentence for the case timeline for the events routing and the SLA clock record; None for
    other verbs (the case page's own ``describe_event`` can fall back on it)."""
    data = event.data or {}
    if event.verb in ("case.routed", "case.rerouted"):
        rule = data.get("rule") or ""
        if event.verb == "case.rerouted":
            text = _("Aiguillage revu après une nouvelle analyse")
        else:
            text = _("Aiguillé")
        if rule:
            text += " — " + _("règle « %(name)s »") % {"name": rule}
        else:
            text += " — " + _("valeurs par défaut de la charte")
        if data.get("kept"):
            text += " " + _("(décisions conservées : %(fields)s)") % {"fields": ", ".join(data["kept"])}
        return text
    if event.verb == "case.escalated":
        return _("Escaladé : %(reason)s") % {"reason": data.get("reason") or "—"}
    if event.verb == "case.sla_warning":
        return _("Alerte : échéance proche")
    if event.verb == "case.sla_paused":
        return _("Délai suspendu : en attente du client")
    if event.verb == "case.sla_resumed":
        return _("Délai repris")
    return None
