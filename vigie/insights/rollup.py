"""The daily rollup: per day and dimension combination, the counts the KPIs add up.

Why: on a million mentions, reading 90 days of rows costs seconds; summing a few thousand rollup
rows costs milliseconds. What is exact and what is not:

- every count and sum (volumes, ratings, sentiments, response rate, SLA...) is exact;
- medians and the 90th percentile come from histograms whose buckets widen with the delay
  (5 minutes under an hour, 15 minutes up to 8 h, 1 hour up to 48 h, then 6 hours up to 30 days):
  the value is the bucket's middle, so within half a bucket of the exact delay.

The rollup covers whole days before today (``RollupState``) as of its last refresh (an unanswered
case counts as an SLA miss once its deadline had passed then); today, and any filter the rollup
has no dimension for (agent, source, language), is read from the mentions directly. ``insights.refresh_rollup`` (every 5 minutes)
re-computes the past days touched since its last scan (new or edited mentions, analyses, case
changes); ``vigie rollup --org SLUG`` rebuilds everything.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from vigie.analysis.models import AnalysisResult
from vigie.connectors.platforms import platform_names
from vigie.core.models import Organisation
from vigie.core.tenancy import scoped
from vigie.inbox.models import Case
from vigie.insights.business_hours import BusinessCalendar
from vigie.insights.models import DailyRollup, DelayMetric, DelayRollup, RollupState
from vigie.insights.queries.filters import period_mentions
from vigie.insights.queries.stats import nps_score
from vigie.insights.queries.targets import calendar_for
from vigie.mentions.models import Mention, MentionKind, Sentiment

# (upper bound in minutes, bucket width in minutes), in increasing order; beyond: one bucket.
_SCHEME = ((60, 5), (8 * 60, 15), (48 * 60, 60), (30 * 24 * 60, 360))


def _scheme_starts() -> list[tuple[int, int, int]]:
    starts = []
    lower, index = 0, 0
    for upper, width in _SCHEME:
        starts.append((index, lower, width))
        index += (upper - lower) // width
        lower = upper
    starts.append((index, lower, 0))
    return starts


_STARTS = _scheme_starts()
OVERFLOW_BUCKET = _STARTS[-1][0]


def delay_bucket(seconds: float) -> int:
    """The histogram bucket of a delay."""
    minutes = max(seconds, 0) / 60
    lower = 0
    index = 0
    for upper, width in _SCHEME:
        if minutes < upper:
            return index + int((minutes - lower) // width)
        index += (upper - lower) // width
        lower = upper
    return OVERFLOW_BUCKET


def bucket_seconds(bucket: int) -> tuple[float, float]:
    """(lower bound, width) of a bucket in seconds; the overflow bucket has width 0."""
    for first, lower, width in reversed(_STARTS):
        if bucket >= first:
            return (lower + (bucket - first) * width) * 60.0, width * 60.0
    raise ValueError(bucket)


def _value_at_rank(histogram: Counter[int], rank: int) -> float:
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            lower, width = bucket_seconds(bucket)
            return lower + width / 2
    raise ValueError(rank)


def histogram_percentile(histogram: Counter[int], fraction: float) -> float | None:
    """A percentile read from a histogram: the middle of the bucket holding it.

    Same definitions as the exact values: the median of an even count averages the two middle
    values; other percentiles are nearest-rank.
    """
    total = sum(histogram.values())
    if not total:
        return None
    if fraction == 0.5:
        if total % 2:
            return _value_at_rank(histogram, total // 2 + 1)
        return (_value_at_rank(histogram, total // 2) + _value_at_rank(histogram, total // 2 + 1)) / 2
    return _value_at_rank(histogram, max(math.ceil(fraction * total), 1))


def star_bucket(kind: str, rating: Decimal | None) -> int:
    """1-5 for a rated review (halves rounding up), 0 otherwise."""
    if kind != MentionKind.REVIEW or rating is None:
        return 0
    return min(max(int(rating + Decimal("0.5")), 1), 5)


_MENTION_FIELDS = (
    "id",
    "location_id",
    "source__platform",
    "kind",
    "sentiment",
    "rating",
    "rating_raw",
    "reach",
    "likes",
    "shares",
    "replies_count",
    "themes",
    "created_at",
    "case__id",
    "case__team_id",
    "case__needs_answer",
    "case__first_response_at",
    "case__sla_due_at",
    "case__resolved_at",
)


MEASURES = (
    "mentions",
    "reach",
    "engagement",
    "rating_sum",
    "board_negative",
    "surveys",
    "satisfied",
    "nps_answers",
    "nps_promoters",
    "nps_detractors",
    "needing",
    "answered",
    "any_answered",
    "sla_met",
    "sla_missed",
    "resolved",
)
DAILY_COLUMNS = (
    "organisation_id",
    "day",
    "grain",
    "location_id",
    "platform",
    "team_id",
    "theme",
    "kind",
    "sentiment",
    "stars",
    *MEASURES,
)
DELAY_COLUMNS = (
    "organisation_id",
    "day",
    "grain",
    "location_id",
    "platform",
    "team_id",
    "theme",
    "metric",
    "bucket",
    "cases",
)


def compute_days(
    organisation: Organisation, first: date, last: date, calendar: BusinessCalendar
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rollup rows (as ``DAILY_COLUMNS`` and ``DELAY_COLUMNS`` tuples) of days ``first``..``last``,
    computed from the mentions and cases."""
    from vigie.core.periods import period_between

    tz = calendar.tz
    computed_at = timezone.now()
    daily: dict[tuple[Any, ...], list[float]] = {}
    delays: Counter[tuple[Any, ...]] = Counter()
    index = {name: i for i, name in enumerate(MEASURES)}
    period = period_between(organisation, first, last)
    rows = period_mentions(organisation, period).values_list(*_MENTION_FIELDS).order_by()
    for row in rows.iterator(chunk_size=5000):
        record = dict(zip(_MENTION_FIELDS, row, strict=True))
        day = record["created_at"].astimezone(tz).date()
        kind = record["kind"]
        rating = record["rating"]
        stars = star_bucket(kind, rating)
        themes = {t for t in (record["themes"] or []) if isinstance(t, str)}
        values = [0.0] * len(MEASURES)
        values[index["mentions"]] = 1
        values[index["reach"]] = record["reach"]
        values[index["engagement"]] = record["likes"] + record["shares"] + record["replies_count"]
        values[index["rating_sum"]] = float(rating) if stars else 0.0
        values[index["board_negative"]] = int(
            record["sentiment"] == Sentiment.NEGATIVE or bool(stars and rating < Decimal("2.5"))
        )
        if kind == MentionKind.SURVEY_ANSWER:
            if rating is not None:
                values[index["surveys"]] = 1
                values[index["satisfied"]] = int(rating >= 4)
            score = nps_score(record["rating_raw"]) if record["rating_raw"] else None
            if score is not None:
                values[index["nps_answers"]] = 1
                values[index["nps_promoters"]] = int(score >= 9)
                values[index["nps_detractors"]] = int(score <= 6)
        case_delays: list[tuple[str, int]] = []
        if record["case__id"] is not None:
            answered_at: datetime | None = record["case__first_response_at"]
            due: datetime | None = record["case__sla_due_at"]
            resolved_at: datetime | None = record["case__resolved_at"]
            published: datetime = record["created_at"]
            needs = bool(record["case__needs_answer"])
            values[index["needing"]] = int(needs)
            values[index["answered"]] = int(needs and answered_at is not None)
            values[index["any_answered"]] = int(answered_at is not None)
            if needs and due is not None:
                if answered_at is not None:
                    values[index["sla_met"]] = int(answered_at <= due)
                    values[index["sla_missed"]] = int(answered_at > due)
                else:
                    values[index["sla_missed"]] = int(due < computed_at)
            if answered_at is not None:
                business = calendar.seconds_between(published, answered_at)
                case_delays.append((DelayMetric.FIRST_RESPONSE.value, delay_bucket(business)))
                calendar_delay = (answered_at - published).total_seconds()
                case_delays.append((DelayMetric.FIRST_RESPONSE_CALENDAR.value, delay_bucket(calendar_delay)))
            if resolved_at is not None:
                values[index["resolved"]] = 1
                resolution = (resolved_at - published).total_seconds()
                case_delays.append((DelayMetric.RESOLUTION.value, delay_bucket(resolution)))
        location_id, platform, team_id = (
            record["location_id"],
            record["source__platform"],
            record["case__team_id"],
        )
        grains = (
            (day, "coarse", None, "", None),
            (day, "plat", None, platform, None),
            (day, "loc", location_id, "", None),
            (day, "team", None, "", team_id),
            (day, "fine", location_id, platform, team_id),
        )
        for theme in ("", *sorted(themes)):
            for base in grains:
                key = (*base, theme, kind, record["sentiment"], stars)
                target = daily.get(key)
                if target is None:
                    daily[key] = list(values)
                else:
                    for i, value in enumerate(values):
                        target[i] += value
                # The delay histograms have the same dimensions, so a filtered dashboard reads
                # its medians from the rollup too.
                for metric, bucket in case_delays:
                    delays[(*base, theme, metric, bucket)] += 1
    rating_at = index["rating_sum"]
    daily_rows = [
        (organisation.pk, *key, *(v if i == rating_at else int(v) for i, v in enumerate(values)))
        for key, values in daily.items()
    ]
    delay_rows = [(organisation.pk, *key, count) for key, count in delays.items()]
    return daily_rows, delay_rows


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    # Plain INSERTs: building a model instance per rollup row costs more than computing it.
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - our own names only
            cursor.executemany(sql, rows[start : start + 5000])


