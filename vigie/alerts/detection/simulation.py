"""Realistic negative-mention streams with injected episodes, for the benchmark and the tests.

A stream is the count of negative mentions per 5-minute bucket of one organisation:

* a daily rhythm in local time (nights about 1/20 of the midday peak, a lunch and an evening
  peak), a weekly one (quieter weekends, a later Sunday morning), both perturbed per
  organisation;
* overdispersion at two scales: a gamma factor per local day (coefficient of variation 15 %),
  and clusters (a thread, a few retweets: each event brings 1.3 mentions on average);
* a slow trend (up to +/-10 % over the period);
* in a third of the streams, one past episode (x3 for one to three hours) in the history, to
  check that old episodes do not blind the detector;
* optionally one episode to detect: a step (x rise for three hours), a ramp (from x1, reaching
  x rise ``ramp_minutes`` after the start, then three hours at x rise) or a burst (x rise for
  30 minutes), starting at a time drawn in proportion to the organisation's activity (people
  complain when they are awake).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from vigie.alerts.detection.calendar import _calendar

BUCKET = timedelta(minutes=5)
STEP = 300
PER_DAY = 288

SIZES: dict[str, tuple[float, float]] = {
    # negative mentions per day, drawn log-uniformly in the range
    "quiet": (20.0, 60.0),
    "medium": (100.0, 300.0),
    "busy": (500.0, 2000.0),
    "large": (3000.0, 10000.0),
}
SHAPES = ("step", "ramp", "burst")
CLUSTER = 1.3
DAY_CV = 0.15  # coefficient of variation of the day's mood (a gamma factor per local day)
# Variance / mean of a count made of such clusters: E[size^2] / E[size], with a size of one plus
# a geometric number of extras of mean CLUSTER - 1.
CLUSTER_VARIANCE_RATIO = 2 * CLUSTER - 1


@dataclass(frozen=True)
class Streams:
    """Simulated streams sharing one bucket grid."""

    values: NDArray[np.float64]  # (n, buckets) counts
    first: int  # epoch seconds of the first bucket
    episode_start: NDArray[np.int64]  # (n,) bucket index of the episode start, -1 if none
    episode_end: NDArray[np.int64]  # (n,) first bucket after the episode, -1 if none
    # (n, buckets) expected count of each bucket without the episode to detect: the true
    # rhythm, today's mood and trend included. Only an ideal detector may look at it.
    expected: NDArray[np.float64]
    # (n, buckets) the day's mood alone (the gamma factor of each local day): ``expected`` over
    # it is what a detector could learn from the history; only the benchmark looks at it.
    day_factor: NDArray[np.float64] | None = None

    @property
    def starts(self) -> NDArray[np.int64]:
        return self.first + STEP * np.arange(self.values.shape[1], dtype=np.int64)


def _daily_curve(hours: NDArray[np.float64]) -> NDArray[np.float64]:
    """Activity by local hour (0-24, fractional), peak about 1."""
    night = 0.05
    lunch = np.exp(-0.5 * ((hours - 12.5) / 2.2) ** 2)
    evening = 0.9 * np.exp(-0.5 * ((hours - 20.5) / 2.0) ** 2)
    day = 0.6 / (1 + np.exp(-(hours - 8.0) * 1.5)) * (1 - 1 / (1 + np.exp(-(hours - 23.0) * 1.5)))
    return np.asarray(night + 0.95 * np.maximum(lunch, np.maximum(evening, day)), dtype=np.float64)


def weights(rng: np.random.Generator, n: int, timezone: str, first: int, length: int) -> NDArray[np.float64]:
    """(n, length) relative activity per bucket, mean about 1 over a week."""
    slots = _calendar(timezone, first, length, STEP).slots
    dow, hour = slots // 24, slots % 24
    minute = ((first + STEP * np.arange(length)) % 3600) / 3600.0
    local_hour = hour + minute
    # Per organisation: how much quieter the weekend is, and a late Sunday morning.
    weekend = rng.uniform(0.45, 1.0, size=(n, 1))
    saturday = np.where(dow == 5, weekend, 1.0)
    sunday = np.where(dow == 6, weekend * rng.uniform(0.7, 1.0, size=(n, 1)), 1.0)
    shift = np.where(dow >= 5, 1.0, 0.0)
    curve = _daily_curve(local_hour[None, :] - shift[None, :] * rng.uniform(0.5, 2.0, size=(n, 1)))
    weekday = rng.uniform(0.9, 1.1, size=(n, 7))[:, dow]
    w = curve * saturday * sunday * weekday
    return np.asarray(w / w.mean(axis=1, keepdims=True), dtype=np.float64)


def simulate(
    rng: np.random.Generator,
    n: int,
    size: str,
    days: int,
    first: datetime,
    *,
    episode_day: int | None = None,
    shape: str = "step",
    rise: float = 1.0,
    timezone: str = "Europe/Paris",
    ramp_minutes: int = 15,
) -> Streams:
    """``n`` streams of ``days`` days from ``first``; one episode on ``episode_day`` if given.

    A ramp climbs linearly from the normal rate and reaches ``rise`` in its bucket ending
    ``ramp_minutes`` after the start (the benchmark uses 15 minutes for x5 and 30 for x2, so
    the nominal rise is reached inside the detection window), then holds for three hours.
    """
    low, high = SIZES[size]
    length = days * PER_DAY
    first_epoch = int(first.astimezone(UTC).timestamp())
    daily = np.exp(rng.uniform(np.log(low), np.log(high), size=(n, 1)))
    w = weights(rng, n, timezone, first_epoch, length)
    hour_ids = _calendar(timezone, first_epoch, length, STEP).hour_ids
    local_day = (hour_ids - hour_ids[0]) // 24
    day_noise = rng.gamma(1 / DAY_CV**2, DAY_CV**2, size=(n, int(local_day.max()) + 1))[:, local_day]
    trend = 1 + rng.uniform(-0.1, 0.1, size=(n, 1)) * np.linspace(0, 1, length)[None, :]
    rate = daily / PER_DAY * w * day_noise * trend

    # One past episode in a third of the streams, in the history (before the last week).
    past = np.flatnonzero(rng.random(n) < 1 / 3)
    history_end = max(length - 7 * PER_DAY, PER_DAY)
    for row in past:
        start = int(rng.integers(0, history_end - 36))
        rate[row, start : start + int(rng.integers(12, 37))] *= 3.0

    expected = rate.copy()
    episode_start = np.full(n, -1, dtype=np.int64)
    episode_end = np.full(n, -1, dtype=np.int64)
    if episode_day is not None and rise != 1.0:
        day_slice = slice(episode_day * PER_DAY, (episode_day + 1) * PER_DAY - 48)
        for i in range(n):
            activity = w[i, day_slice]
            begin = episode_day * PER_DAY + int(rng.choice(len(activity), p=activity / activity.sum()))
            if shape == "step":
                multiplier = np.full(36, rise)
            elif shape == "ramp":
                climb = max(1, ramp_minutes * 60 // STEP)
                multiplier = np.r_[np.linspace(1.0, rise, climb + 1)[1:], np.full(36, rise)]
            elif shape == "burst":
                multiplier = np.full(6, rise)
            else:
                raise ValueError(f"unknown episode shape {shape!r}")
            end = min(begin + len(multiplier), length)
            rate[i, begin:end] *= multiplier[: end - begin]
            episode_start[i], episode_end[i] = begin, end

    # Mentions arrive in clusters (a thread, a few retweets): events are Poisson, each brings
    # 1 + a geometric number of extra mentions (mean cluster size 1.3).
    events = rng.poisson(rate / CLUSTER)
    extra = np.zeros_like(events)
    busy = events > 0
    extra[busy] = rng.negative_binomial(events[busy], 1 / CLUSTER)
    values = (events + extra).astype(np.float64)
    return Streams(
        values=values,
        first=first_epoch,
        episode_start=episode_start,
        episode_end=episode_end,
        expected=expected,
        day_factor=day_noise,
    )
