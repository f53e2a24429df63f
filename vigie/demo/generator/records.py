"""The plain records the generator yields and ``vigie demo`` loads: a mention as a connector would
have delivered it, its author, and its case with replies and the audit steps they wrote."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

# The case steps written to the audit log (object "inbox.case"). Whatever records these steps
# for real should use the same verbs, so a demo case and a live one read alike in a timeline.
VERB_CASE_CREATED = "case.created"
VERB_CASE_ASSIGNED = "case.assigned"
VERB_CASE_STATUS = "case.status_changed"
VERB_CASE_RESOLVED = "case.resolved"
VERB_CASE_NO_ANSWER = "case.no_answer"
VERB_CASE_ANSWERED_ON_PLATFORM = "case.answered_on_platform"
VERB_REPLY_SUBMITTED = "reply.submitted"
VERB_REPLY_SENT_BACK = "reply.sent_back"
VERB_REPLY_APPROVED = "reply.approved"
VERB_REPLY_PUBLISHED = "reply.published"
VERB_REPLY_POSTED_BY_HAND = "reply.posted_by_hand"
VERB_REPLY_FAILED = "reply.failed"


@dataclass(frozen=True, slots=True)
class AuthorRecord:
    """Someone writing on one platform; (platform, external_id) identifies them."""

    platform: str
    external_id: str
    handle: str
    display_name: str
    profile_url: str
    followers_count: int | None
    flags: tuple[str, ...] = ()


@dataclass(slots=True)
class EventRecord:
    """One step of a case, for the audit log. ``actor`` is an e-mail address, None for the system."""

    at: datetime
    verb: str
    actor: str | None
    data: dict[str, Any]
    # Index in the case's ``replies`` of the reply this step is about.
    reply_index: int | None = None


@dataclass(slots=True)
class ReplyRecord:
    """An answer. ``body`` keeps the literal ``{reference}`` placeholder until the case has an id."""

    author: str
    template_key: str | None
    channel: str
    body: str
    status: str
    idempotency_key: uuid.UUID
    created_at: datetime
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    published_at: datetime | None = None
    external_id: str = ""
    error: str = ""


@dataclass(slots=True)
class CaseRecord:
    status: str
    team_key: str
    assignee: str | None
    priority: int
    needs_answer: bool
    sla_due_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    no_answer_reason: str = ""
    replies: list[ReplyRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)


@dataclass(slots=True)
class MentionRecord:
    """A mention as a connector would have delivered it, plus the generator's ground truth."""

    ref: int
    source_key: str
    location_key: str | None
    external_id: str
    kind: str
    url: str
    author: AuthorRecord | None
    parent_external_id: str | None
    title: str
    text: str
    html: str
    rating: Decimal | None
    rating_raw: str
    created_at: datetime
    fetched_at: datetime
    likes: int
    shares: int
    replies_count: int
    reach: int
    raw: dict[str, Any]
    language: str
    sentiment: str
    sentiment_score: float
    mention_type: str
    themes: list[str]
    priority: int
    crisis: bool
    case: CaseRecord | None
    # Ground truth for the legal-risk analyzer: defamatory or threatening wording.
    legal_risk: bool = False
    # Removed from the platform after Vigie read it (spam taken down): marked, never lost.
    deleted_at: datetime | None = None
    # Why the priority analyzer ranked it so (shown on the case page).
    priority_reasons: list[str] = field(default_factory=list)
    # The same reasons as codes, so the case page says them in its reader's language.
    priority_codes: list[dict[str, Any]] = field(default_factory=list)
    # The organisation's own answer published on the platform (Google's ``reviewReply``), when a
    # manager answered from the platform's app rather than from Vigie.
    owner_reply_text: str = ""
    owner_reply_at: datetime | None = None
