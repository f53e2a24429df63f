"""Numbers per value of a dimension: volume, negativity and rating per platform or location, and one KPI report per location, platform, team, agent or theme."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from vigie.connectors.models import Source
from vigie.connectors.platforms import platform_label, platform_of
from vigie.core.models import Location, Organisation, Team, User
from vigie.core.periods import Period
from vigie.core.tenancy import scoped
from vigie.insights.queries.filters import SURVEY_PLATFORM, InsightFilters, period_mentions
from vigie.insights.queries.grouping import grouped
from vigie.insights.queries.kpis import KpiReport, kpi_report, kpi_reports_by
from vigie.insights.queries.stats import _share
from vigie.insights.queries.targets import calendar_for, targets_for
from vigie.insights.queries.themes import top_themes
from vigie.mentions.models import Mention, MentionKind


@dataclass(frozen=True)
class Breakdown:
    """Numbers of one value of a dimension (a platform, a location…)."""

    key: str
    label: str
    volume: int
    negative: int
    rated: int
    average_rating: float | None
    # The kind of mention the row leaves out ("survey_answer": a platform's survey answers are
    # counted in the survey's row), which a link to the row's mentions must leave out too.
    without_kind: str = ""

    @property
    def negative_share(self) -> float:
        return _share(self.negative, self.volume)


def _breakdown(counts: dict[Any, dict[str, float]], labels: dict[Any, str]) -> list[Breakdown]:
    rows = sorted(counts.items(), key=lambda item: (-item[1].get("volume", 0), str(item[0])))
    return [
        Breakdown(
            key="" if key is None else str(key),
            label=labels.get(key, str(key or "—")),
            volume=int(values.get("volume", 0)),
            negative=int(values.get("negative", 0)),
            rated=int(values.get("rated", 0)),
            average_rating=round(values["rating_sum"] / values["rated"], 2) if values.get("rated") else None,
        )
        for key, values in rows
        if values.get("volume")
    ]


def platform_split(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> list[Breakdown]:
    """Volume, negativity and rating per platform (named as the pages name them), each platform
    once under the slug the connectors name it by ("twitter" counts in "x")."""
    counts: dict[Any, dict[str, float]] = {}
    for key, values in grouped(organisation, period, filters, "platform").items():
        target = counts.setdefault(platform_of(str(key)) if key else key, {})
        for name, value in values.items():
            target[name] = target.get(name, 0) + value
    return _breakdown(counts, {key: platform_label(str(key)) for key in counts if key})


def platform_filter_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """The dashboard's platform menu: (value, name) of each platform the organisation has
    sources on, once under the name its rows read ("X" for x and twitter), and "Enquête de
    satisfaction" (the survey's row) when it has answers to a survey. A platform whose sources
    bring only survey answers (a survey tool's signed webhook) is offered as the survey alone:
    "Webhook signé" named nothing a reader knew."""
    own = {source.pk: source.platform for source in scoped(Source, organisation).only("id", "platform")}
    survey_sources = set(
        scoped(Mention, organisation)
        .filter(kind=MentionKind.SURVEY_ANSWER)
        .values_list("source_id", flat=True)
        .distinct()
        .order_by()
    )
    only_surveys = {
        pk
        for pk in survey_sources & own.keys()
        if not scoped(Mention, organisation)
        .filter(source_id=pk)
        .exclude(kind=MentionKind.SURVEY_ANSWER)
        .exists()
    }
    offered = {
        platform_of(platform)
        for pk, platform in own.items()
        if pk not in only_surveys and platform != SURVEY_PLATFORM
    }
    choices = [(slug, platform_label(slug)) for slug in offered]
    if survey_sources or SURVEY_PLATFORM in own.values():
        choices.append((SURVEY_PLATFORM, platform_label(SURVEY_PLATFORM)))
    return sorted(choices, key=lambda choice: choice[1].casefold())


def survey_answers_by_platform(
    organisation: Organisation, period: Period, filters: InsightFilters | None
) -> dict[str, dict[str, int]]:
    """Per platform, the period's answers to a satisfaction survey: volume and analysed sentiment
    (a few per cent of the mentions, read from the rows by the (organisation, kind, created_at)
    index)."""
    rows = (
        period_mentions(organisation, period, filters)
        .filter(kind=MentionKind.SURVEY_ANSWER)
        .values_list("source__platform", "sentiment")
        .annotate(n=Count("id"))
        .order_by()
    )
    found: dict[str, dict[str, int]] = {}
    for platform, sentiment, n in rows:
        values = found.setdefault(
            platform_of(platform or ""), {"volume": 0, "positive": 0, "neutral": 0, "negative": 0}
        )
        values["volume"] += n
        if sentiment in values and sentiment != "volume":
            values[sentiment] += n
    return found


def platform_split_with_surveys(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> list[Breakdown]:
    """``platform_split`` with the answers to a satisfaction survey in one row, "Enquête de
    satisfaction" (key ``SURVEY_PLATFORM``), whichever source brought them: the dashboard read
    "Webhook signé" for the survey tool's answers pushed by a signed webhook. A platform keeps a
    row for its other mentions (``without_kind`` says its survey answers are left out)."""
    surveys = survey_answers_by_platform(organisation, period, filters)
    rows: list[Breakdown] = []
    survey_volume = survey_negative = 0
    for split in platform_split(organisation, period, filters):
        answers = surveys.get(split.key) if split.key != SURVEY_PLATFORM else None
        if split.key == SURVEY_PLATFORM:
            survey_volume += split.volume
            survey_negative += split.negative
            continue
        if not answers:
            rows.append(split)
            continue
        survey_volume += answers["volume"]
        survey_negative += answers["negative"]
        # Survey answers are no reviews: the platform's rating is that of its reviews, unchanged.
        if split.volume > answers["volume"]:
            rows.append(
                replace(
                    split,
                    volume=split.volume - answers["volume"],
                    negative=max(split.negative - answers["negative"], 0),
                    without_kind=MentionKind.SURVEY_ANSWER.value,
                )
            )
    if survey_volume:
        rows.append(
            Breakdown(
                key=SURVEY_PLATFORM,
                label=platform_label(SURVEY_PLATFORM),
                volume=survey_volume,
                negative=survey_negative,
                rated=0,
                average_rating=None,
            )
        )
    return sorted(rows, key=lambda row: (-row.volume, row.label.casefold()))


def location_split(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> list[Breakdown]:
    """Volume, negativity and rating per location (mentions without one as "Sans lieu")."""
    labels: dict[Any, str] = {loc.pk: loc.name for loc in scoped(Location, organisation)}
    labels[None] = str(_("Sans lieu"))
    return _breakdown(grouped(organisation, period, filters, "location_id"), labels)


BREAKDOWN_DIMENSIONS = ("location", "platform", "team", "agent", "theme")
# The dimensions the rollup holds: the filter field each sets, and the model naming its values
# (None: the value is its own name, a platform's slug).
GROUPED_DIMENSIONS: dict[str, tuple[str, type[Location] | type[Team] | None]] = {
    "location": ("location_id", Location),
    "platform": ("platform", None),
    "team": ("team_id", Team),
}


def kpi_breakdown(
    organisation: Organisation, period: Period, filters: InsightFilters | None, by: str
) -> list[tuple[str, str, KpiReport]]:
    """One ``KpiReport`` per value of dimension ``by``: (key, label, report). Locations, platforms
    and teams are read together in a few grouped queries (``kpi_reports_by``: 40 locations cost
    what one does); agents and themes one report each."""
    base = filters or InsightFilters()
    targets = targets_for(organisation)
    calendar = calendar_for(organisation)
    if by in GROUPED_DIMENSIONS:
        field_name, model = GROUPED_DIMENSIONS[by]
        reports = kpi_reports_by(organisation, period, base, field_name, targets=targets, calendar=calendar)
        if model is None:
            return [(key, key, reports[key]) for key in sorted(k for k in reports if k)]
        # The organisation's own rows name them, in their usual order; mentions without one
        # (no location, no team) are left out, as a filter cannot ask for "none".
        named = scoped(model, organisation).filter(pk__in=[k for k in reports if k is not None])
        return [(str(row.pk), row.name, reports[row.pk]) for row in named]
    mentions = period_mentions(organisation, period, base)
    values: list[tuple[str, str, InsightFilters]] = []
    if by == "agent":
        agent_ids = set(mentions.exclude(case__assignee=None).values_list("case__assignee_id", flat=True))
        for user in User.objects.filter(pk__in=agent_ids).order_by("email"):
            values.append((str(user.pk), str(user), replace(base, agent_id=user.pk)))
    elif by == "theme":
        for theme in top_themes(organisation, period, base, limit=50):
            values.append((theme.theme, theme.theme, replace(base, theme=theme.theme)))
    else:
        raise ValueError(f"unknown dimension {by!r}; choose one of {', '.join(BREAKDOWN_DIMENSIONS)}")
    return [
        (key, label, kpi_report(organisation, period, f, targets=targets, calendar=calendar))
        for key, label, f in values
    ]