@transaction.atomic
def do_refresh_rollup_days(
    organisation: Organisation, first: date, last: date, calendar: BusinessCalendar
) -> int:
    """Replace the rollup rows of days ``first``..``last``; returns how many rows were written.

    Derived data, rebuilt from the audited rows at will: no audit event of its own.
    """
    daily_rows, delay_rows = compute_days(organisation, first, last, calendar)
    scoped(DailyRollup, organisation).filter(day__gte=first, day__lte=last).delete()
    scoped(DelayRollup, organisation).filter(day__gte=first, day__lte=last).delete()
    _insert(DailyRollup._meta.db_table, DAILY_COLUMNS, daily_rows)
    _insert(DelayRollup._meta.db_table, DELAY_COLUMNS, delay_rows)
    return len(daily_rows) + len(delay_rows)


def do_rebuild_rollup(organisation: Organisation, *, chunk_days: int = 7) -> RollupState:
    """Recompute the whole rollup of ``organisation`` up to yesterday, a few days per transaction.

    The newest days first: on a first build (a million mentions take minutes), each chunk done
    widens the coverage at once, so the dashboard's usual periods (the last 7, 30 days) stop
    reading the rows long before the oldest days are done."""
    from vigie.core.periods import organisation_today

    calendar = calendar_for(organisation)
    today = organisation_today(organisation)
    scanned_at = timezone.now()
    oldest = scoped(Mention, organisation).order_by("created_at").values_list("created_at", flat=True).first()
    first = oldest.astimezone(calendar.tz).date() if oldest else today
    existing = scoped(RollupState, organisation).first()
    # Only a first build publishes its progress: a rebuild keeps the coverage it already has.
    progressive = existing is None or existing.covered_from >= existing.covered_until
    last = today - timedelta(days=1)
    while last >= first:
        day = max(last - timedelta(days=chunk_days - 1), first)
        do_refresh_rollup_days(organisation, day, last, calendar)
        if progressive:
            RollupState.objects.update_or_create(
                organisation=organisation,
                defaults={"covered_from": day, "covered_until": today, "scanned_at": scanned_at},
            )
        last = day - timedelta(days=1)
    state, _created = RollupState.objects.update_or_create(
        organisation=organisation,
        defaults={"covered_from": first, "covered_until": today, "scanned_at": scanned_at},
    )
    return state


