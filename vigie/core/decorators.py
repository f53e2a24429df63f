"""View decorators: who may open a page.

``member_required`` is the single gate for the organisation's pages. It relies on
``request.membership``, set by ``CurrentMembershipMiddleware`` from the session's chosen
organisation, so a view decorated with it can trust that the membership is active.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from vigie.core.roles import READ, Role

if TYPE_CHECKING:
    from vigie.core.models import Membership

V = TypeVar("V", bound=Callable[..., HttpResponse])


def forbidden(request: HttpRequest, message: str, *, no_membership: bool = False) -> HttpResponse:
    """A 403 page that says plainly why the page is refused."""
    response = TemplateResponse(
        request,
        "core/forbidden.html",
        {"message": message, "no_membership": no_membership},
        status=403,
    )
    return response.render()


def member_required(minimum: Role = READ) -> Callable[[V], V]:
    """Let in only signed-in, active members of the current organisation with at least ``minimum``.

    Anonymous visitors are sent to the login page with ``next``; a user without any active
    membership, or whose role is too low, gets a 403 page that says why.
    """

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            membership = getattr(request, "membership", None)
            if membership is None or not membership.is_active:
                return forbidden(
                    request,
                    _("Vous n'appartenez à aucune organisation."),
                    no_membership=True,
                )
            if not membership.can(minimum):
                return forbidden(
                    request,
                    _("Votre rôle dans cette organisation ne permet pas d'ouvrir cette page."),
                )
            return view(request, *args, **kwargs)

        return cast(V, wrapper)

    return decorator


def current_membership(request: HttpRequest) -> Membership:
    """The signed-in member's membership in the organisation they chose, in a page behind
    ``member_required`` (which has checked it is active and its role high enough)."""
    return cast("Membership", request.membership)  # type: ignore[attr-defined]
