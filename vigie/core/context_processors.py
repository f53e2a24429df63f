"""Template context shared by every page."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

import vigie as vigie_package
from vigie.core.queries import active_memberships, unread_notifications
from vigie.core.roles import ADMINISTER, HANDLE_CASES, MANAGE, PROTECT_DATA


def vigie(request: HttpRequest) -> dict[str, Any]:
    """The current membership and what its role allows, for navigation and buttons."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    memberships: Any = (
        # Only the organisations the user can still enter, fetched in one query, evaluated lazily.
        SimpleLazyObject(lambda: list(active_memberships(user)))
        if user is not None and user.is_authenticated
        else []
    )
    unread: Any = (
        # The header's bell: counted only when a page renders it, once (templates call a callable
        # when they read it). A plain int, not a SimpleLazyObject: the French plural rule of the
        # bell's name ("3 non lues") computes ``n % 10``, which a lazy object cannot do.
        functools.cache(lambda: unread_notifications(membership.organisation, user).count())
        if membership is not None and user is not None and user.is_authenticated
        else 0
    )
    return {
        "memberships": memberships,
        "unread_notifications": unread,
        "vigie_version": vigie_package.__version__,
        "membership": membership,
        "organisation": membership.organisation if membership else None,
        "can_handle_cases": bool(membership and membership.can(HANDLE_CASES)),
        "can_manage": bool(membership and membership.can(MANAGE)),
        "can_administer": bool(membership and membership.can(ADMINISTER)),
        "can_protect_data": bool(membership and membership.can(PROTECT_DATA)),
    }
