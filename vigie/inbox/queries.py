"""Reads of the inbox: case lists by view and filter, SLA state, one case in full."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django.db import connection, models
from django.db.models import Count, F, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.connectors.models import Source
from vigie.connectors.platforms import platform_names, platform_of
from vigie.core.metrics import Sample
from vigie.core.models import AuditEvent, Membership, Organisation
from vigie.core.queries import active_members, audit_events
from vigie.core.roles import HANDLE_CASES, Role, has_role
from vigie.core.tenancy import scoped
from vigie.inbox.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    Note,
    Publication,
    Reply,
    ReplyStatus,
    SavedView,
)
from vigie.mentions.models import Author, Mention
from vigie.mentions.queries import MentionWithAuthor, has_theme, other_mentions_by_author

# A case is "due soon" when its deadline falls within this margin: enough to act before it lapses.
DUE_SOON = timedelta(hours=4)

CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.NO_ANSWER)


# The statuses in which the next move is the team's (the "À traiter" queue).
ACTIONABLE_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS)


class InboxView(models.TextChoices):
    """The saved views of the inbox's left column, in display order."""

    TODO = "todo", _("À traiter")
    MINE = "mine", _("Mes dossiers")
    TEAM = "team", _("Mon équipe")
    UNASSIGNED = "unassigned", _("Non attribués")
    AWAITING_APPROVAL = "awaiting_approval", _("En attente de validation")
    WAITING_CUSTOMER = "waiting_customer", _("En attente du client")
    RESOLVED = "resolved", _("Résolus")
    ALL = "all", _("Tous")


class SlaState(models.TextChoices):
    OVERDUE = "overdue", _("En retard")
    DUE_SOON = "due_soon", _("Échéance proche")
    OK = "ok", _("Dans les temps")


def view_condition(view: InboxView | str, membership: Membership) -> Q:
    """The condition that selects the cases of ``view`` for ``membership``."""
    view = InboxView(view)
    is_open = Q(status__in=OPEN_STATUSES)
    if view == InboxView.TODO:
        # What is ours to move: a case waiting for the customer or for a supervisor's approval
        # has its own view and would only push the next case to answer down the queue.
        return Q(status__in=ACTIONABLE_STATUSES)
    if view == InboxView.MINE:
        return is_open & Q(assignee_id=membership.user_id)
    if view == InboxView.TEAM:
        # A subquery rather than a list: it stays correct (and empty) for a member with no team.
        return is_open & Q(team__in=membership.teams.values("id"))
    if view == InboxView.UNASSIGNED:
        return is_open & Q(assignee__isnull=True)
    if view == InboxView.AWAITING_APPROVAL:
        return Q(status=CaseStatus.AWAITING_APPROVAL)
    if view == InboxView.WAITING_CUSTOMER:
        return Q(status=CaseStatus.WAITING_CUSTOMER)
    if view == InboxView.RESOLVED:
        return Q(status__in=CLOSED_STATUSES)
    return Q()


def view_ordering(view: InboxView | str) -> list[models.OrderBy | str]:
    """Most urgent first in working views; most recent first in the archive views."""
    view = InboxView(view)
    if view == InboxView.RESOLVED:
        return [F("resolved_at").desc(nulls_last=True), "-id"]
    if view == InboxView.ALL:
        return ["-created_at", "-id"]
    return ["-priority", F("sla_due_at").asc(nulls_last=True), "created_at", "id"]


def sla_state_expression(now: datetime) -> models.Case:
    """SQL for the SLA state of a case at ``now``; empty for closed cases and those with no deadline."""
    return models.Case(
        # A paused clock (waiting for the customer) is neither late nor due; an answered case met
        # its deadline (``sla_due_at`` is the first answer's), whatever its status since.
        When(
            ~Q(status__in=OPEN_STATUSES)
            | Q(sla_due_at__isnull=True)
            | Q(sla_paused_at__isnull=False)
            | Q(first_response_at__isnull=False),
            then=Value(""),
        ),
        When(sla_due_at__lt=now, then=Value(SlaState.OVERDUE.value)),
        When(sla_due_at__lt=now + DUE_SOON, then=Value(SlaState.DUE_SOON.value)),
        default=Value(SlaState.OK.value),
        output_field=models.CharField(),
    )


