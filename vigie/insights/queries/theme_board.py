"""The theme board: the recurring problems of a period ranked by volume x negativity."""

from __future__ import annotations

from dataclasses import dataclass, replace

from vigie.core.models import Location, Organisation
from vigie.core.periods import Period
from vigie.core.tenancy import scoped
from vigie.insights.models import ActionPlan
from vigie.insights.queries.filters import (
    NEGATIVE_FOR_BOARD,
    QUOTABLE,
    InsightFilters,
    older_than,
    period_mentions,
    previous_period,
)
from vigie.insights.queries.grouping import grouped
from vigie.insights.queries.quotes import Verbatim, _verbatim
from vigie.insights.queries.stats import _share
from vigie.insights.queries.themes import TOP_THEMES, reader_theme_labels
from vigie.insights.verbatims import order_patterns

# Negative mentions read per query while looking for each theme's quotes.
QUOTE_PAGE = 500


@dataclass(frozen=True)
class ThemeBoardRow:
    """One problem of the theme board."""

    theme: str
    label: str
    volume: int
    negative: int
    previous_volume: int
    previous_negative: int
    average_rating: float | None
    verbatims: list[Verbatim]
    locations: list[tuple[str, int]]
    action_plans: list[ActionPlan]

    @property
    def negativity(self) -> float:
        return _share(self.negative, self.volume)

    @property
    def score(self) -> float:
        """Volume x negativity: the ranking of the board."""
        return self.volume * self.negativity

    @property
    def change(self) -> int:
        return self.volume - self.previous_volume


def theme_board(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    limit: int = TOP_THEMES,
    verbatims: int = 3,
) -> list[ThemeBoardRow]:
    """The most frequent problems of ``period`` ranked by volume x negativity.

    Each row carries the previous period's numbers (the trend), a few of the most recent
    negative quotes with personal data masked, the most affected locations and the theme's
    action plans.
    """
    base = filters or InsightFilters()
    now_counts = grouped(organisation, period, base, "theme")
    then_counts = grouped(organisation, previous_period(organisation, period), base, "theme")
    # The organisation's labels, else the default taxonomy's: never the slug.
    labels = reader_theme_labels(organisation)
    location_names = {loc.pk: loc.name for loc in scoped(Location, organisation)}
    # Volume x negativity (negative / volume) is the number of negative mentions.
    ranked = sorted(
        ((theme, counts) for theme, counts in now_counts.items() if counts.get("board_negative")),
        key=lambda item: (-item[1]["board_negative"], -item[1]["volume"], item[0]),
    )[:limit]
    # A theme with fewer negative mentions than ``verbatims`` asks for only those it has, so the
    # read can stop as soon as every theme is served instead of running to the period's start.
    quotes = _recent_negative_quotes(
        organisation,
        period,
        base,
        {theme: min(verbatims, int(counts["board_negative"])) for theme, counts in ranked},
    )
    rows = []
    for theme, counts in ranked:
        by_location = grouped(organisation, period, replace(base, theme=theme), "location_id")
        locations = sorted(
            (
                (location_names.get(key, "—"), int(v.get("board_negative", 0)))
                for key, v in by_location.items()
                if key
            ),
            key=lambda item: (-item[1], item[0]),
        )
        then = then_counts.get(theme, {})
        rows.append(
            ThemeBoardRow(
                theme=theme,
                label=labels.get(theme, theme),
                volume=int(counts["volume"]),
                negative=int(counts["board_negative"]),
                previous_volume=int(then.get("volume", 0)),
                previous_negative=int(then.get("board_negative", 0)),
                average_rating=round(counts["rating_sum"] / counts["rated"], 2)
                if counts.get("rated")
                else None,
                verbatims=quotes[theme],
                locations=[loc for loc in locations if loc[1]][:3],
                action_plans=list(
                    scoped(ActionPlan, organisation).filter(theme=theme).select_related("owner")
                ),
            )
        )
    return rows


def _recent_negative_quotes(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters,
    wanted: dict[str, int],
    *,
    page_size: int = QUOTE_PAGE,
) -> dict[str, list[Verbatim]]:
    """The most recent negative mentions of each theme (``wanted``: how many per theme), read from
    the newest a page at a time until every theme has its count.

    Pages, not one cursor over the period: without a LIMIT, PostgreSQL plans the whole period's
    negative mentions sorted (a sequential scan and an on-disk sort, 1.3 s at a million mentions)
    where a page walks the (organisation, created_at) index backwards and is done in milliseconds.
    """
    patterns = order_patterns(organisation)
    found: dict[str, list[Verbatim]] = {theme: [] for theme in wanted}
    quoted: dict[str, set[str]] = {theme: set() for theme in wanted}
    missing = {theme for theme, count in wanted.items() if count > 0}
    newest_first = (
        period_mentions(organisation, period, filters)
        .filter(NEGATIVE_FOR_BOARD)
        .filter(QUOTABLE)
        .select_related("source", "location")
        .only(
            "id",
            "created_at",
            "title",
            "text",
            "rating",
            "themes",
            "language",
            "source__platform",
            "location__name",
        )
        .order_by("-created_at", "-id")
    )
    page = newest_first
    while missing:
        batch = list(page[:page_size])
        for mention in batch:
            for theme in mention.themes or []:
                # The same text posted twice (a pasted complaint) is quoted once.
                if theme in missing and mention.text not in quoted[theme]:
                    quoted[theme].add(mention.text)
                    found[theme].append(_verbatim(mention, patterns))
                    if len(found[theme]) >= wanted[theme]:
                        missing.discard(theme)
            if not missing:
                break
        if len(batch) < page_size:
            break
        last = batch[-1]
        page = newest_first.filter(older_than(last.created_at, last.pk))
    return found
