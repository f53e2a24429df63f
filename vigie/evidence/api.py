"""API routes of the evidence domain: a mention's captures, legal hold and limit; capture now.

Managers and admins only, as on the pages: evidence is the legal team's business.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema, Status

from vigie.core.api_auth import require
from vigie.core.api_schemas import READ_ERRORS, WRITE_ERRORS, ApiDateTime
from vigie.core.roles import MANAGE
from vigie.core.tenancy import get_in_org
from vigie.evidence import queries
from vigie.evidence.models import Capture, CaptureTrigger
from vigie.evidence.service import capture_mention
from vigie.mentions.models import Mention

router = Router(tags=["evidence"])


class CaptureOut(Schema):
    id: int
    seq: int
    status: str
    reason: str
    url: str
    captured_at: ApiDateTime
    sha256: str
    timestamped: bool

    @staticmethod
    def from_capture(capture: Capture) -> CaptureOut:
        return CaptureOut(
            id=capture.pk,
            seq=capture.seq,
            status=capture.status,
            reason=capture.reason,
            url=capture.url,
            captured_at=capture.captured_at,
            sha256=capture.manifest_sha256,
            timestamped=bool(capture.timestamp_token),
        )


class EvidenceOut(Schema):
    mention_id: int
    held: bool
    limitation_expires_on: date
    days_left: int
    captures: list[CaptureOut]


@router.get(
    "/mentions/{mention_id}/evidence",
    response={200: EvidenceOut, **READ_ERRORS},
    summary="A mention's captures, legal hold and the day its three-month limit expires (manager and above)",
)
def mention_evidence(request: HttpRequest, mention_id: int) -> EvidenceOut:
    organisation = require(request, MANAGE).organisation
    mention = get_in_org(Mention, organisation, mention_id)
    limitation = queries.limitation_of(mention)
    return EvidenceOut(
        mention_id=mention.pk,
        held=queries.is_held(mention),
        limitation_expires_on=limitation.expires_on,
        days_left=limitation.days_left,
        captures=[CaptureOut.from_capture(capture) for capture in queries.captures_of(mention)],
    )


@router.post(
    "/mentions/{mention_id}/evidence/capture",
    response={201: CaptureOut, **WRITE_ERRORS},
    summary="Capture the mention's page now (manager and above); the mention goes under legal hold",
)
def capture(request: HttpRequest, mention_id: int) -> Status[CaptureOut]:
    member = require(request, MANAGE)
    mention = get_in_org(Mention, member.organisation, mention_id)
    made = capture_mention(mention, trigger=CaptureTrigger.MANUAL, actor=member.user)
    return Status(201, CaptureOut.from_capture(made))