def sla_state_condition(state: str, now: datetime) -> Q:
    """The cases whose ``sla_state_expression`` is ``state`` at ``now``, as plain comparisons on
    ``sla_due_at``: the deadline index answers them, where filtering on the CASE expression
    evaluates it on every open case (over 300 ms of CPU at 100,000 open cases)."""
    running = Q(
        status__in=OPEN_STATUSES,
        sla_due_at__isnull=False,
        sla_paused_at__isnull=True,
        first_response_at__isnull=True,
    )
    if state == SlaState.OVERDUE:
        return running & Q(sla_due_at__lt=now)
    if state == SlaState.DUE_SOON:
        return running & Q(sla_due_at__gte=now, sla_due_at__lt=now + DUE_SOON)
    if state == SlaState.OK:
        return running & Q(sla_due_at__gte=now + DUE_SOON)
    return Q(pk__in=[])


def sla_state(case: Case, now: datetime | None = None) -> str:
    """The SLA state of one case, the same rule as ``sla_state_expression``."""
    now = now or timezone.now()
    if (
        not case.is_open
        or case.sla_due_at is None
        or case.sla_paused_at is not None
        or case.first_response_at is not None
    ):
        return ""
    if case.sla_due_at < now:
        return SlaState.OVERDUE.value
    if case.sla_due_at < now + DUE_SOON:
        return SlaState.DUE_SOON.value
    return SlaState.OK.value


@dataclass(frozen=True)
class CaseFilters:
    """What the inbox can be narrowed by. Empty values mean "no filter"."""

    platform: str = ""
    location_id: int | None = None
    sentiment: str = ""
    mention_type: str = ""
    status: str = ""
    assignee_id: int | None = None
    assignee_email: str = ""
    unassigned: bool = False
    team_id: int | None = None
    theme: str = ""
    text: str = ""
    sla: str = ""
    source_id: int | None = None
    stars: int | None = None
    language: str = ""
    since: datetime | None = None
    until: datetime | None = None


def platform_filter_choices(slugs: list[str]) -> list[str]:
    """``slugs`` with each platform once, under the slug the connectors name it by ("twitter" ->
    "x", "google" -> "google_business": ``platform_of``), in order."""
    return list(dict.fromkeys(platform_of(slug) for slug in slugs))


def _mention_condition(filters: CaseFilters) -> Q:
    # Everything about the mention, gathered so it becomes one "mention_id IN (...)" subquery: the
    # case list then never joins the (wide) mention rows while filtering and sorting.
    f = filters
    q = Q()
    if f.platform:
        # Through the few source ids of that platform, so the mention index answers alone.
        q &= Q(source_id__in=Source.objects.filter(platform__in=platform_names(f.platform)).values("id"))
    if f.source_id is not None:
        q &= Q(source_id=f.source_id)
    if f.location_id is not None:
        q &= Q(location_id=f.location_id)
    if f.sentiment:
        q &= Q(sentiment=f.sentiment)
    if f.mention_type:
        q &= Q(mention_type=f.mention_type)
    if f.stars is not None:
        # A rating of 4.5 counts as 4 stars: the filter reads "4 stars and a bit".
        q &= Q(rating__gte=f.stars, rating__lt=f.stars + 1)
    if f.language:
        q &= Q(language=f.language)
    if f.since is not None:
        q &= Q(created_at__gte=f.since)
    if f.until is not None:
        q &= Q(created_at__lt=f.until)
    return q


def _filter_cases(
    queryset: QuerySet[Any], organisation: Organisation, filters: CaseFilters, now: datetime
) -> QuerySet[Any]:
    # Typed loosely: the queryset carries the ``sla_state`` annotation, which the stubs cannot see.
    f = filters
    about_mention = _mention_condition(f)
    if about_mention:
        queryset = queryset.filter(
            mention_id__in=scoped(Mention, organisation).filter(about_mention).values("id")
        )
    if f.status:
        queryset = queryset.filter(status=f.status)
    if f.unassigned:
        queryset = queryset.filter(assignee__isnull=True)
    if f.assignee_id is not None:
        queryset = queryset.filter(assignee_id=f.assignee_id)
    if f.assignee_email:
        queryset = queryset.filter(assignee__email__iexact=f.assignee_email)
    if f.team_id is not None:
        queryset = queryset.filter(team_id=f.team_id)
    if f.theme:
        queryset = queryset.filter(has_theme(organisation, f.theme, "mention_id"))
    if f.text:
        queryset = queryset.filter(search_condition(organisation, f.text))
    if f.sla:
        queryset = queryset.filter(sla_state_condition(f.sla, now))
    return queryset


_WORD = re.compile(r"\w+", re.UNICODE)


