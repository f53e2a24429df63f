"""The parts of the management report beyond the KPIs: locations ranked, themes and platforms by
sentiment, quotes in the report's language, action plans with their measured effect, alerts.

Each builder returns plain rows the template lays out; numbers stay numbers here and are written
in the report's language by ``report_format`` at rendering time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import ClassVar

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from vigie.alerts.models import Alert
from vigie.alerts.queries import alerts
from vigie.analysis.queries import results_by_mention, theme_clauses
from vigie.connectors.models import Source
from vigie.connectors.platforms import platform_label
from vigie.core.models import Location, Organisation
from vigie.core.periods import Period, period_between
from vigie.core.tenancy import scoped
from vigie.insights.queries.action_plans import action_plans, plan_effect
from vigie.insights.queries.breakdowns import platform_split, survey_answers_by_platform
from vigie.insights.queries.filters import (
    NEGATIVE_FOR_BOARD,
    QUOTABLE,
    InsightFilters,
    older_than,
    period_mentions,
    previous_period,
)
from vigie.insights.queries.grouping import grouped
from vigie.insights.queries.kpis import kpi_reports_by
from vigie.insights.queries.quotes import QUOTE_FIELDS, SURVEY_PLATFORM, Verbatim, verbatim_of_row
from vigie.insights.queries.targets import calendar_for, targets_for
from vigie.insights.queries.themes import theme_labels
from vigie.insights.verbatims import NumberPattern, order_patterns
from vigie.mentions.models import Mention

# A quote a director reads in one breath: long enough to say something, short enough to fit.
QUOTE_MIN_CHARS = 40
QUOTE_MAX_CHARS = 260
# Quotable mentions read per theme before choosing among them (shared by the period's stretches).
CANDIDATES = 200
# Mentions read before the rest of the period is narrowed to the themes still short of quotes.
FIRST_READ = 5000
# Stretches of the period the quotes are taken from (about a week each; a quarter has six).
MAX_STRETCHES = 6


@dataclass(frozen=True)
class LocationRow:
    name: str
    volume: int
    average_rating: float | None
    previous_rating: float | None
    rated: int
    response_rate: float | None
    median_delay_seconds: float | None
    negative_share: float | None

    @property
    def rating_change(self) -> float | None:
        if self.average_rating is None or self.previous_rating is None:
            return None
        # Rounded as printed, so that "0,0" is never coloured as a fall.
        return round(self.average_rating - self.previous_rating, 1)


@dataclass(frozen=True)
class SentimentRow:
    """Volume of one theme or platform split by sentiment (analysed mentions only)."""

    label: str
    volume: int
    positive: int
    neutral: int
    negative: int
    previous_volume: int = 0
    # Negative mentions as the theme board counts them (1-2 star reviews too), now and in the
    # previous period: which theme weighs on a change of the average rating (``report_summary``).
    board_negative: int = 0
    previous_board_negative: int = 0

    @property
    def analysed(self) -> int:
        return self.positive + self.neutral + self.negative

    def share(self, name: str) -> float:
        return getattr(self, name) / self.analysed if self.analysed else 0.0

    @property
    def positive_share(self) -> float:
        return self.share("positive")

    @property
    def neutral_share(self) -> float:
        return self.share("neutral")

    @property
    def negative_share(self) -> float:
        return self.share("negative")


@dataclass(frozen=True)
class PlanRow:
    title: str
    theme: str
    status: str
    started_on: date
    due_on: date | None
    before_negative_share: float | None
    after_negative_share: float | None
    before_volume: int
    after_volume: int | None

    @property
    def effect(self) -> float | None:
        if self.before_negative_share is None or self.after_negative_share is None:
            return None
        return self.after_negative_share - self.before_negative_share


@dataclass(frozen=True)
class AlertRow:
    opened_at: date
    title: str
    severity: str
    explanation: str


def location_rows(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> list[LocationRow]:
    """Every location with mentions in the period, best average rating first (unrated last).

    Each location's numbers are its ``kpi_report`` (as ``kpi_breakdown`` gives them), read for all
    locations at once: a query or two per location and period cost seconds at a million mentions.
    """
    names = {location.pk: location.name for location in scoped(Location, organisation)}
    targets, calendar = targets_for(organisation), calendar_for(organisation)
    before = kpi_reports_by(
        organisation,
        previous_period(organisation, period),
        filters,
        "location_id",
        targets=targets,
        calendar=calendar,
    )
    rows = []
    for key, report in kpi_reports_by(
        organisation, period, filters, "location_id", targets=targets, calendar=calendar
    ).items():
        if key not in names:
            continue
        negative = next((s.share for s in report.sentiments if s.key == "negative"), None)
        previous = before.get(key)
        rows.append(
            LocationRow(
                name=names[key],
                volume=report.mention_volume,
                average_rating=report.average_rating,
                previous_rating=previous.average_rating if previous else None,
                rated=report.rated_review_count,
                response_rate=report.response_rate,
                median_delay_seconds=report.median_first_response_business_seconds,
                negative_share=negative if any(s.count for s in report.sentiments) else None,
            )
        )
    return sorted(rows, key=lambda r: (r.average_rating is None, -(r.average_rating or 0), r.name.lower()))


def theme_split(
    organisation: Organisation, period: Period, theme: str, filters: InsightFilters | None = None
) -> dict[str, float]:
    """How many of ``theme``'s mentions of ``period`` are positive, neutral and negative by their
    analysed sentiment: what the report's theme table shows, and so what every page of the
    report calls the theme's negative mentions."""
    # Counts per theme carry no sentiment split; the theme's counts per platform do.
    split = {"positive": 0.0, "neutral": 0.0, "negative": 0.0}
    base = filters or InsightFilters()
    for values in grouped(organisation, period, replace(base, theme=theme), "platform").values():
        for name in split:
            split[name] += values.get(name, 0)
    return split


