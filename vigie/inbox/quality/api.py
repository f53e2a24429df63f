"""API route of the reply quality gate: check a draft without saving anything."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Router, Schema
from pydantic import StrictBool

from vigie.core.api_auth import require
from vigie.core.api_schemas import ErrorOut, ValidationErrorOut
from vigie.core.roles import HANDLE_CASES
from vigie.core.tenancy import get_in_org
from vigie.inbox.models import ReplyChannel, Template
from vigie.inbox.quality import check_reply
from vigie.inbox.templating.render import approved_template_text
from vigie.mentions.models import Mention

router = Router(tags=["replies"])

MAX_TEXT = 20_000


class ReplyCheckIn(Schema):
    """A draft to check. ``mention_id`` (optional) is the mention it answers, ``template_id``
    (optional) the template the draft started from, both in your organisation."""

    text: str = Field(max_length=MAX_TEXT)
    platform: str = Field(pattern=r"^[a-z0-9_\-]{1,40}$", examples=["google_business"])
    language: Literal["fr", "en"]
    mention_id: int | None = None
    channel: ReplyChannel = ReplyChannel.PUBLIC
    template_id: int | None = Field(
        None,
        description="The template the draft started from, if any (404 if it is not your organisation's). "
        "Its contact details are not personal data; when it is pre-approved, a draft that keeps it "
        "(edited no further than the charter's `template_edit_threshold`) is not asked for a more "
        "complete answer and its phrases do not count as copied from recent replies, as in the "
        "reply composer.",
    )


class FindingOut(Schema):
    """One problem of the draft. A ``block`` forbids sending; a ``warn`` may be overridden."""

    code: str = Field(examples=["personal_data"])
    severity: Literal["block", "warn"]
    message: str
    start: int | None = Field(None, description="First character of the problem in `text`.")
    end: int | None = Field(None, description="Character after the problem in `text`.")
    suggestion: str | None = None
    needs_approval: StrictBool | None = Field(
        None,
        description="True when the charter wants a supervisor to approve a reply that says this "
        "(a `warn` whose commitment is reserved to supervisors).",
    )
    approval_topic: Literal["refund", "gesture", "money", "fault", "liability", "deadline"] | None = Field(
        None, description="What the draft commits to, when `needs_approval`."
    )


@router.post(
    "/replies/check",
    operation_id="vigie_inbox_api_replies_check_draft",
    response={200: list[FindingOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Run the reply quality gate on a draft",
    exclude_none=True,
    description=(
        "Returns every finding, blocking first; an empty list means the draft may be sent. Messages are "
        "in the token owner's interface language, else that of `Accept-Language` (French by default). "
        "Needs the agent role or above. With `template_id` (a template of your organisation, else 404), "
        "the draft is judged as the reply composer judges a reply started from that template."
    ),
)
def check_draft(request: HttpRequest, payload: ReplyCheckIn) -> list[dict[str, object]]:
    member = require(request, HANDLE_CASES)
    organisation = member.organisation
    mention = (
        get_in_org(Mention, organisation, payload.mention_id) if payload.mention_id is not None else None
    )
    template = (
        get_in_org(Template, organisation, payload.template_id) if payload.template_id is not None else None
    )
    # The token owner's interface language, else the request's (Accept-Language), as on the pages.
    with translation.override(member.user.language or translation.get_language()):
        findings = check_reply(
            payload.text,
            platform=payload.platform,
            language=payload.language,
            organisation=organisation,
            mention=mention,
            membership=member,
            template_body=template.body if template is not None else None,
            channel=payload.channel.value,
            # As in the reply composer: a pre-approved template used as is (or nearly) is not told
            # what a complete answer holds, and its phrases are not a copy of recent replies.
            approved_template=approved_template_text(
                template, member, organisation=organisation, mention=mention, platform=payload.platform
            ),
        )
    return [finding.as_dict() for finding in findings]
