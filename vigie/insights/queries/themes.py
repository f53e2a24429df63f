"""The most mentioned themes of a period, their share of the volume and their change, and theme labels."""

from __future__ import annotations

from dataclasses import dataclass

from vigie.analysis.models import Theme
from vigie.core.models import Organisation
from vigie.core.periods import Period
from vigie.core.tenancy import scoped
from vigie.insights.queries.filters import InsightFilters, period_mentions, previous_period
from vigie.insights.queries.grouping import _raw_theme_counts, grouped
from vigie.insights.queries.stats import _share

TOP_THEMES = 10


@dataclass(frozen=True)
class ThemeCount:
    theme: str
    count: int


@dataclass(frozen=True)
class ThemeShare:
    """A theme's mentions in the period, its share of the volume and the previous period's count."""

    theme: str
    count: int
    share: float
    previous_count: int

    @property
    def change(self) -> int:
        return self.count - self.previous_count


def top_themes(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    limit: int = TOP_THEMES,
) -> list[ThemeCount]:
    """The themes most mentioned in ``period``, most frequent first (ties by name)."""
    counts = grouped(organisation, period, filters, "theme")
    ranked = sorted(
        ((int(v.get("volume", 0)), t) for t, v in counts.items() if v.get("volume")),
        key=lambda x: (-x[0], x[1]),
    )
    return [ThemeCount(str(theme), count) for count, theme in ranked[:limit]]


def _raw_top_themes(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    limit: int = TOP_THEMES,
) -> list[ThemeCount]:
    """``top_themes`` counted from the mentions' JSON theme lists."""
    counts = _raw_theme_counts(organisation, period, filters or InsightFilters())
    ranked = sorted(((int(v["volume"]), t) for t, v in counts.items()), key=lambda x: (-x[0], x[1]))
    return [ThemeCount(str(theme), count) for count, theme in ranked[:limit]]


def theme_shares(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    limit: int = TOP_THEMES,
    volume: int | None = None,
) -> list[ThemeShare]:
    """The top themes of ``period``, their share of the volume and their count in the previous period."""
    current = top_themes(organisation, period, filters, limit=limit)
    if not current:
        return []
    if volume is None:
        volume = period_mentions(organisation, period, filters).count()
    before = previous_period(organisation, period)
    previous = {t.theme: t.count for t in top_themes(organisation, before, filters, limit=10_000)}
    return [ThemeShare(t.theme, t.count, _share(t.count, volume), previous.get(t.theme, 0)) for t in current]


def reader_theme_labels(organisation: Organisation) -> dict[str, str]:
    """``theme_labels`` in the active language, the reader's: an English reader of a French
    organisation read "Remboursements" on the dashboard and "Refunds" in the English report."""
    from django.utils.translation import get_language

    return theme_labels(organisation, (get_language() or "")[:2] or None)


def theme_labels(organisation: Organisation, language: str | None = None) -> dict[str, str]:
    """Slug -> label of the organisation's themes, and of the default taxonomy's for the slugs
    an organisation without its own taxonomy is analysed with, in ``language`` (a report's; the
    organisation's by default). The organisation's own themes keep the label it gave them."""
    from vigie.analysis.taxonomy import default_labels

    labels = default_labels(language or organisation.language)
    labels.update({t.slug: t.label for t in scoped(Theme, organisation)})
    return labels
