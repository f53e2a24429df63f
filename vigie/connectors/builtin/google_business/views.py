"""The "connect Google account" page: the OAuth user flow that gives a source its refresh token.

A manager opens the page of a ``google_business`` source and is sent to Google's consent screen
with a random ``state`` kept in their session; Google sends them back to the single callback URL
(the one registered in the OAuth client), which checks the state, trades the code for a refresh
token and stores it, encrypted, in that source. Managers and admins only; another organisation's
source is a 404.
"""

from __future__ import annotations

import functools
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template import engines
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vigie.connectors.actions import SourceConfigError, build_connector, do_update_source
from vigie.connectors.builtin.google_business.connector import GOOGLE_AUTH_URL, GoogleBusinessConnector
from vigie.connectors.contract import ConnectorError
from vigie.connectors.credentials import CredentialsError, decrypt_secrets
from vigie.connectors.models import Source
from vigie.core.csp import content_security_policy
from vigie.core.decorators import member_required
from vigie.core.egress import EgressRefused
from vigie.core.models import Organisation
from vigie.core.roles import MANAGE
from vigie.core.tenancy import get_in_org

SESSION_KEY = "google_business_oauth"
TEMPLATE = Path(__file__).parent / "templates" / "google_business" / "connect.html"


@functools.cache
def _template() -> Any:
    # The connector folder is not a Django app: load its template through the project's engine
    # so it extends the site layout like any page.
    return engines["django"].from_string(TEMPLATE.read_text(encoding="utf-8"))


def _render(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(_template().render({"nav": "sources", **context}, request), status=status)


def _google_source(organisation: Organisation, source_id: Any) -> Source:
    source = get_in_org(Source, organisation, source_id)
    if source.platform != GoogleBusinessConnector.slug:
        raise Http404
    return source


def _connector(source: Source) -> GoogleBusinessConnector:
    connector = build_connector(source)
    assert isinstance(connector, GoogleBusinessConnector)
    return connector


def _is_connected(source: Source) -> bool:
    try:
        return bool(decrypt_secrets(source.credentials_encrypted).get("refresh_token"))
    except CredentialsError:
        return False


def _redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("google_business_callback"))


def _page(request: HttpRequest, source: Source, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "source": source,
        "connected": _is_connected(source),
        "redirect_uri": _redirect_uri(request),
        "error": error,
    }
    response = _render(request, context, status=status)
    # The page's form posts to Vigie, which answers with a redirect to Google's consent screen:
    # browsers hold that redirect to the page's form-action, so the policy names Google's origin.
    response.headers["Content-Security-Policy"] = content_security_policy(form_action=[_auth_origin(source)])
    return response


def _auth_origin(source: Source) -> str:
    """The origin of the consent screen the connect form leads to (the source's, else Google's)."""
    try:
        url = _connector(source).config.auth_url
    except (SourceConfigError, CredentialsError):
        url = GOOGLE_AUTH_URL
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def connect(request: HttpRequest, source_id: int) -> HttpResponse:
    """Explain the grant (GET); send the manager to Google's consent screen (POST)."""
    organisation = request.membership.organisation  # type: ignore[attr-defined]
    source = _google_source(organisation, source_id)
    if request.method != "POST":
        return _page(request, source)
    try:
        connector = _connector(source)
    except (SourceConfigError, CredentialsError) as exc:
        return _page(
            request, source, error=_("Configuration de la source incomplète : %(error)s") % {"error": exc}
        )
    state = secrets.token_urlsafe(32)
    request.session[SESSION_KEY] = {"state": state, "source_id": source.pk}
    return HttpResponseRedirect(connector.authorization_url(_redirect_uri(request), state))


@member_required(MANAGE)
@require_http_methods(["GET"])
def callback(request: HttpRequest) -> HttpResponse:
    """Where Google sends the manager back: check the state, store the refresh token."""
    organisation = request.membership.organisation  # type: ignore[attr-defined]
    pending = request.session.pop(SESSION_KEY, None)
    state = request.GET.get("state", "")
    if (
        not isinstance(pending, dict)
        or not state
        or not constant_time_compare(state, str(pending.get("state")))
    ):
        return _render(
            request,
            {
                "error": _(
                    "Ce retour de Google est expiré ou ne correspond à aucune demande. Recommencez la connexion."
                )
            },
            status=400,
        )
    source = _google_source(organisation, pending.get("source_id"))
    if request.GET.get("error"):
        message = _("Google n'a pas donné l'accès (%(error)s).") % {"error": request.GET["error"][:100]}
        return _page(request, source, error=message, status=400)
    code = request.GET.get("code", "")
    if not code:
        return _page(request, source, error=_("Google n'a renvoyé aucun code d'autorisation."), status=400)
    try:
        refresh_token = _connector(source).exchange_code(code, _redirect_uri(request))
    except (ConnectorError, SourceConfigError, CredentialsError, EgressRefused) as exc:
        return _page(
            request, source, error=_("Échec de la connexion : %(error)s") % {"error": exc}, status=502
        )
    do_update_source(source, config={**source.config, "refresh_token": refresh_token}, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Compte Google connecté à la source « %(name)s ».") % {"name": source.name})
    # Next step: choose the account's locations to read, now that they can be listed.
    return redirect("source_edit", source.pk)
