"""API routes of the privacy app (the DPO capability: admins): data subject requests, retention."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import StrictBool

from vigie.core.api_auth import require
from vigie.core.api_schemas import WRITE_ERRORS, invalid
from vigie.core.roles import PROTECT_DATA
from vigie.privacy.actions import do_apply_retention, do_erase_subject, do_record_subject_export
from vigie.privacy.queries import export_subject, find_subject
from vigie.privacy.subjects import MAX_LENGTH, Subject, SubjectError, parse_subject

router = Router(tags=["privacy"])


class SubjectIn(Schema):
    subject: str = Field(max_length=MAX_LENGTH, description="Platform handle, e-mail, phone or full name.")


class EraseIn(SubjectIn):
    dry_run: StrictBool = False
    redact_naming: list[int] = Field(
        default_factory=list,
        max_length=10_000,
        description="Ids of other people's mentions that name the person (the export's mentions with "
        "relation 'named') in which to erase them; the others are left as they are.",
    )


class CountsOut(Schema):
    dry_run: bool
    counts: dict[str, int]


class RetentionIn(Schema):
    dry_run: StrictBool = False


def _subject(value: str) -> Subject:
    try:
        return parse_subject(value)
    except SubjectError as error:
        raise invalid(["body", "payload", "subject"], str(error)) from error


@router.post(
    "/privacy/export",
    response={200: dict[str, Any], **WRITE_ERRORS},
    summary="Everything held about one person, as the JSON export (DPO)",
)
def privacy_export(request: HttpRequest, payload: SubjectIn) -> dict[str, Any]:
    """The person's data across sources (``vigie.privacy.export/1``); the export is audited."""
    member = require(request, PROTECT_DATA)
    findings = find_subject(member.organisation, _subject(payload.subject))
    do_record_subject_export(member.organisation, findings, actor=member.user)
    return export_subject(member.organisation, findings)


@router.post(
    "/privacy/erase", response={200: CountsOut, **WRITE_ERRORS}, summary="Erase one person's data (DPO)"
)
def privacy_erase(request: HttpRequest, payload: EraseIn) -> CountsOut:
    """Erase or pseudonymise the person's data; legal holds stay; ``dry_run`` only counts."""
    member = require(request, PROTECT_DATA)
    findings = find_subject(member.organisation, _subject(payload.subject))
    counts = do_erase_subject(
        member.organisation,
        findings,
        actor=member.user,
        dry_run=payload.dry_run,
        redact_naming=payload.redact_naming,
    )
    return CountsOut(dry_run=payload.dry_run, counts=counts)


@router.post(
    "/retention/run",
    response={200: CountsOut, **WRITE_ERRORS},
    summary="Apply the charter's retention now (DPO)",
)
def retention_run(request: HttpRequest, payload: RetentionIn) -> CountsOut:
    """What the daily job does, now; ``dry_run`` only counts."""
    member = require(request, PROTECT_DATA)
    return CountsOut(
        dry_run=payload.dry_run, counts=do_apply_retention(member.organisation, dry_run=payload.dry_run)
    )