def theme_rows(
    organisation: Organisation,
    period: Period,
    filters: InsightFilters | None = None,
    *,
    limit: int = 10,
    language: str | None = None,
) -> list[SentimentRow]:
    """The period's most mentioned themes with their sentiment split, labels (in ``language``)
    not slugs."""
    labels = theme_labels(organisation, language)
    base = filters or InsightFilters()
    now = grouped(organisation, period, base, "theme")
    then = grouped(organisation, previous_period(organisation, period), base, "theme")
    ranked = sorted(
        ((theme, counts) for theme, counts in now.items() if theme and counts.get("volume")),
        key=lambda item: (-item[1]["volume"], str(item[0])),
    )[:limit]
    rows = []
    for theme, counts in ranked:
        split = theme_split(organisation, period, str(theme), base)
        rows.append(
            SentimentRow(
                label=labels.get(str(theme), str(theme).replace("_", " ").capitalize()),
                volume=int(counts["volume"]),
                positive=int(split["positive"]),
                neutral=int(split["neutral"]),
                negative=int(split["negative"]),
                previous_volume=int(then.get(theme, {}).get("volume", 0)),
                board_negative=int(counts.get("board_negative", 0)),
                previous_board_negative=int(then.get(theme, {}).get("board_negative", 0)),
            )
        )
    return rows


def platform_rows(
    organisation: Organisation, period: Period, filters: InsightFilters | None = None
) -> list[SentimentRow]:
    """Sentiment per platform, most mentioned first, named as the pages name them; answers to a
    satisfaction survey are one row, "Enquête de satisfaction", whichever source brought them (a
    signed webhook fed by a survey tool is no platform a director knows)."""
    counts = grouped(organisation, period, filters, "platform")
    surveys = survey_answers_by_platform(organisation, period, filters)
    fields = ("volume", "positive", "neutral", "negative")
    totals: dict[str, dict[str, int]] = {}
    labels: dict[str, str] = {}
    for split in platform_split(organisation, period, filters):
        found = counts.get(split.key, {})
        values = {"volume": split.volume, **{name: int(found.get(name, 0)) for name in fields[1:]}}
        answers = surveys.get(split.key) if split.key != SURVEY_PLATFORM else None
        if answers:
            # The platform keeps its other mentions; its survey answers join the survey's row.
            survey = totals.setdefault(SURVEY_PLATFORM, dict.fromkeys(fields, 0))
            for name in fields:
                survey[name] += answers.get(name, 0)
                values[name] -= answers.get(name, 0)
        if values["volume"] > 0:
            row = totals.setdefault(split.key, dict.fromkeys(fields, 0))
            for name in fields:
                row[name] += values[name]
            labels[split.key] = split.label
    labels.setdefault(SURVEY_PLATFORM, platform_label(SURVEY_PLATFORM))
    ranked = sorted(totals.items(), key=lambda item: (-item[1]["volume"], labels[item[0]].casefold()))
    return [SentimentRow(label=labels[key], **values) for key, values in ranked if values["volume"]]


