"""The seasonal baseline of count and sum series: the expected value per local hour-of-week, shrunk
towards level x hour-of-day x day-of-week and re-fitted with past episodes masked, and the
overdispersion per window size measured on the series' last week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vigie.alerts.detection.calendar import SLOTS, Calendar
from vigie.alerts.detection.history import HourlyHistory
from vigie.alerts.detection.series import FloatArray
from vigie.alerts.detection.thresholds import DEFAULT_THRESHOLDS, Thresholds, _windows


@dataclass(frozen=True)
class Baseline:
    """Per series: expected value per bucket for each local hour-of-week, and dispersion per window."""

    rate: FloatArray  # (n, 168) expected value of one bucket in each slot
    scale: FloatArray  # (n, len(windows)) variance/mean ratio of the Poisson-like part
    dispersion: FloatArray  # (n, len(windows)) squared coefficient of variation of the day's level
    estimate_error: FloatArray  # (n, 168) squared relative error of the baseline itself
    windows: tuple[int, ...]  # window sizes, in buckets
    log_spread: FloatArray  # (n, len(windows)) robust spread of log1p residuals (sum series)
    # The smallest relative variance assumed for today's expectation, given the weeks of history.
    floor: float = DEFAULT_THRESHOLDS.min_dispersion


def fit_baseline(
    values: FloatArray,
    calendar: Calendar,
    bucket_seconds: int,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    spread: bool = False,
    history: HourlyHistory | None = None,
) -> Baseline:
    """Fit the seasonal baseline of ``values`` (n series x T buckets, all in the past).

    Hour-of-week means are noisy with four weeks of history (four values per slot), so they are
    shrunk towards level x hour-of-day x day-of-week, which pools 28 or 4 x 7 of them. Hours
    far above the first fit are then replaced by their expectation and the fit is redone, so a
    past episode does not inflate the baseline.

    ``history``, the hourly totals of the same series kept from earlier runs and ending where
    ``values`` begins, extends the fit backwards at the cost of its hours only: eight weeks of
    history then cost little more than the last one in buckets (``values`` must still hold the
    last week, from which the dispersion is measured).
    """
    n, length = values.shape
    slots, hour_ids = calendar.slots, calendar.hour_ids
    boundaries = np.flatnonzero(np.r_[True, hour_ids[1:] != hour_ids[:-1]])
    hourly = np.add.reduceat(values, boundaries, axis=1)
    hour_slot = slots[boundaries]
    hour_buckets = np.diff(np.r_[boundaries, length]).astype(np.float64)
    if history is not None and history.totals.shape[1]:
        if history.totals.shape[0] != n:
            raise ValueError("the kept history must have one row per series")
        hourly = np.concatenate([history.totals, hourly], axis=1)
        hour_slot = np.r_[history.slots, hour_slot]
        hour_buckets = np.r_[history.buckets, hour_buckets]
    onehot = np.zeros((len(hour_slot), SLOTS))
    onehot[np.arange(len(hour_slot)), hour_slot] = 1.0
    slot_n = hour_buckets @ onehot  # buckets seen per slot
    seen = slot_n > 0
    # Per slot (168): weekdays pool five days of the same hour, so their product model can
    # weigh more than the weekend's (``Thresholds.weekday_shrink``).
    per_bucket = float(slot_n[seen].mean()) if seen.any() else 1.0
    shrink = per_bucket * np.where(np.arange(SLOTS) < 5 * 24, thresholds.weekday_shrink, thresholds.shrink)
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
        if thresholds.day_types:
            product = _day_type_product(n7, s7, dow, product.reshape(n, 7, 24)).reshape(n, SLOTS)
        rate = (slot_sum + shrink * product) / (slot_n + shrink)
        rate = np.maximum(rate, np.maximum(0.002 * level, level_floor)[:, None])
        slot_mean = slot_sum / np.maximum(slot_n, 1.0)
        if round_ == 0:
            expected = rate[:, hour_slot] * hour_buckets
            limit = expected + 4.0 * np.sqrt(expected + 0.1 * expected**2) + 2.0
            hourly = np.where(hourly > limit, expected, hourly)

    windows = tuple(_windows(bucket_seconds, thresholds))
    weeks = float(hour_buckets.sum()) * bucket_seconds / (7 * 86400)
    floor = thresholds.min_dispersion * float(
        np.clip(thresholds.history_weeks / max(weeks, 1e-9), thresholds.least_dispersion_share, 1.0)
    )
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
    c2 = np.clip(c2, floor, 0.5)
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
        floor=floor,
    )


def _day_type_product(n7: FloatArray, s7: FloatArray, dow: FloatArray, fallback: FloatArray) -> FloatArray:
    """Level x hour-of-day x day-of-week with one hour-of-day profile for weekdays and one for
    the weekend: Saturday and Sunday mornings start later, so one profile for the seven days
    is wrong on both kinds of day."""
    product = fallback.copy()
    for days in (slice(0, 5), slice(5, 7)):
        hours_n = n7[days].sum(axis=0)  # (24,)
        total_n = float(hours_n.sum())
        if total_n <= 0:
            continue
        sums = s7[:, days, :].sum(axis=1)  # (n, 24)
        level = np.maximum(sums.sum(axis=1) / total_n, 1e-12)  # (n,)
        profile = sums / np.maximum(hours_n, 1.0)
        shaped = profile[:, None, :] * dow[:, days, None] / level[:, None, None]
        product[:, days, :] = np.where(hours_n[None, None, :] > 0, shaped, fallback[:, days, :])
    return product


def _expected_tail(baseline: Baseline, calendar: Calendar, columns: int) -> FloatArray:
    """Expected value of each of the last ``columns`` buckets, per series."""
    return calendar[len(calendar) - columns :].expected(baseline.rate)
