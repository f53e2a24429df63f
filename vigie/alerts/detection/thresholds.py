"""The detector's tuning (``Thresholds``) and the window sizes it implies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


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
    # hour-of-week means, as a fraction of the buckets each slot has: 1 gives each half. (With
    # one hour-of-day profile for all seven days, 2.0 raised the false alarms on weekends,
    # whose shape that model missed, and 0.5 was kept. With the day types, 2.0 found a few
    # points more on seed 3 but blunted a real doubling on a Sunday evening four times livelier
    # than the model says: test_an_hour_whose_shape_the_product_model_misses...; issue 20.)
    shrink: float = 1.0
    # The same weight on weekdays (Monday-Friday): their hour-of-day profile pools five days of
    # each hour, and four times the slot's data there cut the baseline's shape error on
    # weekday daytime hours by a quarter (busy streams, seed 3: relative variance 0.0011 ->
    # 0.0008 over 60-minute windows, 9-21 h), with no more false alarms (third round of issue
    # 20). The weekend keeps ``shrink``: the Sunday-evening test above.
    weekday_shrink: float = 4.0
    # One hour-of-day profile for weekdays and one for the weekend in that product model:
    # halves the baseline's shape error on weekday daytime hours (seed 3, busy streams).
    day_types: bool = True
    # Smallest day-to-day dispersion (squared coefficient of variation of the rate) assumed,
    # whatever the history and today's level say: the hourly shape varies too.
    min_dispersion: float = 0.01
    # ... for four weeks of history. The floor covers the baseline's own shape error, which
    # falls with the weeks behind it: it scales as history_weeks / weeks, down to
    # ``least_dispersion_share`` of itself (eight weeks: 0.006). Calibrated on seeds 3 and 5 of
    # ``python -m bench.alerts`` (half the floor at eight weeks: the largest series' false alarms
    # reached 1.0-1.2 per series-month, seed 5; 0.75 before the day types, issue 20).
    history_weeks: float = 4.0
    least_dispersion_share: float = 0.6
    # Share of that floor kept where a window's usual rate per bucket is within a factor
    # exp(alike_log_ratio) (-18 % to +22 %) of the look-back's, today's level then being measured on
    # hours like the window's (third round of issue 20, seeds 3 and 5: busy x2 shares of the
    # ideal +1-3 points, the large series' false alarms +0.05 per series-month).
    alike_floor_share: float = 0.5
    alike_log_ratio: float = 0.2
    # Weight of the shape-mismatch variance: where a slot's own mean and the shrunk rate differ
    # by more than the slot's noise explains, the product model misses that hour's shape
    # (weekend evenings, typically), and the squared relative gap widens the tail there.
    mismatch: float = 1.0
    # Hours before the widest window that tell how busy today is compared with the baseline.
    level_lookback: timedelta = timedelta(hours=6)
    # Where those hours hold fewer counts than this, the look-back reaches further into the
    # same local day, an hour at a time, up to ``level_lookback_max`` (0: never).
    level_evidence: float = 800.0
    level_lookback_max: timedelta = timedelta(hours=24)
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


def _windows(bucket_seconds: int, thresholds: Thresholds) -> list[int]:
    """Window sizes in buckets (at least one bucket each, no duplicates)."""
    return sorted({max(1, round(m * 60 / bucket_seconds)) for m in thresholds.windows_minutes})
