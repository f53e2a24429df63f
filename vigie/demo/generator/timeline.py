"""The timeline: how many mentions each local day gets (weekly rhythm, trend, noise, the crisis
growing towards "now") and at what time of day they are written."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from vigie.demo import DEFAULT_DAYS
from vigie.demo.generator.draws import _below, _randint
from vigie.demo.organisation import ORG_TIMEZONE

PARIS = ZoneInfo(ORG_TIMEZONE)
# The crisis: a botched IT migration starts this many days before "now" and keeps growing.
CRISIS_DAYS = 18


# Local hour of day -> relative activity.
_HOURS = (
    0.15, 0.08, 0.05, 0.04, 0.05, 0.15, 0.4, 0.9, 1.4, 1.7, 1.8, 1.7,
    1.4, 1.5, 1.7, 1.7, 1.6, 1.5, 1.4, 1.5, 1.6, 1.4, 0.9, 0.4,
)  # fmt: skip
_HOURS_CUM = tuple(itertools.accumulate(_HOURS))
_WEEKDAYS = (1.25, 1.15, 1.1, 1.05, 1.0, 0.6, 0.45)  # Monday .. Sunday


@dataclass(frozen=True, slots=True)
class DayPlan:
    day: date
    count: int
    # Probability that a mention of this day belongs to the crisis.
    crisis_share: float


def _crisis_extra(index_in_crisis: int) -> float:
    """Extra volume (as a multiple of a normal day) brought by the crisis, growing day after day."""
    progress = index_in_crisis / (CRISIS_DAYS - 1)
    extra = 0.15 + 2.4 * progress**1.5
    if index_in_crisis == CRISIS_DAYS - 6:
        extra += 1.3  # the day the story went viral
    return extra


def plan_days(rng: random.Random, size: int, now: datetime, days: int = DEFAULT_DAYS) -> list[DayPlan]:
    """How many mentions each local day gets: weekly rhythm, a slow trend, noise and the crisis."""
    today = now.astimezone(PARIS).date()
    first = today - timedelta(days=days - 1)
    weights: list[float] = []
    shares: list[float] = []
    elapsed_today = _elapsed_share(now)
    for index in range(days):
        day = first + timedelta(days=index)
        weight = _WEEKDAYS[day.weekday()] * (0.9 + 0.2 * index / days) * rng.uniform(0.85, 1.15)
        crisis_index = index - (days - CRISIS_DAYS)
        extra = _crisis_extra(crisis_index) if crisis_index >= 0 else 0.0
        weight *= 1.0 + extra
        if day == today:
            weight *= elapsed_today
        weights.append(weight)
        shares.append(extra / (1.0 + extra))
    total = sum(weights)
    exact = [size * weight / total for weight in weights]
    counts = [math.floor(value) for value in exact]
    # Largest remainders get the leftovers so the counts add up to ``size`` exactly.
    leftovers = sorted(range(days), key=lambda i: (counts[i] - exact[i], i))[: size - sum(counts)]
    for index in leftovers:
        counts[index] += 1
    return [DayPlan(first + timedelta(days=i), counts[i], shares[i]) for i in range(days)]


def _elapsed_share(now: datetime) -> float:
    local = now.astimezone(PARIS)
    hour_share = local.minute / 60
    done = (_HOURS_CUM[local.hour - 1] if local.hour else 0.0) + _HOURS[local.hour] * hour_share
    return max(done / _HOURS_CUM[-1], 0.002)


def _times_of_day(rng: random.Random, day: date, count: int, now: datetime) -> list[datetime]:
    hours = rng.choices(range(24), cum_weights=_HOURS_CUM, k=count)
    times = []
    for hour in hours:
        local = datetime.combine(day, time(hour, _below(rng, 60), _below(rng, 60)), tzinfo=PARIS)
        moment = local.astimezone(UTC)
        if moment > now:
            # Today's share is already cut to the elapsed hours; the few draws past "now" move back.
            moment = now - timedelta(seconds=_randint(rng, 1, 3599))
        times.append(moment)
    times.sort()
    return times