# Emoji and pictographs: the report's font has no glyph for most of them (a box would print).
_PICTOGRAPHS = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d\U0001f3fb-\U0001f3ff]")


def printable(text: str) -> str:
    """``text`` without emoji, spaces tidied: what the report's font can print."""
    return " ".join(_PICTOGRAPHS.sub("", text).split())


def _quotable(text: str) -> bool:
    return QUOTE_MIN_CHARS <= len(text) <= QUOTE_MAX_CHARS


_DIGITS = re.compile(r"\d+")


def _same_words(text: str) -> str:
    """What two quotes share when they say the same thing: the words, without case, spacing or
    figures ("down for 2 days" and "down for 1 days", one message posted again and again, stood
    side by side under one theme)."""
    return " ".join(_DIGITS.sub("#", text).casefold().split())


def _tagged_any(themes: list[str]) -> Q:
    """Mentions whose theme list holds one of ``themes``, as a condition on each row."""
    if connection.vendor == "postgresql":
        condition = Q()
        for theme in themes:
            condition |= Q(themes__contains=[theme])
        return condition
    table = Mention._meta.db_table
    marks = ", ".join(["%s"] * len(themes))
    # Only our table name is interpolated; the themes are parameters.
    exists = RawSQL(  # noqa: S611
        f'EXISTS (SELECT 1 FROM json_each("{table}"."themes") j '  # noqa: S608
        f"WHERE j.type = 'text' AND j.value IN ({marks}))",
        list(themes),
        output_field=BooleanField(),
    )
    return Q(exists)


