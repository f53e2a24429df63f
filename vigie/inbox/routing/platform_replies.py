"""Reviews the organisation already answered on the platform itself.

Google, Trustpilot, the app stores, Tripadvisor and Skeepers return the organisation's published
answer with each review (an owner reply, a company reply, a developer reply). Such a review was
answered, whoever wrote the answer and wherever: its case takes that answer as its first response
(the response rate and delays count it) and, when nobody has started answering it in Vigie, is
closed as "already answered elsewhere" instead of waiting in the queue. An answer Vigie published
comes back the same way on the next read: it changes nothing then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from vigie.core.actions import do_record_audit_event
from vigie.core.models import Organisation
from vigie.inbox.actions import do_set_case_status
from vigie.inbox.models import Case, CaseStatus, NoAnswerReason, Reply, ReplyChannel, ReplyStatus
from vigie.mentions.models import Mention

# A public reply in these states is Vigie's own answer, on its way or online.
OURS = (ReplyStatus.PUBLISHED, ReplyStatus.POSTED_BY_HAND)
UNDER_WAY = (ReplyStatus.AWAITING_APPROVAL, ReplyStatus.APPROVED, ReplyStatus.SENT_BACK)


def answered_at(mention: Mention, now: datetime) -> datetime:
    """When the platform's answer was published: its date, never before the review nor in the
    future; now when the platform gives no date."""
    at = mention.owner_reply_at or now
    return min(max(at, mention.created_at), now)


@transaction.atomic
def do_note_platform_replies(organisation: Organisation, mentions: Sequence[Mention]) -> int:
    """Record the platform answers of ``mentions`` (routed, of ``organisation``) on their cases;
    returns how many cases were closed as answered on the platform. A batch without any answer
    (most of them) reads nothing."""
    answered = {m.pk: m for m in mentions if m.owner_reply_text}
    if not answered:
        return 0
    now = timezone.now()
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(organisation=organisation, mention_id__in=list(answered))
    )
    statuses: dict[int, set[str]] = {}
    for case_id, status in Reply.objects.filter(case__in=cases, channel=ReplyChannel.PUBLIC).values_list(
        "case_id", "status"
    ):
        statuses.setdefault(case_id, set()).add(status)
    closed = 0
    for case in cases:
        mention = answered[case.mention_id]
        replies = statuses.get(case.pk, set())
        if replies.intersection(OURS):
            continue  # Vigie's own reply, read back from the platform
        at = answered_at(mention, now)
        if case.first_response_at is None:
            # ``updated_at`` too: the case changed (the daily rollup and "recently updated" read it).
            Case.objects.filter(pk=case.pk).update(first_response_at=at, updated_at=now)
            case.first_response_at, case.updated_at = at, now
        if not case.is_open or replies.intersection(UNDER_WAY) or case.status == CaseStatus.AWAITING_APPROVAL:
            # Closed already, or someone is answering: the case page shows the platform's answer
            # beside theirs, and they decide.
            continue
        Case.objects.filter(pk=case.pk).update(no_answer_reason=NoAnswerReason.ANSWERED_ELSEWHERE)
        case.no_answer_reason = NoAnswerReason.ANSWERED_ELSEWHERE
        do_set_case_status(case, CaseStatus.NO_ANSWER, actor=None)
        do_record_audit_event(
            organisation,
            "case.answered_on_platform",
            actor=None,
            obj=case,
            data={"answered_at": at.isoformat(), "platform": mention.source.platform},
        )
        closed += 1
    return closed
