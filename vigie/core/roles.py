"""Roles of a member inside an organisation, and what each may do.

Roles are ordered: a higher role can do everything a lower one can. Checks are written against
capabilities (``can_handle_cases``) rather than role names so the rule lives in one place.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Lecteur")
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Responsable")
    ADMIN = "admin", _("Administrateur")


_RANK = {Role.VIEWER: 0, Role.AGENT: 1, Role.MANAGER: 2, Role.ADMIN: 3}


def role_rank(role: str) -> int:
    """Return the rank of ``role``; unknown values rank below a viewer (they can do nothing)."""
    try:
        return _RANK[Role(role)]
    except ValueError:
        return -1


def has_role(role: str, minimum: Role) -> bool:
    """True when ``role`` is ``minimum`` or above."""
    return role_rank(role) >= _RANK[minimum]


# The capabilities used by views and API routes. Keep this table as the single reference.
READ = Role.VIEWER  # see the organisation's data
HANDLE_CASES = Role.AGENT  # assign, answer, change the status of a case
MANAGE = Role.MANAGER  # sources, teams, locations, templates, routing
ADMINISTER = Role.ADMIN  # members, roles, organisation settings
# The data protection officer's duties (GDPR: data subject requests, records of processing). Held
# by admins: an organisation names its DPO an admin of Vigie rather than Vigie adding a role
# outside the viewer < agent < manager < admin order.
PROTECT_DATA = Role.ADMIN
