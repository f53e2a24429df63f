"""Attach the signed-in user's current membership to every request, speak their language and
show times in their organisation's time zone; drop forwarding headers no trusted proxy wrote;
add the security headers."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from vigie.core import queries
from vigie.core.csp import CONTENT_SECURITY_POLICY
from vigie.core.proxies import from_trusted_proxy

SESSION_ORG_KEY = "vigie_org_id"


class UntrustedForwardingMiddleware:
    """Once ``VIGIE_TRUSTED_PROXIES`` names the proxies, a request from anyone else loses the
    X-Forwarded-For and X-Forwarded-Proto it carries: a client reaching Vigie around the proxy
    could otherwise pass for another address or for HTTPS. First in the chain, before Django's
    security middleware reads the scheme. Without the setting nothing changes (``vigie serve``
    already drops these headers unless ``--trusted-proxy`` names their sender)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.TRUSTED_PROXIES and not from_trusted_proxy(request):
            for header in ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST"):
                request.META.pop(header, None)
        return self.get_response(request)


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


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy to every answer that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
