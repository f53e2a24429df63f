"""Which mentions a number covers: the period choices, ``InsightFilters`` and the mentions
and cases they select, the previous period, and the conditions shared by several counts (rating
buckets, "negative" as the theme board counts it, filters the rollup cannot answer).

A mention belongs to a period by its publication time on the platform (``Mention.created_at``),
in the organisation's time zone; a case by its mention's publication time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from vigie.connectors.platforms import platform_names
from vigie.core.models import Organisation
from vigie.core.periods import Period, period_between
from vigie.core.tenancy import scoped
from vigie.inbox.models import Case
from vigie.mentions.models import Mention, MentionKind, MentionType, Sentiment
from vigie.mentions.queries import has_theme

PERIOD_CHOICES = (7, 30, 90)
# The platform table's row for satisfaction surveys ("Enquête de satisfaction"): what a reader is
# told an answer to a survey came from, whichever source brought it (outreach's own surveys, or a
# signed webhook fed by a survey tool, which a director would read as "Webhook signé"). As a
# filter, it selects every answer to a survey.
SURVEY_PLATFORM = "survey"
DEFAULT_PERIOD_DAYS = 30


@dataclass(frozen=True)
class InsightFilters:
    """Optional narrowing of every KPI. Empty values mean "no filter"."""

    location_id: int | None = None
    # A group of locations ("Région Sud-Est"): ``location_ids`` are its locations, resolved when the
    # filter is read (an empty tuple selects nothing); ``group_id`` only travels in links.
    location_ids: tuple[int, ...] | None = None
    group_id: int | None = None
    platform: str = ""
    team_id: int | None = None
    theme: str = ""
    agent_id: int | None = None
    source_id: int | None = None
    language: str = ""

    @property
    def surveys(self) -> bool:
        """The filter is the survey's row: answers to a survey, whichever platform brought them
        (the rollup counts by platform, not by kind of mention: rows answer it)."""
        return self.platform == SURVEY_PLATFORM

    def as_query(self) -> dict[str, str]:
        """The filters as GET parameters (for drill-down links and exports)."""
        params = {
            "location": self.location_id,
            "group": self.group_id,
            "platform": self.platform,
            "team": self.team_id,
            "theme": self.theme,
            "agent": self.agent_id,
            "source": self.source_id,
            "language": self.language,
        }
        return {key: str(value) for key, value in params.items() if value not in (None, "")}


def period_mentions(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> QuerySet[Mention]:
    """The organisation's live (not deleted) mentions published in ``period``, narrowed by ``filters``."""
    f = filters or InsightFilters()
    queryset = scoped(Mention, organisation).filter(
        created_at__gte=period.start, created_at__lt=period.end, deleted_at__isnull=True
    )
    if f.location_id is not None:
        queryset = queryset.filter(location_id=f.location_id)
    if f.location_ids:
        queryset = queryset.filter(location_id__in=f.location_ids)
    elif f.location_ids is not None:
        # A group without locations selects nothing. Ids are positive, so "id < 0" says so in SQL
        # that compiles (an empty IN does not, and some counts compile their query to raw SQL).
        queryset = queryset.filter(id__lt=0)
    if f.surveys:
        queryset = queryset.filter(Q(kind=MentionKind.SURVEY_ANSWER) | Q(source__platform=SURVEY_PLATFORM))
    elif f.platform:
        # One platform under each of its names ("x" and the imported "twitter").
        queryset = queryset.filter(source__platform__in=platform_names(f.platform))
    if f.source_id is not None:
        queryset = queryset.filter(source_id=f.source_id)
    if f.language:
        queryset = queryset.filter(language=f.language)
    if f.team_id is not None:
        queryset = queryset.filter(case__team_id=f.team_id)
    if f.agent_id is not None:
        queryset = queryset.filter(case__assignee_id=f.agent_id)
    if f.theme:
        queryset = queryset.filter(_has_theme_in_period(organisation, f.theme, period))
    return queryset


def _has_theme_in_period(organisation: Organisation, theme: str, period: Period) -> Q:
    """Mentions of ``period`` tagged ``theme``. On SQLite the JSON lists are expanded only for the
    period's mentions (found through the date index), not for the whole organisation."""
    if connection.vendor != "sqlite":
        return has_theme(organisation, theme)
    in_period = scoped(Mention, organisation).filter(created_at__gte=period.start, created_at__lt=period.end)
    ids_sql, ids_params = in_period.values("id").query.sql_with_params()
    table = Mention._meta.db_table
    # Only our table name and SQL compiled by the ORM are interpolated; values are parameters.
    subquery = RawSQL(  # noqa: S611
        f'SELECT m.id FROM "{table}" m, json_each(m.themes) j '  # noqa: S608
        f"WHERE m.id IN ({ids_sql}) AND j.type = 'text' AND j.value = %s",
        [*ids_params, theme],
    )
    return Q(id__in=subquery)


def period_cases(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> QuerySet[Case]:
    """The cases whose mention is one of ``period_mentions``.

    An ``IN`` over the period's mentions: SQLite then walks the mentions' (organisation, created_at)
    index, where a join would scan every case of the organisation.
    """
    return scoped(Case, organisation).filter(
        mention__in=period_mentions(organisation, period, filters).values("id")
    )


# Ratings are normalised to 1..5 but may be fractional (a 10-point scale): each bucket takes the
# ratings that round to it, halves rounding up.
_RATING_BUCKETS = {
    1: Q(rating__lt=Decimal("1.5")),
    2: Q(rating__gte=Decimal("1.5"), rating__lt=Decimal("2.5")),
    3: Q(rating__gte=Decimal("2.5"), rating__lt=Decimal("3.5")),
    4: Q(rating__gte=Decimal("3.5"), rating__lt=Decimal("4.5")),
    5: Q(rating__gte=Decimal("4.5")),
}


ROLLUP_FILTERS_UNSUPPORTED = ("agent_id", "source_id", "language", "surveys")


def older_than(created_at: datetime, mention_id: int) -> Q:
    """The mentions after (``created_at``, ``mention_id``) in newest-first order (``-created_at,
    -id``): where a read of that order resumes, walking the (organisation, created_at) index
    instead of sorting the whole period."""
    return Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=mention_id)


def previous_period(organisation: Organisation, period: Period) -> Period:
    """The period of the same length just before ``period``."""
    last = period.first_day - timedelta(days=1)
    return period_between(organisation, last - timedelta(days=period.days - 1), last)


# A mention counts as negative for the board when its analysed sentiment is negative or, for a
# rated review, when it has 1 or 2 stars (a terse "bof" review may be analysed as neutral).
NEGATIVE_FOR_BOARD = Q(sentiment=Sentiment.NEGATIVE) | Q(kind=MentionKind.REVIEW, rating__lt=Decimal("2.5"))
# What may be quoted to management as a customer's voice: not spam ("CHEAP RAY-BAN SUNGLASSES…"
# headed the quotes of a theme on the board).
QUOTABLE = ~Q(mention_type=MentionType.SPAM)
