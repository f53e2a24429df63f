"""API routes of the charter: read the charter in force (everyone), replace it (admins)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from vigie.charter.actions import do_update_charter
from vigie.charter.calendar import span_problems
from vigie.charter.document import CharterDocument, delay_problems
from vigie.charter.queries import current_charter, current_version
from vigie.core.api_auth import membership, require
from vigie.core.api_schemas import READ_ERRORS, WRITE_ERRORS, ApiDateTime, invalid
from vigie.core.models import Organisation
from vigie.core.roles import ADMINISTER

router = Router(tags=["charter"])


class CharterOut(Schema):
    version: int | None = Field(description="None while the organisation runs on Vigie's recommended values.")
    updated_at: ApiDateTime | None
    document: CharterDocument


class CharterIn(Schema):
    document: CharterDocument
    comment: str = Field("", max_length=300)


def _out(organisation: Organisation) -> CharterOut:
    version = current_version(organisation)
    return CharterOut(
        version=version.number if version else None,
        updated_at=version.created_at if version else None,
        document=current_charter(organisation),
    )


@router.get("/charter", response={200: CharterOut, **READ_ERRORS}, summary="The charter in force")
def get_charter(request: HttpRequest) -> CharterOut:
    """The charter in force (Vigie's recommended values until someone saves one)."""
    return _out(membership(request).organisation)


@router.put(
    "/charter",
    response={200: CharterOut, **WRITE_ERRORS},
    summary="Replace the charter with a new version (admin)",
)
def put_charter(request: HttpRequest, payload: CharterIn) -> CharterOut:
    """Store ``document`` as the organisation's next charter version (admins)."""
    member = require(request, ADMINISTER)
    # Opening hours a clock cannot read ("9", "25:00"), inverted or overlapping: refused here, as
    # the charter's form refuses them (stored, "ab" made the dashboard a server error).
    for day, problem in span_problems(payload.document.sla.business_hours.days):
        raise invalid(["body", "payload", "document", "sla", "business_hours", "days", day], problem)
    # A delay of a billion hours was stored: each delay within its documented range.
    for where, problem in delay_problems(payload.document):
        raise invalid(["body", "payload", "document", *where], problem)
    do_update_charter(member.organisation, payload.document, author=member.user, comment=payload.comment)
    return _out(member.organisation)
