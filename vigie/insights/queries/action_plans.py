"""Action plans and their effect: a theme's numbers before and after a plan started."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet

from vigie.core.models import Organisation
from vigie.core.periods import Period, organisation_today, period_between
from vigie.core.tenancy import scoped
from vigie.insights.models import ActionPlan
from vigie.insights.queries.filters import InsightFilters
from vigie.insights.queries.grouping import grouped
from vigie.insights.queries.stats import _share


@dataclass(frozen=True)
class ThemeWindow:
    """A theme's numbers over a window of days."""

    period: Period
    volume: int
    negative: int
    average_rating: float | None

    @property
    def negativity(self) -> float:
        return _share(self.negative, self.volume)


@dataclass(frozen=True)
class PlanEffect:
    """A theme before and after an action plan started: same number of days on each side."""

    plan: ActionPlan
    before: ThemeWindow
    after: ThemeWindow | None  # None until the plan has started


def _theme_window(organisation: Organisation, theme: str, period: Period) -> ThemeWindow:
    """The theme's numbers over ``period``: whole past days from the daily rollup, the rest from the
    rows (``grouped``), as the theme board counts them; a report with a dozen plans reads two
    windows each, which from the rows alone took seconds apiece at a million mentions."""
    volume = negative = rated = 0
    rating_sum = 0.0
    for counts in grouped(organisation, period, InsightFilters(theme=theme), "platform").values():
        volume += int(counts.get("volume", 0))
        negative += int(counts.get("board_negative", 0))
        rated += int(counts.get("rated", 0))
        rating_sum += counts.get("rating_sum", 0.0)
    average = round(rating_sum / rated, 2) if rated else None
    return ThemeWindow(period, volume, negative, average)


def plan_effect(plan: ActionPlan, *, window_days: int = 30, today: date | None = None) -> PlanEffect:
    """The theme's volume and negativity in the ``window_days`` before the start and as many days
    after it (fewer when the plan started recently, the same count on both sides)."""
    organisation = plan.organisation
    today = today or organisation_today(organisation)
    elapsed = (today - plan.started_on).days
    days = min(window_days, elapsed) if elapsed > 0 else window_days
    before_period = period_between(
        organisation, plan.started_on - timedelta(days=days), plan.started_on - timedelta(days=1)
    )
    before = _theme_window(organisation, plan.theme, before_period)
    if elapsed <= 0:
        return PlanEffect(plan, before, None)
    after_period = period_between(organisation, plan.started_on, plan.started_on + timedelta(days=days - 1))
    return PlanEffect(plan, before, _theme_window(organisation, plan.theme, after_period))


def action_plans(organisation: Organisation, theme: str = "") -> QuerySet[ActionPlan]:
    """The organisation's action plans, newest start first, optionally of one theme."""
    queryset = scoped(ActionPlan, organisation).select_related("owner")
    return queryset.filter(theme=theme) if theme else queryset
