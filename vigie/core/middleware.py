"""Attach the signed-in user's current membership to every request, speak their language and
show times in their organisation's time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from vigie.core import queries

SESSION_ORG_KEY = "vigie_org_id"


class CurrentMembershipMiddleware:
    """Sets ``request.membership`` (or None) from the session's chosen organisation.

    The interface language is the user's choice, else their organisation's, else what the
    browser asked for (already resolved by ``LocaleMiddleware``). Times are shown in the
    organisation's time zone (the server's default zone otherwise).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated:
            membership = queries.membership_for(user, request.session.get(SESSION_ORG_KEY))
            if membership is None and request.session.get(SESSION_ORG_KEY) is not None:
                # The chosen organisation is gone or the access was removed: fall back to another.
                request.session.pop(SESSION_ORG_KEY, None)
                membership = queries.membership_for(user, None)
            request.membership = membership  # type: ignore[attr-defined]
            language = user.language or (membership.organisation.language if membership else "")
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        if request.membership is not None:  # type: ignore[attr-defined]
            _activate_zone(request.membership.organisation.timezone)  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        response.headers.setdefault("Content-Language", translation.get_language() or "fr")
        return response


def _activate_zone(name: str) -> None:
    """Render times in zone ``name``; an unknown name (the model validates it) keeps the default."""
    try:
        timezone.activate(zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


# Scripts only from our own static files: no inline <script>, no on…= attribute, no eval (htmx's
# hx-on and filters are not used). Styles allow inline attributes (the dashboard's bars, the
# self-contained reports): a style cannot run code, and every customer text is escaped anyway.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    )
)


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy to every answer that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