def quotes_in_language(
    organisation: Organisation,
    period: Period,
    themes: list[str],
    language: str,
    filters: InsightFilters | None = None,
    *,
    per_theme: int = 2,
) -> dict[str, list[Verbatim]]:
    """Representative negative quotes of each theme written in the report's ``language``.

    A French report quotes French customers (no English line in the middle of a French page).
    The period is cut into stretches of about a week (at least ``per_theme``, at most
    ``MAX_STRETCHES``); each theme's quotes come from stretches evenly spaced among those where it
    has some (a month's two quotes: one from each half, not both from its busy last days). In
    each stretch the quote is one of the candidates that speak of the theme most clearly
    (``QuoteFit``: the theme judged negative in the text, named by its own keywords, the text's
    main subject), the middle one of those (newest first). Quotes of a readable length only,
    never the same quote under two themes. Personal data is masked, emoji left out.
    """
    found: dict[str, list[Verbatim]] = {theme: [] for theme in themes}
    if not themes:
        return found
    patterns = order_patterns(organisation)
    seen_texts: set[str] = set()
    themes_of: dict[int, list[str]] = {}
    days = (period.last_day - period.first_day).days + 1
    stretches = _stretches(organisation, period, min(max(per_theme, days // 7), MAX_STRETCHES))
    cap = max(CANDIDATES // len(stretches), per_theme)
    pools = [
        _quote_candidates(
            organisation, stretch, themes, language, filters, cap, patterns, seen_texts, themes_of
        )
        for stretch in stretches
    ]
    fit = QuoteFit(organisation, language, themes_of)
    used: set[int] = set()
    for theme in themes:
        picked = found[theme]
        having = [pool[theme] for pool in pools if pool[theme]]
        wanted = min(per_theme, len(having))
        # Evenly spaced stretches: of four, the second and the fourth for two quotes.
        for i in range(wanted):
            fresh = [q for q in having[(2 * i + 1) * len(having) // (2 * wanted)] if q.mention_id not in used]
            if fresh:
                best = max(fit(q, theme) for q in fresh)
                fitting = [q for q in fresh if fit(q, theme) == best]
                # The middle of the stretch's best-fitting candidates (newest first).
                picked.append(fitting[len(fitting) // 2])
                used.add(picked[-1].mention_id)
        if len(picked) < per_theme:
            # Fewer stretches with quotes than quotes wanted: the best fitting of the others.
            rest = [q for pool in having for q in pool if q.mention_id not in used]
            extra = sorted(rest, key=lambda q: fit(q, theme), reverse=True)[: per_theme - len(picked)]
            picked.extend(extra)
            used.update(q.mention_id for q in extra)
        picked.sort(key=lambda q: q.created_at, reverse=True)
    return found


class QuoteFit:
    """How well a candidate quote illustrates a theme, as a key to compare (greater fits better):

    1. how the analysis judged the theme in the text (``aspects`` of the themes analyzer: a
       complaint about refunds that praises the welcome is no quote for the welcome): negative,
       then not stored, then neutral, then positive;
    2. whether a clause of the text names the theme by its keywords (a reply in a thread about
       refunds, tagged with the thread's themes, may not speak of them);
    3. the share of the text's theme-naming clauses that name this theme, in tenths (a
       complaint about the app only, before one about refunds, the app and the phone);
    4. fewer themes on the mention (a single-theme mention before a multi-theme one).

    The clauses are read as the themes analyzer reads them (``analysis.queries.theme_clauses``),
    the aspects from the stored analyses of the candidates (one query per report).
    """

    _ASPECT_RANK: ClassVar[dict[str | None, int]] = {"negative": 3, None: 2, "neutral": 1, "positive": 0}

    def __init__(self, organisation: Organisation, language: str, themes_of: dict[int, list[str]]) -> None:
        self.themes_of = themes_of
        self.read = theme_clauses(organisation, language)
        stored = results_by_mention(organisation, list(themes_of), ["themes"])
        self.aspects: dict[int, dict[str, str]] = {
            pk: result.get("aspects") or {} for pk, result in stored.items() if isinstance(result, dict)
        }
        self._clauses: dict[int, list[frozenset[str]]] = {}
        self._keys: dict[tuple[int, str], tuple[int, int, float, int]] = {}

    def __call__(self, quote: Verbatim, theme: str) -> tuple[int, int, float, int]:
        known = self._keys.get((quote.mention_id, theme))
        if known is not None:
            return known
        clauses = self._clauses.get(quote.mention_id)
        if clauses is None:
            clauses = self._clauses[quote.mention_id] = self.read(quote.text)
        naming = [named for named in clauses if named]
        own = sum(1 for named in naming if theme in named)
        aspect = self.aspects.get(quote.mention_id, {}).get(theme)
        key = (
            self._ASPECT_RANK.get(aspect, 2),
            1 if own else 0,
            round(own / len(naming), 1) if naming else 0.0,
            -len(self.themes_of.get(quote.mention_id) or [theme]),
        )
        self._keys[(quote.mention_id, theme)] = key
        return key


def _stretches(organisation: Organisation, period: Period, count: int) -> list[Period]:
    """``period`` cut into ``count`` stretches of whole days (fewer when it is shorter), in order."""
    days = (period.last_day - period.first_day).days + 1
    count = max(1, min(count, days))
    bounds = [period.first_day + timedelta(days=days * i // count) for i in range(count + 1)]
    return [period_between(organisation, bounds[i], bounds[i + 1] - timedelta(days=1)) for i in range(count)]


def _quote_candidates(
    organisation: Organisation,
    period: Period,
    themes: list[str],
    language: str,
    filters: InsightFilters | None,
    cap: int,
    patterns: list[NumberPattern],
    seen_texts: set[str],
    themes_of: dict[int, list[str]],
) -> dict[str, list[Verbatim]]:
    """Up to ``cap`` quotable negative mentions per theme of ``period``, newest first; a text
    already in ``seen_texts`` (another stretch's, the same complaint pasted twice, the same words
    with other figures) is skipped.
    ``themes_of`` receives each candidate's themes."""
    candidates: dict[str, list[Verbatim]] = {theme: [] for theme in themes}
    newest_first = (
        period_mentions(organisation, period, filters)
        .filter(NEGATIVE_FOR_BOARD, language=language)
        .filter(QUOTABLE)
        .order_by("-created_at", "-id")
    )

    def unfilled() -> list[str]:
        return [theme for theme, found in candidates.items() if len(found) < cap]

    def read(rows: QuerySet[Mention]) -> tuple[datetime, int] | None:
        """Take the candidates of ``rows``; the (created_at, id) of the last row read."""
        last = None
        for row in rows.values_list(*QUOTE_FIELDS, "themes").iterator(chunk_size=500):
            last = (row[1], row[0])
            wanted = [t for t in row[-1] or [] if t in candidates and len(candidates[t]) < cap]
            if not wanted:
                continue
            quote = verbatim_of_row(row, patterns)
            quote = replace(quote, text=printable(quote.text))
            if not _quotable(quote.text) or _same_words(quote.text) in seen_texts:
                continue
            seen_texts.add(_same_words(quote.text))
            themes_of[quote.mention_id] = list(row[-1] or [])
            for theme in wanted:
                candidates[theme].append(quote)
            # Every theme has its candidates: the older mentions would change nothing (at a million
            # mentions, reading them all took most of the report's time).
            if not unfilled():
                break
        return last

    last = read(newest_first[:FIRST_READ])
    if last is not None and (missing := unfilled()):
        # A theme with few negative mentions in this language: the rest of the stretch is read
        # from where the first read stopped, only the mentions of the themes still short of
        # candidates (the others would be skipped anyway), found by the database.
        created_at, mention_id = last
        read(newest_first.filter(older_than(created_at, mention_id)).filter(_tagged_any(missing)))
    return candidates


def plan_rows(organisation: Organisation, period: Period, language: str | None = None) -> list[PlanRow]:
    """Action plans running during the period (started before its end, not abandoned before its
    start), with the theme's negative share in equal windows before and after their start."""
    labels = theme_labels(organisation, language)
    rows = []
    # The dozen the page shows (newest start first): the effect of the others was never printed.
    for plan in action_plans(organisation).filter(started_on__lte=period.last_day)[:12]:
        # Measured as the report's reader knew it at the end of the period.
        effect = plan_effect(plan, today=period.last_day + timedelta(days=1))
        before, after = effect.before, effect.after
        rows.append(
            PlanRow(
                title=plan.title,
                theme=labels.get(plan.theme, plan.theme),
                status=str(plan.get_status_display()),
                started_on=plan.started_on,
                due_on=plan.due_on,
                before_negative_share=before.negative / before.volume if before.volume else None,
                after_negative_share=(after.negative / after.volume) if after and after.volume else None,
                before_volume=before.volume,
                after_volume=after.volume if after else None,
            )
        )
    return rows


def _period_alerts(
    organisation: Organisation, period: Period, location_ids: tuple[int, ...] | None = None
) -> QuerySet[Alert]:
    """Alerts opened during the period; with ``location_ids`` (a location's or a group's report),
    only those about its locations: a series of one of them or of a source filed under one, or a
    mention written there (a site director's report listed every other agency's alerts)."""
    rows = alerts(organisation).filter(opened_at__gte=period.start, opened_at__lt=period.end)
    if location_ids is None:
        return rows
    source_ids = (
        scoped(Source, organisation).filter(location_id__in=location_ids).values_list("pk", flat=True)
    )
    about = Q(mention__location_id__in=location_ids)
    for location_id in location_ids:
        about |= Q(key__endswith=f":location:{location_id}")
    for source_id in source_ids:
        about |= Q(key__endswith=f":source:{source_id}")
    return rows.filter(about)


def alert_rows(
    organisation: Organisation,
    period: Period,
    language: str,
    *,
    limit: int = 12,
    location_ids: tuple[int, ...] | None = None,
) -> list[AlertRow]:
    """Alerts opened during the period, most severe and most recent first, in the report's language."""
    english = language.startswith("en")
    rows = _period_alerts(organisation, period, location_ids).order_by("-score", "-opened_at")[:limit]
    return [
        AlertRow(
            opened_at=alert.opened_at.astimezone(period.start.tzinfo).date(),
            title=(alert.title_en if english and alert.title_en else alert.title),
            severity=str(alert.get_severity_display()),
            explanation=(alert.explanation_en if english and alert.explanation_en else alert.explanation)[
                :240
            ],
        )
        for alert in rows
    ]


def alert_count(
    organisation: Organisation, period: Period, location_ids: tuple[int, ...] | None = None
) -> int:
    return _period_alerts(organisation, period, location_ids).count()