def touched_days(organisation: Organisation, since: datetime, tz: Any) -> set[date]:
    """Publication days (local) of the mentions changed since ``since``: fetched, edited, deleted,
    analysed again, or whose case changed."""
    mentions = scoped(Mention, organisation)
    changed = Q(fetched_at__gte=since) | Q(updated_at__gte=since) | Q(deleted_at__gte=since)
    stamps = set(mentions.filter(changed).values_list("created_at", flat=True))
    stamps |= set(
        mentions.filter(
            id__in=scoped(AnalysisResult, organisation).filter(analysed_at__gte=since).values("mention_id")
        ).values_list("created_at", flat=True)
    )
    cases = scoped(Case, organisation)
    stamps |= set(
        cases.filter(Q(updated_at__gte=since) | Q(created_at__gte=since)).values_list(
            "mention__created_at", flat=True
        )
    )
    # Unanswered cases whose deadline passed since: their day now counts one more SLA miss.
    overdue = cases.filter(
        sla_due_at__gte=since, sla_due_at__lt=timezone.now(), first_response_at__isnull=True
    )
    stamps |= set(overdue.values_list("mention__created_at", flat=True))
    return {stamp.astimezone(tz).date() for stamp in stamps}


def do_refresh_rollup(organisation: Organisation) -> int:
    """Bring the rollup up to date: past days touched since the last scan, and the days that have
    ended since. Builds it the first time. Returns how many days were recomputed."""
    from vigie.core.periods import organisation_today

    today = organisation_today(organisation)
    scanned_at = timezone.now()
    state = scoped(RollupState, organisation).first()
    if state is None:
        # Creating the (unique) state row claims the first build: a second worker gives up. Until
        # the build ends it covers no day, so the KPIs keep reading the rows.
        try:
            with transaction.atomic():
                RollupState.objects.create(
                    organisation=organisation, covered_from=today, covered_until=today, scanned_at=scanned_at
                )
        except IntegrityError:
            return 0
        state = do_rebuild_rollup(organisation)
        return (state.covered_until - state.covered_from).days
    # Claim this round: only the worker whose UPDATE moves ``scanned_at`` forward goes on.
    claimed = RollupState.objects.filter(pk=state.pk, scanned_at=state.scanned_at).update(
        scanned_at=scanned_at
    )
    if not claimed:
        return 0
    calendar = calendar_for(organisation)
    try:
        days = {
            d for d in touched_days(organisation, state.scanned_at, calendar.tz) if d < state.covered_until
        }
        day = state.covered_until
        while day < today:
            days.add(day)
            day += timedelta(days=1)
        for day in sorted(days):
            do_refresh_rollup_days(organisation, day, day, calendar)
    except Exception:
        # Give the round back so the next run looks at the same changes again.
        RollupState.objects.filter(pk=state.pk).update(scanned_at=state.scanned_at)
        raise
    RollupState.objects.filter(pk=state.pk).update(
        covered_from=min([state.covered_from, *days]) if days else state.covered_from,
        covered_until=max(today, state.covered_until),
        scanned_at=scanned_at,
    )
    return len(days)


