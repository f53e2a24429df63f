"""The decision rule and the entry points: ``detect_matrix`` (many series sharing their buckets, the
alert job's fast path), ``detect`` and ``detect_many``. A series fires when its best window's
score reaches the threshold divided by the series' sensitivity.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import numpy as np

from vigie.alerts.detection.baseline import _expected_tail, fit_baseline
from vigie.alerts.detection.calendar import Calendar, _calendar
from vigie.alerts.detection.episodes import _cusum_start
from vigie.alerts.detection.explanations import _explain
from vigie.alerts.detection.history import HourlyHistory
from vigie.alerts.detection.scoring import _score_levels, score_counts, score_sums
from vigie.alerts.detection.series import (
    Detection,
    FloatArray,
    IntArray,
    SeriesConfig,
    SeriesPoint,
    _epoch_seconds,
    _grid,
)
from vigie.alerts.detection.thresholds import DEFAULT_THRESHOLDS, Thresholds, _windows

# Bounds the memory of the vectorised path: a chunk of 1,000 series x 28 days of 5-minute
# buckets is 64 MB of float64, whatever the number of series asked for.
CHUNK = 1000
WORKERS = min(4, os.cpu_count() or 1)


def detect_matrix(
    values: np.ndarray,
    bucket_starts: Sequence[datetime] | np.ndarray,
    configs: Sequence[SeriesConfig],
    now: datetime | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    weights: np.ndarray | None = None,
    history: HourlyHistory | None = None,
) -> list[Detection]:
    """Evaluate many series sharing the same buckets at once (the fast path of the alert job).

    ``values`` is (n_series, n_buckets), one row per config, oldest bucket first, zero buckets
    present (NaN for an empty bucket of a "mean" or "share" series). ``bucket_starts`` are the
    aware start times (or epoch seconds) of the columns, evenly spaced by every config's
    ``bucket``. ``now`` defaults to the end of the last bucket; it is only used for the text.
    ``weights``, the same shape, gives the observations behind each value of the "mean" and
    "share" series (NaN on a row: not known for that series); counts and sums ignore it.
    ``history``, hourly totals of the same rows kept from earlier runs (``history.py``), must end
    at the first bucket start and be in every series' time zone; the "count" and "sum" series
    then fit their baseline on it too (eight weeks for the cost of one), the others ignore it.
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
    if history is not None:
        if history.totals.shape[0] != len(configs):
            raise ValueError("the kept history must have one row per series")
        if history.end != int(starts[0]) or history.bucket_seconds != step:
            raise ValueError("the kept history must end at the first bucket, in the same buckets")
        if any(c.timezone != history.timezone for c in configs):
            raise ValueError("the kept history must be in every series' time zone")

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
            row_history = None
            if history is not None and kind in ("count", "sum"):
                row_history = history.rows(slice(chunk[0], chunk[-1] + 1) if contiguous else chunk)
            jobs.append((chunk, rows, calendar, kind, row_weights, row_history))

    def run(
        job: tuple[list[int], FloatArray, Calendar, str, FloatArray | None, HourlyHistory | None],
    ) -> None:
        chunk, rows, calendar, kind, row_weights, row_history = job
        detections = _detect_chunk(
            rows,
            starts,
            calendar,
            [configs[i] for i in chunk],
            kind,
            now,
            thresholds,
            row_weights,
            row_history,
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
    history: HourlyHistory | None = None,
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
            clean[:, :fit_end], calendar[:fit_end], step, thresholds, spread=kind == "sum", history=history
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
