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
from vigie.core.api_schemas import ErrorOut, ValidationErrorOut
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
        if not isinstance(data, dict):
            # Every body of this API is an object: a list or a bare value is a 400, never read as
            # "no field given" (which an endpoint whose fields are all optional would accept).
            raise ValueError("the body must be a JSON object")
        # Control characters become U+FFFD rather than vanishing: a value keeps the length the
        # schema checked, so a one-character name never turns into a refused empty one.
        cleaned: dict[str, Any] = clean_json(data, replacement="\ufffd")
        return cleaned

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        return {key: clean_json(value, replacement="\ufffd") for key, value in parsed.items()}


def _error_response(component: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


# The errors any operation may answer besides those it declares (each router declares its own
# successes and the errors particular to it): documented on every operation they can come from, so
# a client (and Schemathesis's status conformance check) knows every status it may receive.
_BAD_BODY = _error_response("ErrorOut", "The body is not a JSON object (malformed, nested too deep, a list).")
_FORBIDDEN = _error_response("ErrorOut", "The token's role is too low for this operation.")
_CONFLICT = _error_response(
    "ErrorOut", "The object's current state does not allow this (already done, duplicate name)."
)
_INVALID = _error_response("ValidationErrorOut", "Bad input: one entry per offending field.")


class VigieAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorOut, ValidationErrorOut):
            components.setdefault(
                model.__name__, model.model_json_schema(ref_template="#/components/schemas/{model}")
            )
        for methods in schema["paths"].values():
            for method, operation in methods.items():
                responses = operation.setdefault("responses", {})
                if operation.get("parameters") or operation.get("requestBody"):
                    responses.setdefault(422, _INVALID)
                if operation.get("requestBody"):
                    responses.setdefault(400, _BAD_BODY)
                if method != "get":
                    responses.setdefault(403, _FORBIDDEN)
                    responses.setdefault(409, _CONFLICT)
        return schema


api = VigieAPI(
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
