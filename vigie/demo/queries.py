"""Reads about the demo organisation."""

from __future__ import annotations

from enum import Enum

from vigie.core.models import Membership, Organisation
from vigie.demo import DEMO_LOGINS, DEMO_SLUG


class DemoState(Enum):
    ABSENT = "absent"
    # The organisation exists but its members were never added: a load was interrupted.
    INCOMPLETE = "incomplete"
    READY = "ready"


def demo_state() -> DemoState:
    """Whether the demo organisation is loaded, half-loaded or absent."""
    organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
    if organisation is None:
        return DemoState.ABSENT
    admin = Membership.objects.filter(organisation=organisation, user__email=DEMO_LOGINS["admin"])
    return DemoState.READY if admin.exists() else DemoState.INCOMPLETE
