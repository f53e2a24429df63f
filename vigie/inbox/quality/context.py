"""What the gate reads from the database about the organisation and the answered mention."""

from __future__ import annotations

from dataclasses import dataclass, field

from vigie.charter.document import APPROVAL_TOPICS
from vigie.core.models import Location, Membership, Organisation, Team
from vigie.core.roles import MANAGE
from vigie.core.tenancy import scoped
from vigie.inbox.models import Reply, ReplyStatus
from vigie.inbox.quality.places import place_names
from vigie.inbox.quality.similarity import RECENT_REPLIES
from vigie.mentions.models import Mention, MentionType, Sentiment

PUBLISHED = (ReplyStatus.PUBLISHED, ReplyStatus.POSTED_BY_HAND)


@dataclass(frozen=True)
class GateContext:
    """Everything the checks need besides the draft itself. Empty when nothing is known."""

    # Bare patterns are order numbers; (kind, pattern) pairs name their kind (customer numbers).
    order_patterns: list[str | tuple[str, str]] = field(default_factory=list)
    protected_terms: list[str] = field(default_factory=list)
    jargon: list[str] = field(default_factory=list)
    recent_replies: list[str] = field(default_factory=list)
    mention_language: str = ""
    unhappy_customer: bool = False
    may_promise: bool = False
    # The charter's approval rule for commitments: which need a supervisor, and the shortest delay
    # an agent may promise alone (``vigie.charter.document.ApprovalPolicy``).
    approval_topics: frozenset[str] = frozenset(APPROVAL_TOPICS)
    shortest_deadline_hours: float | None = 24
    # How far a pre-approved template may be edited and still count as the approved text.
    template_edit_threshold: float = 0.3
    # The place the customer wrote about (its name), the ways to name it, the organisation's other
    # places' names, and the customer's own text (a place they named may be named back).
    location: str = ""
    location_names: frozenset[str] = frozenset()
    other_location_names: frozenset[str] = frozenset()
    mention_text: str = ""


def recent_reply_bodies(
    organisation: Organisation,
    platform: str,
    *,
    exclude_mention_id: int | None = None,
    limit: int = RECENT_REPLIES,
) -> list[str]:
    """The bodies of the organisation's last published public replies on ``platform``, newest first."""
    queryset = scoped(Reply, organisation).filter(
        status__in=PUBLISHED, channel="public", case__mention__source__platform=platform
    )
    if exclude_mention_id is not None:
        queryset = queryset.exclude(case__mention_id=exclude_mention_id)
    return list(queryset.order_by("-published_at", "-id").values_list("body", flat=True)[:limit])


def is_unhappy(mention: Mention) -> bool:
    """A complaint, a negative mention or a review of two stars or fewer."""
    return (
        mention.sentiment == Sentiment.NEGATIVE
        or mention.mention_type == MentionType.COMPLAINT
        or (mention.rating is not None and mention.rating <= 2)
    )


def gate_context(
    organisation: Organisation | None,
    *,
    platform: str,
    mention: Mention | None = None,
    membership: Membership | None = None,
) -> GateContext:
    """Read what the checks need for one draft (a handful of small queries)."""
    if organisation is None and mention is not None:
        organisation = mention.organisation
    protected: list[str] = []
    patterns: list[str | tuple[str, str]] = []
    jargon: list[str] = []
    recent: list[str] = []
    topics: frozenset[str] = frozenset(APPROVAL_TOPICS)
    shortest_deadline: float | None = 24
    edit_threshold = 0.3
    location = ""
    here: set[str] = set()
    elsewhere: set[str] = set()
    if organisation is not None:
        from vigie.analysis.queries import organisation_context
        from vigie.charter.queries import current_charter

        analysis = organisation_context(organisation)
        patterns = [
            *analysis.get("order_patterns", []),
            *((str(kind), str(pattern)) for kind, pattern in analysis.get("number_patterns", [])),
        ]
        protected += [str(term) for term in analysis.get("organisation_terms", [])]
        for pk, name, city in scoped(Location, organisation).values_list("pk", "name", "city"):
            protected += [name, city]
            if mention is not None and pk == mention.location_id:
                location, here = name, place_names(name, city)
            else:
                elsewhere |= place_names(name, city)
        protected += list(scoped(Team, organisation).values_list("name", flat=True))
        charter = current_charter(organisation)
        jargon = list(charter.internal_jargon)
        protected.append(charter.signature)
        topics = frozenset(charter.approval.reply_commitments)
        shortest_deadline = charter.approval.shortest_deadline_hours
        edit_threshold = float(charter.approval.template_edit_threshold)
        recent = recent_reply_bodies(
            organisation, platform, exclude_mention_id=mention.pk if mention else None
        )
    if mention is not None and mention.author is not None:
        protected += [mention.author.display_name, mention.author.handle]
    if membership is not None:
        protected += [membership.user.first_name, membership.user.last_name]
    return GateContext(
        order_patterns=patterns,
        protected_terms=[term for term in protected if term],
        jargon=jargon,
        recent_replies=recent,
        mention_language=(mention.language or "")[:2].lower() if mention is not None else "",
        unhappy_customer=is_unhappy(mention) if mention is not None else False,
        may_promise=membership is not None and membership.can(MANAGE),
        approval_topics=topics,
        shortest_deadline_hours=shortest_deadline,
        template_edit_threshold=edit_threshold,
        location=location,
        location_names=frozenset(here),
        other_location_names=frozenset(elsewhere),
        mention_text=f"{mention.title}\n{mention.text}" if mention is not None else "",
    )
