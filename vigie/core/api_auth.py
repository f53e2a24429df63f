"""Bearer-token authentication for the REST API, and the role gate its handlers share.

Only ``Authorization: Bearer <token>`` is accepted, never the browser session: a request from a
page cannot ride on a signed-in user's cookies, so the API needs no CSRF protection.
"""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from vigie.core.actions import do_touch_api_token
from vigie.core.models import Membership
from vigie.core.queries import token_from_secret
from vigie.core.roles import Role


class BearerAuth(HttpBearer):
    """Accept an active token of an active member; ``request.auth`` is that membership."""

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        api_token = token_from_secret(token.strip())
        if api_token is None:
            return None  # Ninja answers 401
        do_touch_api_token(api_token)
        return api_token.membership


def membership(request: HttpRequest) -> Membership:
    """The membership the request's token belongs to (set by ``BearerAuth``)."""
    return cast(Membership, request.auth)  # type: ignore[attr-defined]


def require(request: HttpRequest, minimum: Role) -> Membership:
    """The request's membership if its role is ``minimum`` or above, else 403."""
    member = membership(request)
    if not member.can(minimum):
        raise HttpError(403, "Your role does not allow this action.")
    return member
