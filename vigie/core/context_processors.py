"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

import vigie as vigie_package
from vigie.core.roles import ADMINISTER, HANDLE_CASES, MANAGE


def vigie(request: HttpRequest) -> dict[str, Any]:
    """The current membership and what its role allows, for navigation and buttons."""
    membership = getattr(request, "membership", None)
    return {
        "vigie_version": vigie_package.__version__,
        "membership": membership,
        "organisation": membership.organisation if membership else None,
        "can_handle_cases": bool(membership and membership.can(HANDLE_CASES)),
        "can_manage": bool(membership and membership.can(MANAGE)),
        "can_administer": bool(membership and membership.can(ADMINISTER)),
    }
