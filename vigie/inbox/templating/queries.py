"""Reads of the template library: browsing, the variant for a case, suggestions, usage."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from vigie.connectors.platforms import platform_names, platform_of
from vigie.core.models import Membership, Organisation
from vigie.core.tenancy import get_in_org, scoped
from vigie.inbox.models import Case, Reply, ReplyStatus, Template


@dataclass(frozen=True)
class LibraryFilters:
    """What the library page can be narrowed by; empty means no filter."""

    category: str = ""
    language: str = ""
    platform: str = ""
    text: str = ""
    snippets: bool | None = None


def library(organisation: Organisation, filters: LibraryFilters | None = None) -> QuerySet[Template]:
    """The organisation's templates and snippets, filtered, by category and name.

    Each row carries ``published_count``: how many published replies started from it.
    """
    f = filters or LibraryFilters()
    queryset = scoped(Template, organisation)
    if f.category:
        queryset = queryset.filter(category=f.category)
    if f.language:
        queryset = queryset.filter(language=f.language)
    if f.platform:
        # Under every name of the platform ("x" finds the variants stored as "twitter").
        queryset = queryset.filter(platform__in=[*platform_names(f.platform), ""])
    if f.text:
        queryset = queryset.filter(Q(name__icontains=f.text) | Q(body__icontains=f.text))
    if f.snippets is not None:
        queryset = queryset.filter(is_snippet=f.snippets)
    return queryset.annotate(
        published_count=Count(
            "replies", filter=Q(replies__status__in=[ReplyStatus.PUBLISHED, ReplyStatus.POSTED_BY_HAND])
        )
    ).order_by("is_snippet", "category", "name", "language", "platform")


def get_template(organisation: Organisation, pk: int | str) -> Template:
    """One template of ``organisation``; 404 for another organisation's."""
    return get_in_org(Template, organisation, pk)


def _rank(template: Template, *, language: str, platform: str) -> tuple[int, int]:
    # Exact platform beats "all platforms"; the case's language beats any other.
    return (
        0 if template.language == language else 1,
        0 if _same_platform(template.platform, platform) else (1 if not template.platform else 2),
    )


def _same_platform(written_for: str, platform: str) -> bool:
    # One platform under two names: an X variant answers items imported as "twitter", a Google
    # Business Profile one imported Google reviews (the connectors say which names go together).
    return bool(written_for) and platform_of(written_for) == platform_of(platform)


def pick_variant(candidates: list[Template], *, language: str, platform: str) -> Template | None:
    """The best variant among ``candidates`` (one key) for ``language`` and ``platform``.

    A variant written for another platform is never chosen: its tone and length are that
    platform's (a short X reply on Google reads curt, a Google one on X does not fit).
    """
    usable = [t for t in candidates if not t.platform or _same_platform(t.platform, platform)]
    if not usable:
        return None
    return min(usable, key=lambda t: (_rank(t, language=language, platform=platform), t.pk))


def variant_for(organisation: Organisation, key: str, *, language: str, platform: str) -> Template | None:
    """The variant of the answer ``key`` to use in ``language`` on ``platform``, if any."""
    return pick_variant(
        list(scoped(Template, organisation).filter(key=key)), language=language, platform=platform
    )


def _case_language(case: Case) -> str:
    return (case.mention.language or case.organisation.language or "fr")[:2].lower()


def templates_for(
    case: Case, membership: Membership | None = None, *, snippets: bool = False
) -> list[Template]:
    """The templates an agent may start a reply to ``case`` from, best first.

    Routing's suggestions come first (in the variant for the case's language and platform), then
    the templates of the case's themes, then the rest by use. One variant per answer: the one for
    the case's language and platform. ``snippets=True`` lists the snippets instead.
    """
    del membership  # every member who may answer sees the whole library; kept for the interface
    organisation = case.organisation
    language = _case_language(case)
    platform = case.mention.source.platform
    rows = list(scoped(Template, organisation).filter(is_snippet=snippets))
    by_key: dict[str, list[Template]] = {}
    for template in rows:
        by_key.setdefault(template.key or f"#{template.pk}", []).append(template)
    chosen: dict[str, Template] = {}
    for key, variants in by_key.items():
        variant = pick_variant(variants, language=language, platform=platform)
        if variant is not None and variant.language == language:
            chosen[key] = variant
    suggested_keys = []
    by_pk = {t.pk: t for t in rows}
    for pk in case.suggested_template_ids or []:
        suggested = by_pk.get(int(pk)) if str(pk).isdigit() else None
        if suggested is not None:
            key = suggested.key or f"#{suggested.pk}"
            if key not in suggested_keys:
                suggested_keys.append(key)
            # Routing asked for this one: offer it even without a variant in the case's language.
            chosen.setdefault(key, suggested)
    themes = set(case.mention.themes or [])

    def order(item: tuple[str, Template]) -> tuple[int, int, int, str]:
        key, template = item
        suggested = suggested_keys.index(key) if key in suggested_keys else len(suggested_keys)
        on_theme = 0 if themes & set(template.themes or []) else 1
        return (suggested, on_theme, -template.usage_count, template.name)

    return [template for _key, template in sorted(chosen.items(), key=order)]


def recent_uses(organisation: Organisation, template: Template, *, limit: int = 10) -> QuerySet[Reply]:
    """The latest replies written from ``template``, newest first."""
    return (
        scoped(Reply, organisation)
        .filter(template=template)
        .select_related("case", "author")
        .order_by("-created_at", "-id")[:limit]
    )


def pre_approved_templates(organisation: Organisation) -> list[Template]:
    """The templates the charter lets agents send as they are (the flag lives on each template)."""
    return list(scoped(Template, organisation).filter(pre_approved=True).order_by("category", "name"))
