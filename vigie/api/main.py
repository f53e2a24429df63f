"""The REST API: Django Ninja, versioned under /api/v1/, OpenAPI at /api/docs.

Each app keeps its own router in ``<app>/api.py``; this module only assembles them. Every route
needs ``Authorization: Bearer <token>`` (create one with ``vigie token create EMAIL``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.parser import Parser

from vigie.alerts.api import router as alerts_router
from vigie.charter.api import router as charter_router
from vigie.connectors.api import router as sources_router
from vigie.core.api import router as core_router
from vigie.core.api_auth import BearerAuth
from vigie.core.safe_text import MAX_JSON_DEPTH, clean_json, json_too_deep
from vigie.evidence.api import router as evidence_router
from vigie.inbox.api import router as cases_router
from vigie.inbox.outbox import api as api_publishing
from vigie.inbox.quality.api import router as replies_check_router
from vigie.inbox.routing.api import router as routing_router
from vigie.insights.api import router as insights_router
from vigie.mentions.api import router as mentions_router
from vigie.outreach.api import router as outreach_router
from vigie.privacy.api import router as privacy_router


class SafeParser(Parser):
    """Ninja's parser, plus the ingest rules for text from outside: JSON nested deeper than
    ``MAX_JSON_DEPTH`` is refused (400), NUL and control characters are removed from bodies and
    query strings before any field sees them (PostgreSQL refuses NUL in text)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = super().parse_body(request)
        except RecursionError:
            raise ValueError("JSON nested too deep") from None
        if json_too_deep(data, MAX_JSON_DEPTH):
            raise ValueError("JSON nested too deep")
        cleaned: dict[str, Any] = clean_json(data)
        return cleaned

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        return {key: clean_json(value) for key, value in parsed.items()}


api = NinjaAPI(
    parser=SafeParser(),
    title="Vigie API",
    version="1",
    description=(
        "E-reputation and social customer-care desk. Authenticate with `Authorization: Bearer <token>`.\n\n"
        "Errors: 401 without a valid token, 403 when the token's role is too low, 404 for an object "
        "that does not exist in the token's organisation, 422 with the offending fields on bad input. "
        "Datetimes are ISO 8601 with their UTC offset."
    ),
    docs_url="/docs",
    urls_namespace="api",
    auth=BearerAuth(),
)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """401 with the challenge header RFC 6750 asks for."""
    response = api.create_response(request, {"detail": "Unauthorized"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="vigie"'
    return response


@api.exception_handler(OverflowError)
def out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """A number past 64 bits where an id is expected (a path like ``/cases/99999999999999999999``):
    no object can have it. Query and body ids are refused earlier, with 422 (``ObjectId``)."""
    return api.create_response(request, {"detail": "Not Found"}, status=404)


api.add_router("/v1/", api_publishing.router)
for router in (core_router, sources_router, mentions_router, cases_router, insights_router, alerts_router):
    api.add_router("/v1/", router)
api.add_router("/v1/", replies_check_router)
api.add_router("/v1/", charter_router)
api.add_router("/v1/", routing_router)
api.add_router("/v1/", privacy_router)
api.add_router("/v1/", outreach_router)
api.add_router("/v1/", evidence_router)