def grain_for(*, location: bool, platform: bool, team: bool) -> str:
    """The grain whose rows hold the dimensions a query filters or groups by: "coarse" for none,
    "plat", "loc" or "team" for that one alone (far fewer rows than "fine" to add up: a Google-only
    dashboard or the split per platform need not read every location and team), "fine" for more."""
    used = [name for name, on in (("plat", platform), ("loc", location), ("team", team)) if on]
    if not used:
        return "coarse"
    return used[0] if len(used) == 1 else "fine"


@dataclass(frozen=True)
class Coverage:
    first: date
    until: date  # exclusive


def coverage(organisation: Organisation) -> Coverage | None:
    state = scoped(RollupState, organisation).first()
    return Coverage(state.covered_from, state.covered_until) if state else None


def dimension_condition(
    *,
    location_id: int | None,
    location_ids: tuple[int, ...] | None,
    platform: str,
    team_id: int | None,
) -> Q:
    """The rollup rows of one location (or several), platform and team, where given."""
    condition = Q()
    if location_id is not None:
        condition &= Q(location_id=location_id)
    if location_ids is not None:
        condition &= Q(location_id__in=location_ids)
    if platform:
        # One platform under each of its names ("x" and the imported "twitter").
        condition &= Q(platform__in=platform_names(platform))
    if team_id is not None:
        condition &= Q(team_id=team_id)
    return condition


