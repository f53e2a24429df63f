"""Reads of mentions and their authors.

Every function takes the organisation and starts from ``scoped(...)``, so no caller can read
another tenant's rows by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from vigie.connectors.models import Source
from vigie.core.models import Organisation
from vigie.core.tenancy import scoped
from vigie.mentions.models import Author, Mention

DeletedFilter = Literal["exclude", "include", "only"]


@dataclass(frozen=True)
class MentionFilters:
    """What a list of mentions can be narrowed by. Empty values mean "no filter"."""

    platform: str = ""
    source_id: int | None = None
    location_id: int | None = None
    kind: str = ""
    sentiment: str = ""
    mention_type: str = ""
    language: str = ""
    theme: str = ""
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""
    deleted: DeletedFilter = "exclude"


def has_theme(organisation: Organisation, theme: str, field: str = "id") -> Q:
    """A condition true for rows whose ``field`` is the id of a mention tagged with ``theme``.

    ``themes`` is a JSON list. PostgreSQL answers "does the list contain this value" natively;
    SQLite has no such lookup in Django, so its ``json_each`` table function does it in SQL.
    """
    subquery: QuerySet[Any, Any] | RawSQL
    if connection.vendor == "postgresql":
        subquery = scoped(Mention, organisation).filter(themes__contains=[theme]).values("id")
    elif connection.vendor == "sqlite":
        table = Mention._meta.db_table
        # The table name is ours and the values are parameters: nothing user-typed is interpolated.
        subquery = RawSQL(  # noqa: S611
            f'SELECT m.id FROM "{table}" m, json_each(m.themes) j '  # noqa: S608
            "WHERE m.organisation_id = %s AND j.type = 'text' AND j.value = %s",
            [organisation.pk, theme],
        )
    else:
        # Other backends are not supported as databases; keep a coarse textual match just in case.
        subquery = scoped(Mention, organisation).filter(themes__icontains=theme).values("id")
    return Q(**{f"{field}__in": subquery})


def filter_mentions(
    queryset: QuerySet[Mention], organisation: Organisation, filters: MentionFilters
) -> QuerySet[Mention]:
    """Apply ``filters`` to a queryset of ``organisation``'s mentions."""
    f = filters
    if f.platform:
        queryset = queryset.filter(source__platform=f.platform)
    if f.source_id is not None:
        queryset = queryset.filter(source_id=f.source_id)
    if f.location_id is not None:
        queryset = queryset.filter(location_id=f.location_id)
    if f.kind:
        queryset = queryset.filter(kind=f.kind)
    if f.sentiment:
        queryset = queryset.filter(sentiment=f.sentiment)
    if f.mention_type:
        queryset = queryset.filter(mention_type=f.mention_type)
    if f.language:
        queryset = queryset.filter(language=f.language)
    if f.theme:
        queryset = queryset.filter(has_theme(organisation, f.theme))
    if f.since is not None:
        queryset = queryset.filter(created_at__gte=f.since)
    if f.until is not None:
        queryset = queryset.filter(created_at__lt=f.until)
    if f.text:
        queryset = queryset.filter(Q(title__icontains=f.text) | Q(text__icontains=f.text))
    if f.deleted == "exclude":
        queryset = queryset.filter(deleted_at__isnull=True)
    elif f.deleted == "only":
        queryset = queryset.filter(deleted_at__isnull=False)
    return queryset


def mentions(organisation: Organisation, filters: MentionFilters | None = None) -> QuerySet[Mention]:
    """``organisation``'s mentions, newest first, narrowed by ``filters``.

    ``until`` is exclusive so consecutive periods never count a mention twice.
    """
    queryset = scoped(Mention, organisation).select_related("source", "author", "location")
    return filter_mentions(queryset, organisation, filters or MentionFilters()).order_by("-created_at", "-id")


def get_mention(organisation: Organisation, pk: int | str) -> Mention:
    """One mention of ``organisation`` with its source, author and location; 404 otherwise."""
    try:
        return scoped(Mention, organisation).select_related("source", "author", "location").get(pk=pk)
    except (Mention.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def same_person_authors(author: Author) -> QuerySet[Author]:
    """The author and their profiles on other platforms.

    An author row is one profile on one platform. Until people link profiles by hand, the same
    non-empty handle on another platform is taken to be the same person.
    """
    query = Q(pk=author.pk)
    if author.handle:
        query |= Q(handle__iexact=author.handle)
    return scoped(Author, author.organisation).filter(query)


def other_mentions_by_author(mention: Mention, limit: int = 20) -> list[Mention]:
    """The latest other mentions written by ``mention``'s author, on any platform."""
    if mention.author is None:
        return []
    return list(
        scoped(Mention, mention.organisation)
        .filter(author__in=same_person_authors(mention.author), deleted_at__isnull=True)
        .exclude(pk=mention.pk)
        .select_related("source", "location")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class MentionWithAuthor:
    """A mention, its author and what else that author wrote."""

    mention: Mention
    author: Author | None
    other_mentions: list[Mention]


def mention_with_author(organisation: Organisation, pk: int | str, *, limit: int = 20) -> MentionWithAuthor:
    """One mention with its author and the author's other mentions across platforms; 404 otherwise."""
    mention = get_mention(organisation, pk)
    return MentionWithAuthor(mention, mention.author, other_mentions_by_author(mention, limit))


def platforms(organisation: Organisation) -> list[str]:
    """The platforms the organisation has sources on, for filter menus."""
    return list(
        scoped(Source, organisation).order_by("platform").values_list("platform", flat=True).distinct()
    )
