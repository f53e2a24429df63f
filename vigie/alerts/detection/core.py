"""The series detector: seasonal baseline, overdispersion, tail probabilities, episode start."""

from __future__ import annotations

import math
import os
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray
from scipy import stats  # type: ignore[import-untyped]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

KINDS = ("count", "mean", "share", "sum")
SLOTS = 168  # local hours in a week
LN10 = math.log(10.0)
# Bounds the memory of the vectorised path: a chunk of 1,000 series x 28 days of 5-minute
# buckets is 64 MB of float64, whatever the number of series asked for.
CHUNK = 1000
WORKERS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class SeriesPoint:
    """One time bucket of one series."""

    start: datetime  # aware, UTC
    value: float
    # For "mean" and "share" series: how many observations (rated reviews) the value averages.
    # Given, a window must hold ``Thresholds.min_level_count`` of them, and its sampling error
    # widens the tail: one 1-star review in a quiet hour is a 100 % share, not a signal.
    weight: float | None = None


@dataclass(frozen=True)
class Detection:
    """The verdict on one series at one moment, with what was seen and what was expected."""

    series_key: str
    fired: bool
    observed: float
    expected: float
    since: datetime | None
    score: float
    explanation: str
    explanation_en: str


@dataclass(frozen=True)
class SeriesConfig:
    """What a series measures and how it is bucketed; ``sensitivity`` > 1 fires more easily."""

    key: str
    kind: str  # "count", "mean", "share" or "sum"
    bucket: timedelta = timedelta(minutes=5)
    sensitivity: float = 1.0
    timezone: str = "Europe/Paris"
    # What one unit is, for the explanation; derived from the key's last part when empty.
    label: str = ""
    label_en: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown series kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if self.bucket <= timedelta(0):
            raise ValueError("bucket must be a positive duration")
        if not (self.sensitivity > 0 and math.isfinite(self.sensitivity)):
            raise ValueError("sensitivity must be a positive number")
        ZoneInfo(self.timezone)  # raises on an unknown zone


@dataclass(frozen=True)
class Thresholds:
    """The detector's tuning. The defaults are the ones measured in ``bench/alerts.py``."""

    # -log10 of the tail probability (after the correction for looking at several windows)
    # needed to fire at sensitivity 1; the threshold is divided by the series' sensitivity.
    score: float = 3.75
    min_count: float = 3.0  # fewer than this many in a window never fires
    min_ratio: float = 1.5  # nor less than 1.5 times the expected value
    windows_minutes: tuple[int, ...] = (5, 15, 30, 60)
    short_window_penalty: float = 1.0  # subtracted from the score of windows under 10 minutes
    # Weight of the product model (level x hour-of-day x day-of-week) against the raw
    # hour-of-week means, as a fraction of the buckets each slot has. (2.0, and an empirical
    # Bayes weight per series, were measured: no better recall at equal false alarms.)
    shrink: float = 0.5
    # Smallest day-to-day dispersion (squared coefficient of variation of the rate) assumed,
    # whatever the history and today's level say: the hourly shape varies too.
    min_dispersion: float = 0.01
    # Weight of the shape-mismatch variance: where a slot's own mean and the shrunk rate differ
    # by more than the slot's noise explains, the product model misses that hour's shape
    # (weekend evenings, typically), and the squared relative gap widens the tail there.
    mismatch: float = 1.0
    # Hours before the widest window that tell how busy today is compared with the baseline.
    level_lookback: timedelta = timedelta(hours=6)
    # CUSUM dating the episode start: each bucket adds value - (k x expected + h x (1 + sqrt(expected))).
    cusum_k: float = 1.3
    cusum_h: float = 0.75
    cusum_lookback: timedelta = timedelta(hours=24)
    # Robust z-score needed by the "mean", "share" and "sum" series.
    z: float = 4.5
    min_mean_drop: float = 0.5  # stars
    min_share_rise: float = 0.15  # fraction
    # Observations a "mean" or "share" window needs when the series says how many it has.
    min_level_count: float = 3.0


DEFAULT_THRESHOLDS = Thresholds()

_LABELS: dict[str, tuple[str, str, bool]] = {
    # last part of the key: (French, English, French noun is feminine)
    "negative": ("mentions négatives", "negative mentions", True),
    "volume": ("mentions", "mentions", True),
    "mentions": ("mentions", "mentions", True),
    "one_star": ("avis 1★", "1★ reviews", False),
    "1star": ("avis 1★", "1★ reviews", False),
    "rating": ("note moyenne", "average rating", True),
    "share_one_star": ("part d'avis 1★", "share of 1★ reviews", True),
    "reach": ("audience", "reach", True),
}


# --------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """Where each bucket falls in the local week, for one time zone and one bucket grid."""

    slots: IntArray  # local hour-of-week (Monday 00h = 0)
    hour_ids: IntArray  # local hours since the epoch (consecutive buckets of one hour share it)
    neighbour: IntArray  # the slot before or after, whichever the bucket's middle is closer to
    blend: FloatArray  # weight of that neighbour (0 at the middle of the hour, 0.5 at its edge)

    def __getitem__(self, part: slice) -> Calendar:
        return Calendar(self.slots[part], self.hour_ids[part], self.neighbour[part], self.blend[part])

    def __len__(self) -> int:
        return len(self.slots)

    def expected(self, rate: FloatArray) -> FloatArray:
        """(n, buckets) expected values from (n, 168) slot rates, interpolated between hours.

        A flat rate per hour would be wrong by a factor of two in the morning rise; the error
        would pass for noise and blunt the detector.
        """
        return np.asarray(
            rate[:, self.slots] * (1.0 - self.blend) + rate[:, self.neighbour] * self.blend, dtype=np.float64
        )


