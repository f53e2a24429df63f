"""How surprising the recent windows are: negative-binomial tail probabilities for counts (today's
level taken into account), a robust z of log values for sums, and a robust z of window means for
level series (mean rating, share of 1-star).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from vigie.alerts.detection.baseline import Baseline, _expected_tail
from vigie.alerts.detection.calendar import Calendar
from vigie.alerts.detection.series import FloatArray, IntArray
from vigie.alerts.detection.thresholds import DEFAULT_THRESHOLDS, Thresholds

LN10 = math.log(10.0)


def _level_lookback(
    values: FloatArray,
    expected: FloatArray,
    calendar: Calendar,
    before: int,
    widest: int,
    positions: int,
    evidence: float,
    hour: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The counts seen and expected over the look-back of today's level, the share of it on an
    earlier local day, and its length in buckets, per series and for each of the last
    ``positions`` buckets.

    The look-back ends where the widest window begins and covers ``before`` buckets; where
    they hold fewer than ``evidence`` counts, it reaches further back, an hour at a time but
    not past the start of the local day (nor the first column), so that a moderately busy
    series measures today's level on more of today without mixing in yesterday's mood.
    """
    n, columns = values.shape
    index = np.arange(columns)
    day = calendar.hour_ids // 24
    first_of_day = np.maximum.accumulate(np.where(np.r_[True, day[1:] != day[:-1]], index, 0))
    evaluated = index[columns - positions :]
    end = np.maximum(evaluated - widest + 1, 0)  # exclusive
    counted = np.concatenate([np.zeros((n, 1)), np.cumsum(values, axis=1)], axis=1)
    due_sum = np.concatenate([np.zeros((n, 1)), np.cumsum(expected, axis=1)], axis=1)
    # Unclipped: where the look-back starts before the first column, those buckets count as
    # on an earlier day (below).
    begin = np.broadcast_to(end - before, (n, positions)).copy()
    if evidence > 0:
        today = first_of_day[evaluated]
        enough = counted[:, end] - np.take_along_axis(counted, np.maximum(begin, 0), axis=1) >= evidence
        further = end - before - hour
        while not enough.all() and (further >= today).any():
            extend = ~enough & (further >= today)[None, :]
            begin = np.where(extend, further[None, :], begin)
            enough |= extend & (counted[:, end] - np.take_along_axis(counted, begin, axis=1) >= evidence)
            further = further - hour
    rows = np.arange(n)[:, None]
    start = np.maximum(begin, 0)
    seen = counted[:, end] - counted[rows, start]
    due = due_sum[:, end] - due_sum[rows, start]
    length = np.maximum(end[None, :] - begin, 1)
    # Before the first column, the day is unknown: those buckets (negative begins) count as
    # earlier too.
    earlier = np.clip(first_of_day[evaluated][None, :] - begin, 0, length)
    return seen, due, np.asarray(earlier / length, dtype=np.float64), np.asarray(length, dtype=np.float64)


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
    longest = max(int(thresholds.level_lookback_max.total_seconds()) // bucket_seconds, before)
    columns = min(values.shape[1], positions + widest + longest)
    tail = values[:, values.shape[1] - columns :]
    expected_buckets = _expected_tail(baseline, calendar, columns)
    # Today's level: the hours just before the widest window, against the baseline. A gamma
    # prior on the day's factor (variance = the fitted dispersion) and the counts of those
    # hours give its posterior mean and variance; a calm or busy day then moves the
    # expectation, and only what is left of the day-to-day variance widens the tail. The
    # widest window is left out, so the rise being judged does not raise its own expectation.
    phi = baseline.scale[:, :1]
    prior = 1.0 / baseline.dispersion[:, :1]
    seen, due, yesterday, lookback_length = _level_lookback(
        tail,
        expected_buckets,
        calendar[len(calendar) - columns :],
        before,
        widest,
        positions,
        thresholds.level_evidence,
        max(3600 // bucket_seconds, 1),
    )
    # The look-back's usual rate per bucket, to compare each window's with (the floor, below).
    lookback_rate = np.maximum(due / lookback_length, 1e-12)
    seen, due = seen / phi, due / phi
    level = np.clip((prior + seen) / (prior + due), 1 / 3, 3.0)
    # Hours of the previous local day still say something (a slow trend shows in them), but
    # the day's own mood may have changed overnight: their share of the look-back brings back
    # that much of the day-to-day variance. (Dropping them instead tripled the night-time
    # false alarms of large series.)
    level_variance = 1.0 / (prior + seen)
    rest = yesterday * baseline.dispersion[:, :1] + calendar[len(calendar) - positions :].expected(
        baseline.estimate_error
    )
    per_window, observed, expected = [], [], []
    for j, w in enumerate(baseline.windows):
        o = _rolling(tail, w, positions)
        usual = _rolling(expected_buckets, w, positions)
        # The floor stands for the baseline's shape error between the hours today's level was
        # measured on and the window judged. Where the window's usual rate is close to the
        # look-back's (a busy afternoon judged on the busy hours before it), that error is
        # small and only part of the floor is kept; where they differ (a night judged on the
        # evening before it, the morning rise on the night), the whole floor stays: that is
        # where the false alarms of large series fall (issue 20, third round).
        alike = np.abs(np.log(np.maximum(usual / w, 1e-12) / lookback_rate)) <= thresholds.alike_log_ratio
        floor = np.where(alike, thresholds.alike_floor_share * baseline.floor, baseline.floor)
        remaining = np.maximum(level_variance, floor) + rest
        e = usual * level
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