def fts5_query(text: str) -> str:
    """The FTS5 query for what a person typed: every word must appear, each as a prefix.

    Words are quoted, so operators and punctuation typed in the search box are never parsed as
    FTS5 syntax (a stray ``"`` or ``NEAR`` cannot raise a syntax error).
    """
    return " ".join(f'"{word}"*' for word in _WORD.findall(text)[:12])


def tsquery_prefixes(text: str) -> str:
    """The PostgreSQL ``to_tsquery`` text for what a person typed: every word, each as a prefix.

    Only word characters reach the query, so nothing typed can be parsed as tsquery syntax.
    """
    return " & ".join(f"{word}:*" for word in _WORD.findall(text)[:12])


# The search follows the organisation's language: the index of each language (migrations 0005,
# French, and 0008, English) and the words typed are read with the same stemming.
_FTS5_TABLES = {"fr": "inbox_mention_fts", "en": "inbox_mention_fts_en"}
_TS_CONFIGS = {"fr": "french", "en": "english"}


# A case reference as customers quote it: "C-000575", "c-575", "C000575", "#575", or the bare number
# (3 digits at least, so a short number typed for a word stays a word). 18 digits at most: the
# number must fit an integer column.
_CASE_REFERENCE = re.compile(r"#?(?:[cC]\s*-?\s*(\d{1,18})|(\d{3,18}))")


def case_reference_number(text: str) -> int | None:
    """The case number ``text`` quotes as a reference ("C-000575" -> 575); None otherwise."""
    match = _CASE_REFERENCE.fullmatch(text.strip())
    if match is None:
        return None
    number = int(match.group(1) or match.group(2))
    return number or None


def search_condition(organisation: Organisation, text: str) -> Q:
    """Cases whose reference is ``text`` ("C-000575"), or whose mention's title or text matches it
    (full-text), or whose author's name does.

    The full text is read in the organisation's language. SQLite reads the FTS5 table the
    migrations keep in sync (``porter``-stemmed for English: "refunds" finds "refund" and
    "refunded"); PostgreSQL uses the ``french`` or ``english`` ``tsvector`` expression its GIN
    index was built on (the expression must stay identical).
    """
    number = case_reference_number(text)
    # One primary-key lookup ORed in: the full-text search is unchanged, and the case list is
    # already scoped to the organisation, so another organisation's number finds nothing.
    by_text = _text_condition(organisation, text)
    return Q(pk=number) | by_text if number is not None else by_text


def _text_condition(organisation: Organisation, text: str) -> Q:
    table = Mention._meta.db_table
    language = organisation.language if organisation.language in _TS_CONFIGS else "fr"
    authors = scoped(Author, organisation).filter(Q(display_name__icontains=text) | Q(handle__icontains=text))
    by_author = Q(mention_id__in=scoped(Mention, organisation).filter(author__in=authors).values("id"))
    if connection.vendor == "sqlite":
        query = fts5_query(text)
        if not query:
            return by_author
        # Table names are ours; the user's words are a bound parameter.
        fts = _FTS5_TABLES[language]
        matches = RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [query])  # noqa: S611, S608
        return Q(mention_id__in=matches) | by_author
    if connection.vendor == "postgresql":
        config = _TS_CONFIGS[language]
        matches = RawSQL(  # noqa: S611
            f'SELECT id FROM "{table}" WHERE organisation_id = %s AND '  # noqa: S608
            f"to_tsvector('{config}', coalesce(title, '') || ' ' || coalesce(text, '')) "
            f"@@ to_tsquery('{config}', %s)",
            [organisation.pk, tsquery_prefixes(text)],
        )
        return Q(mention_id__in=matches) | by_author if tsquery_prefixes(text) else by_author
    return Q(mention__title__icontains=text) | Q(mention__text__icontains=text) | by_author


def cases(
    membership: Membership,
    view: InboxView | str = InboxView.TODO,
    filters: CaseFilters | None = None,
    *,
    now: datetime | None = None,
) -> QuerySet[Case]:
    """The cases of ``view`` in the member's organisation, filtered, with an ``sla_state`` annotation.

    Everything a list row shows is joined in, so rendering a page costs one query.
    """
    organisation = membership.organisation
    now = now or timezone.now()
    queryset: QuerySet[Any] = (
        scoped(Case, organisation)
        .select_related(
            "mention", "mention__source", "mention__author", "mention__location", "assignee", "team"
        )
        .annotate(sla_state=sla_state_expression(now))
        .filter(view_condition(view, membership))
    )
    queryset = _filter_cases(queryset, organisation, filters or CaseFilters(), now)
    return cast(QuerySet[Case], queryset.order_by(*view_ordering(view)))