@lru_cache(maxsize=64)
def _calendar(timezone: str, first: int, count: int, step: int) -> Calendar:
    """The local calendar of ``count`` buckets of ``step`` seconds from epoch second ``first``."""
    starts = first + step * np.arange(count, dtype=np.int64)
    zone = ZoneInfo(timezone)
    hours = starts // 3600
    unique_hours, inverse = np.unique(hours, return_inverse=True)
    # Offsets change on whole UTC hours in every zone we care about, so one lookup per hour.
    offsets = np.array(
        [
            int(datetime.fromtimestamp(int(h) * 3600, UTC).astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]
            for h in unique_hours
        ],
        dtype=np.int64,
    )
    local = starts + offsets[inverse]
    day = local // 86400
    slots = ((day + 3) % 7) * 24 + (local % 86400) // 3600  # 1970-01-01 was a Thursday
    # Where the bucket's middle sits in its hour: -0.5 .. 0.5 around the hour's middle.
    position = ((local % 3600) + step / 2) / 3600 - 0.5 if step < 3600 else np.zeros(count)
    neighbour = (slots + np.where(position < 0, -1, 1)) % SLOTS
    return Calendar(
        slots=slots.astype(np.int64),
        hour_ids=(local // 3600).astype(np.int64),
        neighbour=neighbour.astype(np.int64),
        blend=np.abs(position).astype(np.float64),
    )


def _windows(bucket_seconds: int, thresholds: Thresholds) -> list[int]:
    """Window sizes in buckets (at least one bucket each, no duplicates)."""
    return sorted({max(1, round(m * 60 / bucket_seconds)) for m in thresholds.windows_minutes})


# --------------------------------------------------------------------------------------------
# Seasonal baseline (count and sum series)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """Per series: expected value per bucket for each local hour-of-week, and dispersion per window."""

    rate: FloatArray  # (n, 168) expected value of one bucket in each slot
    scale: FloatArray  # (n, len(windows)) variance/mean ratio of the Poisson-like part
    dispersion: FloatArray  # (n, len(windows)) squared coefficient of variation of the day's level
    estimate_error: FloatArray  # (n, 168) squared relative error of the baseline itself
    windows: tuple[int, ...]  # window sizes, in buckets
    log_spread: FloatArray  # (n, len(windows)) robust spread of log1p residuals (sum series)


def fit_baseline(
    values: FloatArray,
    calendar: Calendar,
    bucket_seconds: int,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    spread: bool = False,
) -> Baseline:
    """Fit the seasonal baseline of ``values`` (n series x T buckets, all in the past).

    Hour-of-week means are noisy with four weeks of history (four values per slot), so they are
    shrunk towards level x hour-of-day x day-of-week, which pools 28 or 4 x 7 of them. Hours
    far above the first fit are then replaced by their expectation and the fit is redone, so a
    past episode does not inflate the baseline.
    """
    n, length = values.shape
    slots, hour_ids = calendar.slots, calendar.hour_ids
    boundaries = np.flatnonzero(np.r_[True, hour_ids[1:] != hour_ids[:-1]])
    hourly = np.add.reduceat(values, boundaries, axis=1)
    hour_slot = slots[boundaries]
    hour_buckets = np.diff(np.r_[boundaries, length]).astype(np.float64)
    onehot = np.zeros((len(boundaries), SLOTS))
    onehot[np.arange(len(boundaries)), hour_slot] = 1.0
    slot_n = hour_buckets @ onehot  # buckets seen per slot
    seen = slot_n > 0
    shrink = thresholds.shrink * float(slot_n[seen].mean()) if seen.any() else 1.0
    level_floor = bucket_seconds / (7 * 86400)  # about one per week

    rate = np.zeros((n, SLOTS))
    for round_ in range(2):
        slot_sum = hourly @ onehot
        level = hourly.sum(axis=1) / max(float(hour_buckets.sum()), 1.0)
        safe_level = np.maximum(level, 1e-12)[:, None]
        n7 = slot_n.reshape(7, 24)
        s7 = slot_sum.reshape(n, 7, 24)
        hod_n, dow_n = n7.sum(axis=0), n7.sum(axis=1)
        hod = np.where(hod_n > 0, s7.sum(axis=1) / np.maximum(hod_n, 1.0), level[:, None])
        dow = np.where(dow_n > 0, s7.sum(axis=2) / np.maximum(dow_n, 1.0), level[:, None])
        product = (hod[:, None, :] * dow[:, :, None] / safe_level[:, :, None]).reshape(n, SLOTS)
        rate = (slot_sum + shrink * product) / (slot_n + shrink)
        rate = np.maximum(rate, np.maximum(0.002 * level, level_floor)[:, None])
        slot_mean = slot_sum / np.maximum(slot_n, 1.0)
        if round_ == 0:
            expected = rate[:, hour_slot] * hour_buckets
            limit = expected + 4.0 * np.sqrt(expected + 0.1 * expected**2) + 2.0
            hourly = np.where(hourly > limit, expected, hourly)

    windows = tuple(_windows(bucket_seconds, thresholds))
    # The baseline of a slot is estimated from about (slot_n + shrink) x rate events; its own
    # relative error adds to the window's dispersion (large for quiet series).
    # Per slot, not per series: a night slot of a large series rests on a few dozen events,
    # its midday slot on thousands.
    estimate_error = np.minimum(1.0 / np.maximum((slot_n + shrink) * rate, 1.0), 0.25)

    recent = min(length, max(7 * 86400 // bucket_seconds, max(windows) * 8))
    # Contiguous copies, so that the window sums below are reshapes of views.
    x = np.ascontiguousarray(values[:, length - recent :])
    m = calendar[length - recent :].expected(rate)
    scale = np.ones((n, len(windows)))
    dispersion = np.empty((n, len(windows)))
    log_spread = np.ones((n, len(windows)))
    # Variance = scale x mean + dispersion x mean^2. Clustered mentions (a reply thread, a wave
    # of retweets) inflate the first term, the day's mood the second. Both come from moments
    # of the non-overlapping windows of the last week: first a least-squares fit of (o - e)^2 on
    # e and e^2, pooling all window sizes so that e spans a wide range; that fit is dominated
    # by large expectations, where the quadratic term hides the linear one, yet the linear one
    # is what matters at night. So the scale is then re-estimated on single buckets (sum of
    # (o - e)^2 - c2 e^2 over sum of e), where the quadratic term is small, and the dispersion
    # refitted given that scale. Only sums are kept, hence one pass over the data.
    moments = np.zeros((len(windows), 8, n))  # sum of e, e2, e3, e4, y, y e, y e2; usable flag
    spread_data: list[tuple[FloatArray, FloatArray] | None] = []
    for j, w in enumerate(windows):
        k = recent // w
        if k < 4:
            spread_data.append(None)
            continue
        if w == 1:
            o, e = x, np.maximum(m, 1e-9)
        else:
            o = x[:, recent - k * w :].reshape(n, k, w).sum(axis=2)
            e = np.maximum(m[:, recent - k * w :].reshape(n, k, w).sum(axis=2), 1e-9)
        e2 = e * e
        # Winsorised, so that an episode in the last week does not pass for noise. In place
        # and with einsum for the weighted sums: this loop is most of the fit's time, and
        # temporaries of (series x a week of buckets) cost more than the arithmetic.
        cap = 0.2 * e2
        cap += 2.0 * e
        np.sqrt(cap, out=cap)
        cap *= 6.0
        cap += 3.0
        y = o - e
        np.minimum(y, cap, out=y)
        y *= y
        moments[j] = (
            e.sum(axis=1),
            e2.sum(axis=1),
            np.einsum("ij,ij->i", e2, e),
            np.einsum("ij,ij->i", e2, e2),
            y.sum(axis=1),
            np.einsum("ij,ij->i", y, e),
            np.einsum("ij,ij->i", y, e2),
            np.ones(n),
        )
        spread_data.append((o, e) if spread else None)
    _, s2, s3, s4, _, b1, b2, _ = moments.sum(axis=0)
    det = s2 * s4 - s3**2
    ok = det > 1e-6 * s2 * s4
    safe = np.where(ok, det, 1.0)
    phi = np.where(ok, (b1 * s4 - b2 * s3) / safe, b1 / np.maximum(s2, 1e-12))
    c2 = np.clip(np.where(ok, (s2 * b2 - s3 * b1) / safe, 0.0), 0.0, 0.5)
    single = moments[0]
    if single[7].any():
        phi = (single[4] - c2 * single[1]) / np.maximum(single[0], 1e-12)
    phi = np.clip(phi, 1.0, 5.0)
    c2 = np.where(s4 > 0, (b2 - phi * s3) / np.maximum(s4, 1e-300), c2)
    c2 = np.clip(c2, thresholds.min_dispersion, 0.5)
    for j, pair in enumerate(spread_data):
        dispersion[:, j] = c2
        scale[:, j] = phi if moments[j, 7].any() else 2.0
        if pair is not None:
            o, e = pair
            resid = np.log1p(o) - np.log1p(e)
            mad = np.median(np.abs(resid - np.median(resid, axis=1, keepdims=True)), axis=1)
            log_spread[:, j] = np.maximum(1.4826 * mad, 0.1)
    if thresholds.mismatch:
        # The gap the shrinkage made, less what the slot mean's own noise (clusters over its
        # events, the day's mood over its weeks) would give if the product model were right.
        pull = shrink / (slot_n + shrink)
        d2 = ((rate - slot_mean) / rate) ** 2
        weeks = np.maximum(slot_n / max(3600 // bucket_seconds, 1), 1.0)
        noise = phi[:, None] / np.maximum(slot_n * rate, 1e-9) + c2[:, None] / weeks
        excess = np.where(seen, np.maximum(d2 - pull**2 * noise, 0.0), 0.0)
        estimate_error = estimate_error + thresholds.mismatch * excess
    return Baseline(
        rate=rate,
        scale=scale,
        dispersion=dispersion,
        estimate_error=estimate_error,
        windows=windows,
        log_spread=log_spread,
    )


def _previous_day_share(calendar: Calendar, before: int, gap: int, positions: int) -> FloatArray:
    """For each of the last ``positions`` buckets, the share of the ``before`` buckets ending
    ``gap`` buckets earlier that fall on an earlier local day."""
    columns = len(calendar)
    day = calendar.hour_ids // 24
    index = np.arange(columns)
    first_of_day = np.maximum.accumulate(np.where(np.r_[True, day[1:] != day[:-1]], index, 0))
    evaluated = index[columns - positions :]
    ends = evaluated - gap + 1  # exclusive
    starts = ends - before
    earlier = np.clip(first_of_day[evaluated] - starts, 0, before)
    # Before the first column, the day is unknown: count those buckets as earlier too.
    earlier = np.where(first_of_day[evaluated] == 0, np.clip(-starts, 0, before), earlier)
    return np.asarray(earlier / max(before, 1), dtype=np.float64)


def _rolling(values: FloatArray, w: int, positions: int) -> FloatArray:
    """Sums of ``w`` consecutive buckets ending at each of the last ``positions`` buckets."""
    n, length = values.shape
    # Only the columns the windows need: a cumulative sum over four weeks would dominate.
    tail = values[:, max(length - positions - w, 0) :]
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(tail, axis=1)], axis=1)
    size = tail.shape[1]
    ends = np.arange(size - positions + 1, size + 1)
    starts = np.maximum(ends - w, 0)
    return np.asarray(csum[:, ends] - csum[:, starts], dtype=np.float64)


@dataclass(frozen=True)
class WindowScores:
    """Scores at each evaluated position: best window's score, index, observed and expected."""

    score: FloatArray  # (n, positions)
    window: IntArray  # (n, positions) index into Baseline.windows
    observed: FloatArray
    expected: FloatArray


def _expected_tail(baseline: Baseline, calendar: Calendar, columns: int) -> FloatArray:
    """Expected value of each of the last ``columns`` buckets, per series."""
    return calendar[len(calendar) - columns :].expected(baseline.rate)


def _best(
    per_window: list[FloatArray], observed: list[FloatArray], expected: list[FloatArray]
) -> WindowScores:
    stacked = np.stack(per_window)
    # Ties (typically: nothing unusual anywhere) go to the widest window, the most telling one.
    best = len(per_window) - 1 - np.argmax(stacked[::-1], axis=0)
    pick = best[None]
    return WindowScores(
        score=np.take_along_axis(stacked, pick, axis=0)[0],
        window=best.astype(np.int64),
        observed=np.take_along_axis(np.stack(observed), pick, axis=0)[0],
        expected=np.take_along_axis(np.stack(expected), pick, axis=0)[0],
    )


def score_counts(
    baseline: Baseline,
    values: FloatArray,
    calendar: Calendar,
    positions: int,
    bucket_seconds: int,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> WindowScores:
    """Negative-binomial surprise of the recent windows, at each of the last ``positions`` buckets.

    ``values`` must hold at least the largest window before the first evaluated position. The
    score is -log10 of the upper tail probability P(X >= observed) of the best window, minus
    log10(number of windows) (Bonferroni), and 0 when the window has fewer than ``min_count``
    events or less than ``min_ratio`` times the expectation.
    """
    widest = max(baseline.windows)
    before = int(thresholds.level_lookback.total_seconds()) // bucket_seconds
    columns = min(values.shape[1], positions + widest + before)
    tail = values[:, values.shape[1] - columns :]
    expected_buckets = _expected_tail(baseline, calendar, columns)
    # Today's level: the hours just before the widest window, against the baseline. A gamma
    # prior on the day's factor (variance = the fitted dispersion) and the counts of those
    # hours give its posterior mean and variance; a calm or busy day then moves the
    # expectation, and only what is left of the day-to-day variance widens the tail. The
    # widest window is left out, so the rise being judged does not raise its own expectation.
    phi = baseline.scale[:, :1]
    prior = 1.0 / baseline.dispersion[:, :1]
    seen = _rolling(tail[:, : columns - widest], before, positions) / phi
    due = _rolling(expected_buckets[:, : columns - widest], before, positions) / phi
    level = np.clip((prior + seen) / (prior + due), 1 / 3, 3.0)
    # Hours of the previous local day still say something (a slow trend shows in them), but
    # the day's own mood may have changed overnight: their share of the look-back brings back
    # that much of the day-to-day variance. (Dropping them instead tripled the night-time
    # false alarms of large series.)
    yesterday = _previous_day_share(calendar[len(calendar) - columns :], before, widest, positions)
    remaining = (
        np.maximum(1.0 / (prior + seen), thresholds.min_dispersion)
        + yesterday[None, :] * baseline.dispersion[:, :1]
        + calendar[len(calendar) - positions :].expected(baseline.estimate_error)
    )
    per_window, observed, expected = [], [], []
    for j, w in enumerate(baseline.windows):
        o = _rolling(tail, w, positions)
        e = _rolling(expected_buckets, w, positions) * level
        # A negative binomial of mean e and variance scale x e + dispersion x e^2: close to a
        # cluster process for small e (one thread of three replies at night is not rare), to a
        # gamma-mixed Poisson (the day's mood) for large e.
        extra = np.maximum(baseline.scale[:, j : j + 1] - 1.0 + remaining * e, 1e-6)
        size = e / extra
        with np.errstate(divide="ignore"):
            logsf = stats.nbinom.logsf(np.ceil(o) - 1.0, size, size / (size + e))
        s = np.minimum(-logsf / LN10, 300.0)
        if w * bucket_seconds < 600:
            # One bucket is where clusters (one angry author, one thread) and the baseline's
            # errors show most: it must be more surprising to fire on its own.
            s = s - thresholds.short_window_penalty
        ok = (o >= thresholds.min_count) & (o >= thresholds.min_ratio * e)
        per_window.append(np.where(ok, s, 0.0))
        observed.append(o)
        expected.append(e)
    best = _best(per_window, observed, expected)
    correction = math.log10(len(baseline.windows))
    return WindowScores(
        score=np.maximum(best.score - correction, 0.0),
        window=best.window,
        observed=best.observed,
        expected=best.expected,
    )


def score_sums(
    baseline: Baseline,
    values: FloatArray,
    calendar: Calendar,
    positions: int,
    bucket_seconds: int,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> WindowScores:
    """Robust z of log1p(observed) - log1p(expected) for continuous totals such as reach."""
    columns = min(values.shape[1], positions + max(baseline.windows))
    tail = values[:, values.shape[1] - columns :]
    expected_buckets = _expected_tail(baseline, calendar, columns)
    per_window, observed, expected = [], [], []
    for j, w in enumerate(baseline.windows):
        o = _rolling(tail, w, positions)
        e = _rolling(expected_buckets, w, positions)
        z = (np.log1p(o) - np.log1p(e)) / baseline.log_spread[:, j : j + 1]
        per_window.append(np.where(o >= thresholds.min_ratio * e, np.maximum(z, 0.0), 0.0))
        observed.append(o)
        expected.append(e)
    return _best(per_window, observed, expected)


def _cusum_start(values: FloatArray, expected: FloatArray, k: float, h: float) -> IntArray:
    """Index of the first bucket after the CUSUM last stood at zero (0 if it never did)."""
    n, length = values.shape
    s = np.zeros(n)
    start = np.zeros(n, dtype=np.int64)
    # The allowance grows with the noise (sqrt of the expectation), so that one stray mention
    # at night does not pull the start of the next episode back.
    allowance = k * expected + h * (1.0 + np.sqrt(expected))
    for t in range(length):
        s = np.maximum(s + values[:, t] - allowance[:, t], 0.0)
        start = np.where(s == 0.0, t + 1, start)
    return np.minimum(start, length - 1)


# --------------------------------------------------------------------------------------------
# Level series (mean rating, share of 1-star)
# --------------------------------------------------------------------------------------------


def _score_levels(
    values: FloatArray,
    windows: Sequence[int],
    kind: str,
    thresholds: Thresholds,
    weights: FloatArray | None = None,
) -> tuple[WindowScores, FloatArray]:
    """Robust z of the recent window's mean against the history's windows (NaN = empty bucket),
    and how many observations each chosen window holds (NaN when the series does not say).

    With ``weights`` (observations per bucket), window means are weighted, a window needs
    ``min_level_count`` observations, and the spread is at least the sampling error of the
    window's mean (the per-observation variance measured on the history, over the window's
    count): a few reviews cannot make a share or an average move "significantly" on their own.
    """
    n, length = values.shape
    direction = -1.0 if kind == "mean" else 1.0
    floor = 0.1 if kind == "mean" else 0.02
    min_change = thresholds.min_mean_drop if kind == "mean" else thresholds.min_share_rise
    present = ~np.isnan(values)
    weighted = weights is not None
    w = np.where(present, np.nan_to_num(weights) if weights is not None else 1.0, 0.0)
    vw = np.where(present, values, 0.0) * w
    per_observation = np.zeros(n)
    if weighted:
        # Var(bucket mean) = s^2 / weight, so weight x (mean - pooled)^2 estimates s^2 (more,
        # if the level itself moves from bucket to bucket: then the tail is only wider).
        total = w.sum(axis=1)
        pooled = vw.sum(axis=1) / np.maximum(total, 1e-12)
        squares = np.where(present, w * (np.nan_to_num(values) - pooled[:, None]) ** 2, 0.0)
        per_observation = squares.sum(axis=1) / np.maximum(present.sum(axis=1), 1)
    per_window, observed, expected, counts = [], [], [], []
    for win in windows:
        count = w[:, length - win :].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            obs = np.where(count > 0, vw[:, length - win :].sum(axis=1) / count, np.nan)
        k = (length - win) // win
        if k >= 2:
            past_w = w[:, length - win - k * win : length - win].reshape(n, k, win).sum(axis=2)
            past_vw = vw[:, length - win - k * win : length - win].reshape(n, k, win).sum(axis=2)
            with np.errstate(invalid="ignore", divide="ignore"):
                past_means = np.where(past_w > 0, past_vw / past_w, np.nan)
            with _quiet_nan():
                centre = np.nanmedian(past_means, axis=1)
                mad = np.nanmedian(np.abs(past_means - centre[:, None]), axis=1)
        else:
            centre = np.full(n, np.nan)
            mad = np.full(n, np.nan)
        scale = np.maximum(np.nan_to_num(1.4826 * mad, nan=floor), floor)
        change = direction * (obs - centre)
        ok = np.isfinite(change) & (change >= min_change)
        if weighted:
            with np.errstate(invalid="ignore", divide="ignore"):
                sampling = np.sqrt(per_observation / np.maximum(count, 1e-12))
            scale = np.maximum(scale, np.nan_to_num(sampling))
            ok &= count >= thresholds.min_level_count
        z = np.where(ok, change / scale, 0.0)
        per_window.append(z)
        observed.append(np.nan_to_num(obs))
        expected.append(np.nan_to_num(centre))
        counts.append(count if weighted else np.full(n, np.nan))
    best = _best(per_window, observed, expected)
    chosen_counts = np.take_along_axis(np.stack(counts), best.window[None], axis=0)[0]
    scores = WindowScores(
        score=best.score[:, None],
        window=best.window[:, None],
        observed=best.observed[:, None],
        expected=best.expected[:, None],
    )
    return scores, chosen_counts


@contextmanager
def _quiet_nan() -> Iterator[None]:
    """Silence numpy's "mean of empty slice" warnings: an all-empty window is a normal case."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        yield


# --------------------------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------------------------


_SINGULAR = {
    "mentions négatives": "mention négative",
    "negative mentions": "negative mention",
    "mentions": "mention",
    "1★ reviews": "1★ review",
}


def _labels(config: SeriesConfig) -> tuple[str, str, bool]:
    if config.label:
        return config.label, config.label_en or config.label, True
    suffix = config.key.rsplit(":", 1)[-1]
    return _LABELS.get(suffix, ("mentions", "mentions", True))


def _number_fr(value: float, decimals: int = 1) -> str:
    if abs(value) >= 10 or decimals == 0:
        return f"{round(value):d}"
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _number_en(value: float, decimals: int = 1) -> str:
    if abs(value) >= 10 or decimals == 0:
        return f"{round(value):d}"
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def _duration(seconds: int, language: str) -> str:
    minutes = seconds // 60
    if minutes < 60 or minutes % 60:
        return f"{minutes} min"
    return f"{minutes // 60} h"


def _since_text(since: datetime, now: datetime, zone: ZoneInfo, language: str) -> str:
    local, local_now = since.astimezone(zone), now.astimezone(zone)
    if local.date() == local_now.date():
        return f"depuis {local:%H:%M}" if language == "fr" else f"since {local:%H:%M}"
    if language == "fr":
        return f"depuis le {local:%d/%m} à {local:%H:%M}"
    return f"since {local:%d %b} {local:%H:%M}"


# Ratios above this are shown as "x20+": the precise multiple of a tiny baseline is noise.
MAX_SHOWN_RATIO = 20


def _explain(
    config: SeriesConfig,
    fired: bool,
    observed: float,
    expected: float,
    window_seconds: int,
    since: datetime | None,
    now: datetime,
    count: float = math.nan,
) -> tuple[str, str]:
    label_fr, label_en, feminine = _labels(config)
    zone = ZoneInfo(config.timezone)
    win_fr, win_en = _duration(window_seconds, "fr"), _duration(window_seconds, "en")
    if config.kind in ("mean", "share"):
        if config.kind == "mean":
            obs_fr, exp_fr = _number_fr(observed, 2), _number_fr(expected, 2)
            obs_en, exp_en = _number_en(observed, 2), _number_en(expected, 2)
        else:
            obs_fr, exp_fr = f"{round(observed * 100)} %", f"{round(expected * 100)} %"
            obs_en, exp_en = f"{round(observed * 100)}%", f"{round(expected * 100)}%"
        if math.isfinite(count) and count > 0:
            # How many reviews the figure rests on: 100 % of 2 is not 100 % of 40.
            number = round(count)
            obs_fr += f" ({number} avis)"
            obs_en += f" ({number} review{'s' if number != 1 else ''})"
        fr = f"{label_fr} : {obs_fr} sur {win_fr}, {exp_fr} d'habitude"
        en = f"{label_en}: {obs_en} over {win_en}, usually {exp_en}"
    else:
        participle = "attendues" if feminine else "attendus"
        ratio = observed / expected if expected > 0 else float("inf")
        # Below one expected item a ratio such as "x898" says nothing a reader can use.
        if not fired or not math.isfinite(ratio) or expected < 1:
            ratio_fr = ratio_en = ""
        elif ratio >= MAX_SHOWN_RATIO:
            ratio_fr = ratio_en = f" (x{MAX_SHOWN_RATIO}+)"
        else:
            ratio_fr, ratio_en = f" (x{_number_fr(ratio)})", f" (x{_number_en(ratio)})"
        if 0 < expected < 0.1:
            expected_fr, expected_en = "moins de 0,1", "under 0.1"
        else:
            expected_fr, expected_en = _number_fr(expected), _number_en(expected)
        # French puts 0 and 1 in the singular, English only 1.
        unit_fr = _SINGULAR.get(label_fr, label_fr) if round(observed) <= 1 else label_fr
        unit_en = _SINGULAR.get(label_en, label_en) if round(observed) == 1 else label_en
        fr = f"{_number_fr(observed, 0)} {unit_fr} en {win_fr}, {expected_fr} {participle}{ratio_fr}"
        en = f"{_number_en(observed, 0)} {unit_en} in {win_en}, {expected_en} expected{ratio_en}"
    if fired and since is not None:
        fr += " " + _since_text(since, now, zone, "fr")
        en += " " + _since_text(since, now, zone, "en")
    elif not fired:
        fr += " : dans la normale"
        en += ": within the normal range"
    return fr, en


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def _epoch_seconds(bucket_starts: Sequence[datetime] | np.ndarray) -> IntArray:
    if isinstance(bucket_starts, np.ndarray) and bucket_starts.dtype.kind == "M":
        return np.asarray(bucket_starts.astype("datetime64[s]").astype(np.int64))
    if isinstance(bucket_starts, np.ndarray) and bucket_starts.dtype.kind in "iu":
        return np.asarray(bucket_starts, dtype=np.int64)
    out = []
    for start in bucket_starts:
        if not isinstance(start, datetime) or start.tzinfo is None:
            raise ValueError("bucket starts must be timezone-aware datetimes")
        out.append(int(start.timestamp()))
    return np.asarray(out, dtype=np.int64)


def detect_matrix(
    values: np.ndarray,
    bucket_starts: Sequence[datetime] | np.ndarray,
    configs: Sequence[SeriesConfig],
    now: datetime | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    weights: np.ndarray | None = None,
) -> list[Detection]:
    """Evaluate many series sharing the same buckets at once (the fast path of the alert job).

    ``values`` is (n_series, n_buckets), one row per config, oldest bucket first, zero buckets
    present (NaN for an empty bucket of a "mean" or "share" series). ``bucket_starts`` are the
    aware start times (or epoch seconds) of the columns, evenly spaced by every config's
    ``bucket``. ``now`` defaults to the end of the last bucket; it is only used for the text.
    ``weights``, the same shape, gives the observations behind each value of the "mean" and
    "share" series (NaN on a row: not known for that series); counts and sums ignore it.
    """
    matrix = np.asarray(values, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != len(configs):
        raise ValueError("values must be a (len(configs), n_buckets) matrix")
    weight_matrix = None if weights is None else np.asarray(weights, dtype=np.float64)
    if weight_matrix is not None and weight_matrix.shape != matrix.shape:
        raise ValueError("weights must have the shape of values")
    starts = _epoch_seconds(bucket_starts)
    length = matrix.shape[1]
    if len(starts) != length or length == 0:
        raise ValueError("one bucket start per column is required")
    step = int(configs[0].bucket.total_seconds()) if configs else 300
    if length > 1 and np.any(np.diff(starts) != step):
        raise ValueError("bucket starts must be evenly spaced by the series' bucket")
    if any(int(c.bucket.total_seconds()) != step for c in configs):
        raise ValueError("all series of one matrix must share the same bucket")
    now = now or datetime.fromtimestamp(int(starts[-1]) + step, UTC)

    results: list[Detection | None] = [None] * len(configs)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, config in enumerate(configs):
        groups[(config.kind, config.timezone)].append(i)
    jobs = []
    for (kind, timezone), indices in groups.items():
        calendar = _calendar(timezone, int(starts[0]), length, step)
        for begin in range(0, len(indices), CHUNK):
            chunk = indices[begin : begin + CHUNK]
            contiguous = chunk[-1] - chunk[0] == len(chunk) - 1
            # A slice is a view (nothing here writes to it); a list index copies the rows.
            rows = matrix[chunk[0] : chunk[-1] + 1] if contiguous else matrix[chunk]
            row_weights = None
            if weight_matrix is not None and kind in ("mean", "share"):
                row_weights = weight_matrix[chunk]
            jobs.append((chunk, rows, calendar, kind, row_weights))

    def run(job: tuple[list[int], FloatArray, Calendar, str, FloatArray | None]) -> None:
        chunk, rows, calendar, kind, row_weights = job
        detections = _detect_chunk(
            rows, starts, calendar, [configs[i] for i in chunk], kind, now, thresholds, row_weights
        )
        for i, detection in zip(chunk, detections, strict=True):
            results[i] = detection

    if len(jobs) > 1 and WORKERS > 1:
        # numpy releases the GIL in its loops, so chunks on two threads use two cores.
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            list(pool.map(run, jobs))
    else:
        for job in jobs:
            run(job)
    return [d for d in results if d is not None]


def _detect_chunk(
    values: FloatArray,
    starts: IntArray,
    calendar: Calendar,
    configs: list[SeriesConfig],
    kind: str,
    now: datetime,
    thresholds: Thresholds,
    weights: FloatArray | None = None,
) -> list[Detection]:
    n, length = values.shape
    step = int(configs[0].bucket.total_seconds())
    windows = _windows(step, thresholds)
    sensitivity = np.array([c.sensitivity for c in configs])
    limit = thresholds.z if kind != "count" else thresholds.score
    need = max(windows) + 2
    if length < need:
        return [
            Detection(
                c.key,
                False,
                0.0,
                0.0,
                None,
                0.0,
                "historique trop court pour juger",
                "history too short to judge",
            )
            for c in configs
        ]
    expected_buckets: FloatArray | None = None
    counts = np.full(n, np.nan)
    if kind in ("count", "sum"):
        clean = np.nan_to_num(values) if np.isnan(values).any() else values
        fit_end = length - max(windows)
        baseline = fit_baseline(
            clean[:, :fit_end], calendar[:fit_end], step, thresholds, spread=kind == "sum"
        )
        scorer = score_counts if kind == "count" else score_sums
        scores = scorer(baseline, clean, calendar, 1, step, thresholds)
        lookback = min(length, max(int(thresholds.cusum_lookback.total_seconds()) // step, max(windows)))
        expected_buckets = _expected_tail(baseline, calendar, lookback)
        chosen = [baseline.windows[int(j)] for j in scores.window[:, 0]]
    else:
        clean = values
        scores, counts = _score_levels(values, windows, kind, thresholds, _known_weights(values, weights))
        chosen = [windows[int(j)] for j in scores.window[:, 0]]
    fired = scores.score[:, 0] >= limit / sensitivity

    since_index = np.full(n, -1, dtype=np.int64)
    if fired.any() and expected_buckets is not None:
        lookback = expected_buckets.shape[1]
        rows = np.flatnonzero(fired)
        start = _cusum_start(
            clean[rows, length - lookback :],
            expected_buckets[rows],
            thresholds.cusum_k,
            thresholds.cusum_h,
        )
        # Where the CUSUM has no run (the window fired on a level it tolerates), the start of
        # the window that fired stands in.
        window_start = np.array([length - chosen[r] for r in rows])
        since_index[rows] = np.where(start < lookback - 1, length - lookback + start, window_start)
    elif fired.any():
        for row in np.flatnonzero(fired):
            since_index[row] = length - chosen[int(row)]

    out = []
    for r, config in enumerate(configs):
        since = (
            datetime.fromtimestamp(int(starts[since_index[r]]), UTC)
            if fired[r] and since_index[r] >= 0
            else None
        )
        observed = float(scores.observed[r, 0])
        expected = float(scores.expected[r, 0])
        fr, en = _explain(
            config, bool(fired[r]), observed, expected, chosen[r] * step, since, now, float(counts[r])
        )
        out.append(
            Detection(
                series_key=config.key,
                fired=bool(fired[r]),
                observed=observed,
                expected=expected,
                since=since,
                score=round(float(scores.score[r, 0]), 3),
                explanation=fr,
                explanation_en=en,
            )
        )
    return out


def _known_weights(values: FloatArray, weights: FloatArray | None) -> FloatArray | None:
    """The weights of a chunk of level series, or None when no row of it has any: then every
    row is judged unweighted. (Rows without weights among weighted ones count one per bucket.)"""
    if weights is None or np.isnan(weights).all():
        return None
    return np.asarray(np.where(np.isnan(weights), np.where(np.isnan(values), 0.0, 1.0), weights))


def _grid(
    config: SeriesConfig, history: Sequence[SeriesPoint], now: datetime
) -> tuple[IntArray, FloatArray, FloatArray]:
    """The history as evenly spaced buckets up to the one holding ``now``, and the weight of each.

    Points falling in the same bucket add up ("count", "sum") or are averaged ("mean",
    "share", weighted by their ``weight`` when given). A missing bucket is 0 for "count" and
    "sum" series and NaN (empty) for "mean" and "share" ones; a point whose value is NaN counts
    as missing. The weights are the observations per bucket of a level series whose points say
    how many they average, else NaN.
    """
    step = int(config.bucket.total_seconds())
    level = config.kind in ("mean", "share")
    cutoff = now.timestamp()
    epochs_list: list[int] = []
    values_list: list[float] = []
    weights_list: list[float] = []
    for point in history:
        start = point.start
        if start.tzinfo is None:
            raise ValueError("series points need timezone-aware starts")
        stamp = start.timestamp()
        # A bucket starting at ``now`` has not begun: the last one is the one that holds the
        # second before ``now``.
        if stamp < cutoff:
            epochs_list.append(int(stamp))
            values_list.append(float(point.value))
            weights_list.append(math.nan if point.weight is None else float(point.weight))
    if not epochs_list:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    epochs = np.array(epochs_list, dtype=np.int64)
    point_values = np.array(values_list, dtype=np.float64)
    point_weights = np.array(weights_list, dtype=np.float64)
    first = int(epochs.min())
    last = first + ((int(cutoff) - 1 - first) // step) * step
    count = (last - first) // step + 1
    index = (epochs - first) // step
    present = ~np.isnan(point_values)
    weighted = level and not np.isnan(point_weights).all()
    if weighted:
        # A point that does not say how many it averages counts as one observation.
        present &= np.nan_to_num(point_weights, nan=1.0) > 0
        w = np.nan_to_num(point_weights, nan=1.0)[present]
        totals = np.bincount(index[present], weights=w, minlength=count)[:count]
        sums = np.bincount(index[present], weights=point_values[present] * w, minlength=count)[:count]
        values = np.where(totals > 0, sums / np.maximum(totals, 1e-12), np.nan)
        weights = totals
    else:
        values = np.bincount(index[present], weights=point_values[present], minlength=count)[:count]
        if level:
            seen = np.bincount(index[present], minlength=count)[:count]
            values = np.where(seen > 0, values / np.maximum(seen, 1), np.nan)
        weights = np.full(count, np.nan)
    starts = first + step * np.arange(count, dtype=np.int64)
    return starts, np.asarray(values, dtype=np.float64), np.asarray(weights, dtype=np.float64)


def detect(
    config: SeriesConfig,
    history: Sequence[SeriesPoint],
    now: datetime,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Detection:
    """Is the recent part of this series abnormal? ``history`` is its buckets up to ``now``.

    Give about 28 days so both the daily and the weekly rhythm are learnt; the last bucket may
    be still filling (it then only makes firing less likely).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    starts, values, weights = _grid(config, history, now)
    if len(starts) == 0:
        return Detection(config.key, False, 0.0, 0.0, None, 0.0, "aucune donnée", "no data")
    return detect_matrix(
        values[None, :], starts, [config], now=now, thresholds=thresholds, weights=weights[None, :]
    )[0]


def detect_many(
    items: Iterable[tuple[SeriesConfig, Sequence[SeriesPoint]]],
    now: datetime,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[Detection]:
    """``detect`` over many series, in the order given, batching those that share their buckets."""
    prepared = [(config, *_grid(config, history, now)) for config, history in items]
    results: list[Detection | None] = [None] * len(prepared)
    groups: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for i, (config, starts, _values, _weights) in enumerate(prepared):
        if len(starts) == 0:
            results[i] = Detection(config.key, False, 0.0, 0.0, None, 0.0, "aucune donnée", "no data")
            continue
        groups[(int(config.bucket.total_seconds()), int(starts[0]), len(starts))].append(i)
    for indices in groups.values():
        matrix = np.stack([prepared[i][2] for i in indices])
        weights = np.stack([prepared[i][3] for i in indices])
        detections = detect_matrix(
            matrix,
            prepared[indices[0]][1],
            [prepared[i][0] for i in indices],
            now=now,
            thresholds=thresholds,
            weights=weights,
        )
        for i, detection in zip(indices, detections, strict=True):
            results[i] = detection
    return [d for d in results if d is not None]