def measure_aggregates() -> dict[str, Any]:
    """The daily rollup's measures summed, named ``total_<measure>`` (Django refuses an aggregate
    named like a field it sums), with the reviews, stars and sentiments counted apart."""
    review = Q(kind=MentionKind.REVIEW)
    aggregates: dict[str, Any] = {f"total_{name}": Sum(name) for name in MEASURES}
    aggregates["total_reviews"] = Sum("mentions", filter=review)
    for stars in range(1, 6):
        aggregates[f"total_stars_{stars}"] = Sum("mentions", filter=review & Q(stars=stars))
    for sentiment in Sentiment:
        aggregates[f"total_sentiment_{sentiment.value}"] = Sum(
            "mentions", filter=Q(sentiment=sentiment.value)
        )
    return aggregates


def rollup_sums(
    organisation: Organisation,
    first: date,
    last: date,
    *,
    theme: str,
    location_id: int | None,
    platform: str,
    team_id: int | None,
    location_ids: tuple[int, ...] | None = None,
) -> tuple[dict[str, Any], dict[str, Counter[int]]]:
    """Summed measures of days ``first``..``last`` for the given filters, and the delay histograms
    of the same days and filters."""
    grain = grain_for(
        location=location_id is not None or location_ids is not None,
        platform=bool(platform),
        team=team_id is not None,
    )
    condition = Q(day__gte=first, day__lte=last, theme=theme, grain=grain) & dimension_condition(
        location_id=location_id, location_ids=location_ids, platform=platform, team_id=team_id
    )
    found = scoped(DailyRollup, organisation).filter(condition).aggregate(**measure_aggregates())
    sums = {key.removeprefix("total_"): (value or 0) for key, value in found.items()}
    histograms: dict[str, Counter[int]] = {metric: Counter() for metric in DelayMetric.values}
    rows = (
        scoped(DelayRollup, organisation)
        .filter(condition)
        .values("metric", "bucket")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    for row in rows:
        histograms[row["metric"]][row["bucket"]] += row["n"]
    return sums, histograms


GROUPED = (
    "volume",
    "positive",
    "neutral",
    "negative",
    "rated",
    "rating_sum",
    "board_negative",
    "sla_met",
    "sla_missed",
)


def rollup_grouped(
    organisation: Organisation, first: date, last: date, filters: Any, by: str
) -> dict[Any, dict[str, float]]:
    """Volume, sentiment counts and ratings of days ``first``..``last`` per ``by`` (day, theme,
    platform or location_id), narrowed by ``filters`` (location, platform, team, theme)."""
    grain = grain_for(
        location=filters.location_id is not None or filters.location_ids is not None or by == "location_id",
        platform=bool(filters.platform) or by == "platform",
        team=filters.team_id is not None or by == "team_id",
    )
    condition = Q(day__gte=first, day__lte=last, grain=grain)
    if by == "theme":
        # A range rather than "not empty": SQLite then reads the (grain, theme, day) index instead
        # of every grain's rows of the period through the (organisation, day) one.
        condition &= Q(theme__gt="")
    else:
        condition &= Q(theme=filters.theme)
    condition &= dimension_condition(
        location_id=filters.location_id,
        location_ids=filters.location_ids,
        platform=filters.platform,
        team_id=filters.team_id,
    )
    review = Q(kind=MentionKind.REVIEW)
    rows = (
        scoped(DailyRollup, organisation)
        .filter(condition)
        .values(by)
        .annotate(
            n_volume=Sum("mentions"),
            n_positive=Sum("mentions", filter=Q(sentiment=Sentiment.POSITIVE)),
            n_neutral=Sum("mentions", filter=Q(sentiment=Sentiment.NEUTRAL)),
            n_negative=Sum("mentions", filter=Q(sentiment=Sentiment.NEGATIVE)),
            n_rated=Sum("mentions", filter=review & Q(stars__gt=0)),
            n_rating_sum=Sum("rating_sum"),
            n_board_negative=Sum("board_negative"),
            n_sla_met=Sum("sla_met"),
            n_sla_missed=Sum("sla_missed"),
        )
        .order_by()
    )
    return {row[by]: {name: float(row[f"n_{name}"] or 0) for name in GROUPED} for row in rows}