# Views whose count depends on the member, each answered by its own index.
_PERSONAL_VIEWS = (InboxView.MINE, InboxView.TEAM, InboxView.UNASSIGNED)


def view_counts(membership: Membership) -> dict[str, int]:
    """How many cases each view holds, for the sidebar.

    One grouped count by status serves the status-only views; the member's own views are counted
    apart. With 100k cases this is several times faster than one aggregate that evaluates every
    view's condition on every row.
    """
    cases_of_org = scoped(Case, membership.organisation)
    by_status = dict(
        cases_of_org.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    counts = {
        InboxView.TODO.value: sum(by_status.get(s, 0) for s in ACTIONABLE_STATUSES),
        InboxView.AWAITING_APPROVAL.value: by_status.get(CaseStatus.AWAITING_APPROVAL, 0),
        InboxView.WAITING_CUSTOMER.value: by_status.get(CaseStatus.WAITING_CUSTOMER, 0),
        InboxView.RESOLVED.value: sum(by_status.get(s, 0) for s in CLOSED_STATUSES),
        InboxView.ALL.value: sum(by_status.values()),
    }
    for view in _PERSONAL_VIEWS:
        counts[view.value] = cases_of_org.filter(view_condition(view, membership)).count()
    return {view.value: counts[view.value] for view in InboxView}


def overdue_count(membership: Membership, *, now: datetime | None = None) -> int:
    """Open cases whose deadline has passed."""
    now = now or timezone.now()
    return scoped(Case, membership.organisation).filter(status__in=OPEN_STATUSES, sla_due_at__lt=now).count()


def get_case(organisation: Organisation, pk: int | str) -> Case:
    """One case of ``organisation`` with its mention, author, source, assignee and team; 404 otherwise."""
    try:
        return (
            scoped(Case, organisation)
            .select_related(
                "mention",
                "mention__source",
                "mention__author",
                "mention__location",
                "assignee",
                "team",
            )
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def case_replies(case: Case) -> QuerySet[Reply]:
    """The replies of a case in the order they were written."""
    return (
        scoped(Reply, case.organisation)
        .filter(case=case)
        .select_related("author", "approved_by", "template", "publication")
        .order_by("created_at", "id")
    )


def case_timeline(case: Case) -> QuerySet[AuditEvent]:
    """The case's history from the audit log, oldest first."""
    # Publishing records its steps on the reply itself; they belong to the case's story too.
    reply_ids = [
        str(pk) for pk in scoped(Reply, case.organisation).filter(case=case).values_list("pk", flat=True)
    ]
    return (
        audit_events(case.organisation)
        .filter(
            Q(object_type=Case._meta.label_lower, object_id=str(case.pk))
            | Q(object_type=Reply._meta.label_lower, object_id__in=reply_ids)
        )
        .select_related("actor")
    )


def case_notes(case: Case) -> QuerySet[Note]:
    """The internal notes of a case, oldest first."""
    return (
        scoped(Note, case.organisation)
        .filter(case=case)
        .select_related("author")
        .order_by("created_at", "id")
    )


def thread_of(mention: Mention) -> list[Mention]:
    """The conversation around ``mention``: its parent post first, then the parent's other replies.

    Bounded so a viral post with thousands of comments cannot blow up the case page.
    """
    parent = mention.parent
    if parent is None:
        return list(
            scoped(Mention, mention.organisation)
            .filter(parent=mention)
            .select_related("author")
            .order_by("created_at", "id")[:20]
        )
    siblings = (
        scoped(Mention, mention.organisation)
        .filter(parent_id=parent.pk)
        .select_related("author")
        .order_by("created_at", "id")[:20]
    )
    return [parent, *siblings]


@dataclass(frozen=True)
class CaseDetail:
    """Everything the case page shows."""

    case: Case
    mention: MentionWithAuthor
    replies: list[Reply]
    timeline: list[AuditEvent]
    sla_state: str
    notes: list[Note] = field(default_factory=list)
    thread: list[Mention] = field(default_factory=list)


def case_detail(organisation: Organisation, pk: int | str, *, now: datetime | None = None) -> CaseDetail:
    """One case in full: mention, author and their other mentions, replies, timeline; 404 otherwise."""
    case = get_case(organisation, pk)
    mention = case.mention
    return CaseDetail(
        case=case,
        mention=MentionWithAuthor(mention, mention.author, other_mentions_by_author(mention)),
        replies=list(case_replies(case)),
        timeline=list(case_timeline(case)),
        sla_state=sla_state(case, now),
        notes=list(case_notes(case)),
        thread=thread_of(mention),
    )


def new_cases_count(
    membership: Membership, view: InboxView | str, since: datetime, filters: CaseFilters | None = None
) -> int:
    """How many cases of ``view`` (and of the list's ``filters``) arrived after ``since``: the
    inbox's "N new" banner.

    Without filters, one indexed count, cheap enough to poll every few seconds; with filters, the
    list's own query (a list filtered on negative reviews was told of every new case).
    """
    if filters is not None and filters != CaseFilters():
        return cases(membership, view, filters).filter(created_at__gt=since).count()
    return (
        scoped(Case, membership.organisation)
        .filter(view_condition(view, membership), created_at__gt=since)
        .count()
    )


def saved_views_for(membership: Membership) -> QuerySet[SavedView]:
    """The member's own saved views and those shared with one of their teams."""
    return (
        scoped(SavedView, membership.organisation)
        .filter(Q(owner_id=membership.user_id) | Q(team__in=membership.teams.values("id")))
        .select_related("owner", "team")
        .order_by("name", "id")
    )


def replies_awaiting_approval(organisation: Organisation) -> QuerySet[Reply]:
    """Replies waiting for a supervisor, oldest first."""
    return (
        scoped(Reply, organisation)
        .filter(status=ReplyStatus.AWAITING_APPROVAL)
        .select_related("case", "author", "case__mention")
        .order_by("submitted_at", "id")
    )


def open_draft(case: Case) -> Reply | None:
    """The reply being written on ``case`` (a draft, or one sent back for correction), if any."""
    return (
        scoped(Reply, case.organisation)
        .filter(case=case, status__in=[ReplyStatus.DRAFT, ReplyStatus.SENT_BACK])
        .select_related("template")
        .order_by("-created_at", "-id")
        .first()
    )


def members_by_mention(organisation: Organisation, text: str) -> list[Membership]:
    """Active members named in ``text`` as ``@email`` (or ``@local-part`` when it is unambiguous)."""
    return _resolve_mentions(organisation, text)[0]


def unknown_mentions(organisation: Organisation, text: str) -> list[str]:
    """The ``@names`` of ``text`` that name no active member (a typo, someone who left), as written:
    nobody is told of them, and the note's author should know."""
    return _resolve_mentions(organisation, text)[1]


def _resolve_mentions(organisation: Organisation, text: str) -> tuple[list[Membership], list[str]]:
    handles = {h.lower().rstrip(".,;:!?") for h in re.findall(r"@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)", text)}
    if not handles:
        return [], []
    members = list(
        scoped(Membership, organisation).filter(is_active=True, user__is_active=True).select_related("user")
    )
    by_local: dict[str, list[Membership]] = {}
    for member in members:
        by_local.setdefault(member.user.email.lower().split("@")[0], []).append(member)
    found: dict[int, Membership] = {}
    unknown: list[str] = []
    for handle in sorted(handles):
        named = [member for member in members if member.user.email.lower() == handle]
        same_local = by_local.get(handle, [])
        if len(same_local) == 1:
            named.append(same_local[0])
        for member in named:
            found[member.user_id] = member
        if not named:
            unknown.append(f"@{handle}")
    return list(found.values()), unknown


def handler_roles() -> list[str]:
    """The roles allowed to handle cases (and so to be assigned one)."""
    return [role.value for role in Role if has_role(role, HANDLE_CASES)]


def assignable_members(organisation: Organisation) -> QuerySet[Membership]:
    """Members who may be given a case now, by e-mail: active (not suspended, invitation accepted)
    and allowed to handle cases."""
    return active_members(organisation).filter(role__in=handler_roles())


def metric_samples() -> list[Sample]:
    """``/metrics``: publications by platform and state (``failed`` and ``unknown`` need a person)."""
    rows = (
        Publication.objects.values("platform", "state")
        .annotate(count=Count("id"))
        .order_by("platform", "state")
    )
    return [
        Sample(
            "vigie_publications",
            "Replies handed to the outbox, by platform and state.",
            row["count"],
            {"platform": row["platform"], "state": row["state"]},
        )
        for row in rows
    ]


def replies_version(case: Case) -> str:
    """A short fingerprint of the case's replies (ids, states, texts): the composer sends back the
    one it was loaded with, so a reply changed by a colleague meanwhile is noticed, not overwritten."""
    digest = hashlib.sha256()
    rows = (
        scoped(Reply, case.organisation).filter(case=case).order_by("pk").values_list("pk", "status", "body")
    )
    for pk, status, body in rows:
        digest.update(f"{pk}\x1f{status}\x1f{body}\x1e".encode())
    return digest.hexdigest()[:16]
