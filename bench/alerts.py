"""Alert detector on simulated mention streams, against an ideal detector at the same false-alarm
rate: recall, share of the ideal, detection delay, false alarms, throughput.

Targets (issue 20, per expected volume): on every scenario where the ideal detector reaches 50 %
or more, Vigie reaches at least 90 % of the ideal's recall at the same false-alarm rate; at most
one false alarm per series-month; 10,000 series evaluated in under 5 s. (Issue 7's absolute
targets, 95 % of 5x rises within 15 minutes and 80 % of 2x rises within 60, depend on the
expected volume: the table by expected volume shows where any detector can meet them.)

Streams come from ``vigie.alerts.detection.simulation`` (seeded). Per scenario (organisation
size x episode shape x rise), each stream has ``--history-days`` of history (56 by default:
eight weeks, the part before its last eight days given as hourly totals, the way a caller
running every few minutes keeps it, ``vigie.alerts.detection.history``) and an episode the next
day, 30 March 2026 (the history crosses the spring DST change). The detector is evaluated at the
end of every 5-minute bucket of that day. An episode counts as detected only if a bucket fires
within the window (15 min for 5x, 60 min for 2x) after its start. False alarms: runs of
consecutive firing buckets (one alarm per run), on rise=1 streams over 7 days, and on episode
streams outside the episode (before it, or more than an hour after its end). Ramps reach the
nominal rise inside the detection window (after 15 min for x5, 30 min for x2).

The ideal detector knows each bucket's true expected count (``Streams.expected``: the rhythm,
the day's mood, the trend) and the cluster variance, and scores its windows the way the detector
does. It is compared **at the same false-alarm rate**: per size, its threshold is the lowest at
which it raises no more false alarms than Vigie on the same normal streams
(``ideal_threshold``). Vigie's tuning was calibrated on seeds 3 and 5; the default seed 7 (and
11) is for reporting. The causal ideal (``causal_ideal_scores``) knows the rhythm and the trend
but must estimate today's mood from today's counts, as a real-time detector must; held to the
same false-alarm rate, its share of the ideal is what no real-time detector can exceed by
learning the rhythm better.

Throughput: the production entry point ``detect_matrix`` on 10,000 series (1,000 distinct
streams, each used ten times) with the kept hourly history and the last eight days in 5-minute
buckets, and the cost of moving the kept history on by one hour.

``python -m bench.alerts`` prints a table, then the JSON line; ``python -m bench alerts`` the
JSON line only.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

VOLUME_BINS = ((0, 5), (5, 10), (10, 20), (20, 40), (40, 60), (60, 80), (80, 120), (120, 240), (240, 1e9))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed", type=int, default=7, help="7 and 11 report; 3 and 5 calibrated the detector"
    )
    parser.add_argument("--history-days", type=int, default=56, help="days of history (default 56)")
    parser.add_argument(
        "--threshold", type=float, default=None, help="score threshold (default: the detector's)"
    )
    parser.add_argument("--series", type=int, default=200, help="streams per episode scenario")
    parser.add_argument("--normal-series", type=int, default=300, help="rise=1 streams per size")
    parser.add_argument("--throughput-series", type=int, default=10_000)


def oracle_recall(rng: np.random.Generator, draws: int = 1_000_000) -> dict[str, dict[str, float]]:
    """Recall of an ideal test that knows the expected count exactly (no baseline error, no
    day-to-day mood), for one window holding ``e`` expected mentions, clustered as in the
    simulation, firing at a tail probability of 1e-5 (at most about 0.35 false alarms per
    series-month over 8,640 evaluations of four windows). No detector can beat it; it shows which volume
    the targets need."""
    from vigie.alerts.detection.simulation import CLUSTER

    def clustered(mean: float, size: int) -> np.ndarray:
        events = rng.poisson(mean / CLUSTER, size=size)
        extra = np.zeros_like(events)
        busy = events > 0
        extra[busy] = rng.negative_binomial(events[busy], 1 / CLUSTER)
        return np.asarray(events + extra)

    table: dict[str, dict[str, float]] = {}
    for label, rise, window_minutes, expectations in (
        ("x5 within 15 min", 5.0, 15, (1, 2, 4, 6, 8, 12)),
        ("x2 within 60 min", 2.0, 60, (10, 20, 40, 60, 80, 120)),
    ):
        row = {}
        for e in expectations:
            limit = np.quantile(clustered(e, draws), 1 - 1e-5)
            per_hour = e * 60 / window_minutes
            row[f"{per_hour:g}/h"] = round(float((clustered(rise * e, draws // 10) > limit).mean()), 3)
        table[label] = row
    return table


TIMEZONE = "Europe/Paris"
SHARE_TARGET = 0.9  # of the ideal's recall, at the same false-alarm rate
IDEAL_MIN = 0.5  # ... on every scenario where the ideal reaches this recall
FALSE_ALARM_TARGET = 1.0  # per series-month
SECONDS_TARGET = 5.0  # for 10,000 series
RECENT_DAYS = 8  # kept in 5-minute buckets; the older history as hourly totals
THRESHOLD_GRID = np.round(np.arange(2.0, 8.0001, 0.05), 2)


def _reference_scores(
    values: np.ndarray,
    expected: np.ndarray,
    positions: int,
    level: np.ndarray | float = 1.0,
    remaining: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Scores (n, positions) of a reference detector that takes ``expected`` (per bucket) times
    ``level`` (per series and position) as the window's expectation and ``remaining`` as the
    relative variance left on it, with the cluster variance of the simulation, scored as the
    production detector scores its windows (same windows, negative-binomial tail, minimum
    count and ratio, short-window penalty, correction for the number of windows)."""
    from scipy import stats  # type: ignore[import-untyped]

    from vigie.alerts.detection.scoring import _rolling
    from vigie.alerts.detection.simulation import CLUSTER_VARIANCE_RATIO, STEP
    from vigie.alerts.detection.thresholds import DEFAULT_THRESHOLDS, _windows

    t = DEFAULT_THRESHOLDS
    windows = _windows(STEP, t)
    best = np.zeros((values.shape[0], positions))
    for w in windows:
        o = _rolling(values, w, positions)
        e = np.maximum(_rolling(expected, w, positions) * level, 1e-9)
        size = e / (CLUSTER_VARIANCE_RATIO - 1.0 + remaining * e)
        with np.errstate(divide="ignore"):
            score = np.minimum(
                -stats.nbinom.logsf(np.ceil(o) - 1.0, size, size / (size + e)) / np.log(10), 300
            )
        if w * STEP < 600:
            score = score - t.short_window_penalty
        ok = (o >= t.min_count) & (o >= t.min_ratio * e)
        best = np.maximum(best, np.where(ok, score, 0.0))
    return np.asarray(best - np.log10(len(windows)))


def ideal_scores(values: np.ndarray, expected: np.ndarray, positions: int) -> np.ndarray:
    """Scores (n, positions) of an ideal detector that knows each bucket's true expected count
    without the episode (the rhythm, the day's mood and the trend; ``Streams.expected``) and
    the cluster variance, scored exactly as the production detector scores its windows. What
    it misses at a given false-alarm rate, no detector that must estimate the expectation from
    the history can catch at that rate."""
    return _reference_scores(values, expected, positions)


def causal_ideal_scores(
    values: np.ndarray, expected: np.ndarray, day_factor: np.ndarray, first: int, positions: int
) -> np.ndarray:
    """Scores (n, positions) of a detector that knows the rhythm and the trend exactly (the
    true expectation without the day's mood: ``Streams.expected / Streams.day_factor``) and the
    spread of the mood (coefficient of variation 15 %), but must estimate **today's** mood from
    the counts of today's local day seen before its widest window, as any causal detector must
    (a gamma-Poisson update; the remaining variance of the mood widens its tail). Scored like
    ``ideal_scores``. The gap between it and the ideal is the price of not knowing today's mood,
    whatever the baseline; the gap between Vigie and it, that of learning the rhythm."""
    from vigie.alerts.detection.calendar import _calendar
    from vigie.alerts.detection.simulation import CLUSTER_VARIANCE_RATIO, DAY_CV, STEP
    from vigie.alerts.detection.thresholds import DEFAULT_THRESHOLDS, _windows

    windows = _windows(STEP, DEFAULT_THRESHOLDS)
    n, length = values.shape
    rhythm = expected / day_factor
    hour_ids = _calendar(TIMEZONE, first, length, STEP).hour_ids
    day = (hour_ids - hour_ids[0]) // 24  # the simulator's days (its mood changes then)
    index = np.arange(length)
    first_of_day = np.maximum.accumulate(np.where(np.r_[True, day[1:] != day[:-1]], index, 0))
    evaluated = index[length - positions :]
    end = np.maximum(evaluated - max(windows) + 1, first_of_day[evaluated])  # exclusive
    begin = first_of_day[evaluated]

    def seen(x: np.ndarray) -> np.ndarray:
        csum = np.concatenate([np.zeros((n, 1)), np.cumsum(x, axis=1)], axis=1)
        return np.asarray((csum[:, end] - csum[:, begin]) / CLUSTER_VARIANCE_RATIO)

    prior = 1.0 / DAY_CV**2
    observed_today = seen(values)
    level = (prior + observed_today) / (prior + seen(rhythm))
    return _reference_scores(values, rhythm, positions, level, 1.0 / (prior + observed_today))


def _day_factor(streams: Any) -> np.ndarray:
    factor = streams.day_factor
    assert factor is not None, "the simulator gives the day's mood"
    return np.asarray(factor)


def ideal_fired(values: np.ndarray, expected: np.ndarray, positions: int, threshold: float) -> np.ndarray:
    """Fired (n, positions) for the ideal detector (``ideal_scores``) at ``threshold``."""
    return np.asarray(ideal_scores(values, expected, positions) >= threshold)


def _runs(fired: np.ndarray) -> np.ndarray:
    """Boolean (n, T): True where a run of firing buckets starts."""
    previous = np.zeros_like(fired)
    previous[:, 1:] = fired[:, :-1]
    return np.asarray(fired & ~previous)


def matched_threshold(scores: np.ndarray, months: float, budget: float) -> tuple[float, float]:
    """The lowest threshold of the grid at which ``scores`` raise at most ``budget`` false alarms
    per series-month, and that rate: the ideal detector at Vigie's false-alarm rate."""
    rate = float("inf")
    for threshold in THRESHOLD_GRID:
        rate = float(_runs(scores >= threshold).sum()) / months
        if rate <= budget + 1e-9:
            return float(threshold), rate
    return float(THRESHOLD_GRID[-1]), rate


def _share(recall: float | None, ideal: float | None) -> float | None:
    if recall is None or not ideal:
        return None
    return round(recall / ideal, 3)


def run(
    seed: int = 7,
    series: int = 200,
    normal_series: int = 300,
    throughput_series: int = 10_000,
    threshold: float | None = None,
    history_days: int = 56,
    **_: Any,
) -> dict[str, Any]:
    from vigie.alerts.detection import HourlyHistory, SeriesConfig, compact, detect_matrix
    from vigie.alerts.detection.baseline import fit_baseline
    from vigie.alerts.detection.calendar import _calendar
    from vigie.alerts.detection.scoring import score_counts
    from vigie.alerts.detection.simulation import PER_DAY, SHAPES, SIZES, STEP, simulate
    from vigie.alerts.detection.thresholds import DEFAULT_THRESHOLDS

    rng = np.random.default_rng(seed)
    # The day evaluated is always 30 March 2026: the history crosses the spring DST change
    # (29 March) on purpose.
    first = datetime(2026, 3, 30, tzinfo=UTC) - timedelta(days=history_days)
    threshold = DEFAULT_THRESHOLDS.score if threshold is None else threshold
    started = time.perf_counter()

    def evaluate(values: np.ndarray, first_epoch: int, eval_days: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores (n, eval buckets) at the end of each bucket after the history, and the
        baseline's expected count of each of those buckets (what the hour would hold without
        an episode). The history before its last RECENT_DAYS is given as kept hourly totals,
        the way a caller running every few minutes keeps it."""
        length = values.shape[1]
        calendar = _calendar(TIMEZONE, first_epoch, length, STEP)
        fit_end = history_days * PER_DAY
        recent = max(fit_end - RECENT_DAYS * PER_DAY, 0)
        kept = compact(values[:, :recent], first_epoch, STEP, TIMEZONE)
        baseline = fit_baseline(
            values[:, recent:fit_end], calendar[recent:fit_end], STEP, DEFAULT_THRESHOLDS, history=kept
        )
        positions = eval_days * PER_DAY
        scores = score_counts(baseline, values[:, recent:], calendar[recent:], positions, STEP)
        expected = calendar[length - positions :].expected(baseline.rate)
        return scores.score, expected

    scenarios: list[dict[str, Any]] = []
    matched: dict[str, float] = {}
    causal_matched: dict[str, float] = {}
    pooled: dict[tuple[float, str], list[float]] = {}
    ideal_pooled: dict[tuple[float, str], list[float]] = {}
    for size in SIZES:
        streams = simulate(rng, normal_series, size, history_days + 7, first)
        scores = evaluate(streams.values, streams.first, 7)[0]
        months = normal_series * 7 / 30
        alarms = float(_runs(scores >= threshold).sum()) / months
        ideal = ideal_scores(streams.values, streams.expected, 7 * PER_DAY)
        matched[size], ideal_alarms = matched_threshold(ideal, months, alarms)
        causal = causal_ideal_scores(
            streams.values, streams.expected, _day_factor(streams), streams.first, 7 * PER_DAY
        )
        causal_matched[size], causal_alarms = matched_threshold(causal, months, alarms)
        scenarios.append(
            {
                "name": f"{size}/normal",
                "size": size,
                "shape": None,
                "rise": 1,
                "series": normal_series,
                "recall": None,
                "detection_delay_minutes_median": None,
                "false_alarms_per_series_month": round(alarms, 3),
                "ideal_recall": None,
                "share_of_ideal": None,
                "ideal_threshold": matched[size],
                "ideal_false_alarms_per_series_month": round(ideal_alarms, 3),
                "causal_ideal_threshold": causal_matched[size],
                "causal_ideal_false_alarms_per_series_month": round(causal_alarms, 3),
                "ideal_false_alarms_at_vigie_threshold": round(
                    float(_runs(ideal >= threshold).sum()) / months, 3
                ),
            }
        )
    # (expected per hour at the episode start, detected, detected by the ideal) per rise.
    by_volume: dict[float, list[tuple[float, bool, bool]]] = {}
    # A ramp reaches the nominal rise inside the detection window: after 15 min for x5 (the
    # whole window), after 30 min for x2 (half of it).
    for rise, window_minutes, ramp_minutes in ((5.0, 15, 15), (2.0, 60, 30)):
        window = window_minutes * 60 // STEP
        for size in SIZES:
            for shape in SHAPES:
                streams = simulate(
                    rng,
                    series,
                    size,
                    history_days + 1,
                    first,
                    episode_day=history_days,
                    shape=shape,
                    rise=rise,
                    ramp_minutes=ramp_minutes,
                )
                scores, expected = evaluate(streams.values, streams.first, 1)
                fired = scores >= threshold
                ideal = ideal_scores(streams.values, streams.expected, PER_DAY)
                ideal_matched = ideal >= matched[size]
                ideal_same = ideal >= threshold
                causal = causal_ideal_scores(
                    streams.values, streams.expected, _day_factor(streams), streams.first, PER_DAY
                )
                causal_fired = causal >= causal_matched[size]
                offset = history_days * PER_DAY
                start = streams.episode_start - offset
                end = streams.episode_end - offset
                delays: list[float] = []
                detected = ideal_detected = ideal_same_detected = causal_detected = outside = 0
                run_starts = _runs(fired)
                for i in range(series):
                    hits = np.flatnonzero(fired[i, start[i] : start[i] + window])
                    ideal_hit = bool(ideal_matched[i, start[i] : start[i] + window].any())
                    ideal_detected += int(ideal_hit)
                    ideal_same_detected += int(ideal_same[i, start[i] : start[i] + window].any())
                    causal_detected += int(causal_fired[i, start[i] : start[i] + window].any())
                    hourly = float(expected[i, start[i] : start[i] + 3600 // STEP].sum())
                    by_volume.setdefault(rise, []).append((hourly, bool(hits.size), ideal_hit))
                    if hits.size:
                        detected += 1
                        delays.append(float((hits[0] + 1) * STEP / 60))
                    starts_i = np.flatnonzero(run_starts[i])
                    outside += int(((starts_i < start[i]) | (starts_i >= end[i] + 12)).sum())
                recall = detected / series
                ideal_recall = ideal_detected / series
                for group in (size, ">=500/day" if size in ("busy", "large") else "<500/day"):
                    pooled.setdefault((rise, group), []).extend(
                        [1.0] * detected + [0.0] * (series - detected)
                    )
                    ideal_pooled.setdefault((rise, group), []).extend(
                        [1.0] * ideal_detected + [0.0] * (series - ideal_detected)
                    )
                share = _share(recall, ideal_recall)
                scenarios.append(
                    {
                        "name": f"{size}/{shape}/x{rise:g}",
                        "size": size,
                        "shape": shape,
                        "rise": rise,
                        "series": series,
                        "window_minutes": window_minutes,
                        "recall": round(recall, 3),
                        "detection_delay_minutes_median": float(np.median(delays)) if delays else None,
                        "false_alarms_per_series_month": round(outside / (series / 30), 3),
                        # The ideal detector at Vigie's false-alarm rate for this size.
                        "ideal_recall": round(ideal_recall, 3),
                        "share_of_ideal": share,
                        "ideal_threshold": matched[size],
                        "ideal_recall_at_vigie_threshold": round(ideal_same_detected / series, 3),
                        # A detector that knows the rhythm but must estimate today's mood
                        # (``causal_ideal_scores``), at Vigie's false-alarm rate, and its share.
                        "causal_ideal_recall": round(causal_detected / series, 3),
                        "causal_share_of_ideal": _share(causal_detected / series, ideal_recall),
                        "target_applies": ideal_recall >= IDEAL_MIN,
                        "target_met": None
                        if ideal_recall < IDEAL_MIN
                        else bool(share and share >= SHARE_TARGET),
                    }
                )
    evaluation_seconds = time.perf_counter() - started

    # Throughput of the production entry point: one call, 10,000 series, eight weeks of kept
    # hourly history and the last eight days (and one hour) in 5-minute buckets.
    distinct = min(1000, throughput_series)
    history_length = history_days * PER_DAY + 12
    recent = min(RECENT_DAYS * PER_DAY + 12, history_length)
    cut = history_length - recent
    first_epoch = int(first.timestamp())
    parts = [
        simulate(rng, len(part), "medium", history_days + 1, first).values[:, :history_length]
        for part in np.array_split(np.arange(distinct), max(1, distinct // 250))
    ]
    base = np.concatenate(parts)
    del parts
    kept_distinct = compact(base[:, :cut], first_epoch, STEP, TIMEZONE)
    repeats = int(np.ceil(throughput_series / distinct))
    kept = HourlyHistory(
        np.tile(kept_distinct.totals, (repeats, 1))[:throughput_series],
        kept_distinct.slots,
        kept_distinct.buckets,
        kept_distinct.end,
        TIMEZONE,
        STEP,
    )
    values = np.tile(base[:, cut:], (repeats, 1))[:throughput_series]
    del base
    starts = first_epoch + STEP * np.arange(cut, history_length, dtype=np.int64)
    configs = [SeriesConfig(key=f"org:{i}:negative", kind="count") for i in range(throughput_series)]
    _calendar.cache_clear()
    load_before = os.getloadavg()[0]
    tick, cpu_tick = time.perf_counter(), time.process_time()
    detections = detect_matrix(values, starts, configs, history=kept)
    elapsed, cpu = time.perf_counter() - tick, time.process_time() - cpu_tick
    assert len(detections) == throughput_series
    # Between two runs the caller moves the hour leaving the recent part into the kept history.
    tick = time.perf_counter()
    kept.extend(compact(values[:, :12], int(starts[0]), STEP, TIMEZONE)).last(history_days - RECENT_DAYS)
    update_seconds = time.perf_counter() - tick

    summary = {
        f"x{rise:g} {group}": round(float(np.mean(hits)), 3) for (rise, group), hits in sorted(pooled.items())
    }
    ideal_summary = {
        f"x{rise:g} {group}": round(float(np.mean(hits)), 3)
        for (rise, group), hits in sorted(ideal_pooled.items())
    }
    normal = [s for s in scenarios if s["rise"] == 1]
    volume_table: dict[str, dict[str, Any]] = {}
    for rise, triples in sorted(by_volume.items()):
        volumes = np.array([volume for volume, _hit, _ideal in triples])
        hit = np.array([detected for _volume, detected, _ideal in triples])
        ideal_hits = np.array([ideal for _volume, _detected, ideal in triples])
        rows = {}
        for low, high in VOLUME_BINS:
            inside = (volumes >= low) & (volumes < high)
            if inside.any():
                recall = float(hit[inside].mean())
                ideal_recall = float(ideal_hits[inside].mean())
                rows[f"{low:g}-{high:g}/h"] = {
                    "series": int(inside.sum()),
                    "recall": round(recall, 3),
                    "ideal_recall": round(ideal_recall, 3),
                    "share_of_ideal": _share(recall, ideal_recall),
                }
        volume_table[f"x{rise:g}"] = rows
    applies = [s for s in scenarios if s.get("target_applies")]
    return {
        "scenarios": scenarios,
        "targets": {
            "share_of_ideal": SHARE_TARGET,
            "where_ideal_recall_at_least": IDEAL_MIN,
            "false_alarms_per_series_month": FALSE_ALARM_TARGET,
            "seconds_for_10000_series": SECONDS_TARGET,
        },
        "share_target_met": f"{sum(bool(s['target_met']) for s in applies)}/{len(applies)}",
        "share_of_ideal_min": min((s["share_of_ideal"] for s in applies), default=None),
        "series_per_second": round(throughput_series / elapsed),
        "seconds_for_throughput_series": round(elapsed, 3),
        # Wall time depends on what else the machine runs; CPU time of this process does not.
        "cpu_seconds_for_throughput_series": round(cpu, 3),
        "seconds_to_update_kept_history": round(update_seconds, 3),
        "load_average_before": round(load_before, 2),
        "throughput_series": throughput_series,
        "history_days": history_days,
        "recall_pooled": summary,
        # The same pools for the ideal detector at Vigie's false-alarm rate.
        "ideal_recall_pooled": ideal_summary,
        # Recall against the expected count of the hour starting with the episode (from the
        # fitted baseline, without the rise), every size and shape together: where the
        # targets can hold does not depend on the size class but on this volume.
        "recall_by_expected_per_hour": volume_table,
        "oracle_recall_by_expected_per_hour": oracle_recall(np.random.default_rng(seed)),
        "false_alarms_per_series_month_normal_max": max(s["false_alarms_per_series_month"] for s in normal),
        "sizes_negative_per_day": {k: list(v) for k, v in SIZES.items()},
        "score_threshold": threshold,
        "evaluation_seconds": round(evaluation_seconds, 1),
        "seed": seed,
    }


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def table(result: dict[str, Any]) -> str:
    """The result as the text a reader wants: per scenario, Vigie against the ideal, beside targets."""
    lines = [
        f"seed {result['seed']}, {result['history_days']} days of history, threshold {result['score_threshold']}"
        f" (targets: >= {SHARE_TARGET:.0%} of the ideal where it reaches {IDEAL_MIN:.0%},"
        f" <= {FALSE_ALARM_TARGET:g} false alarm per series-month, 10,000 series < {SECONDS_TARGET:g} s)",
        "",
        f"{'scenario':<18} {'Vigie':>8} {'ideal':>8} {'share':>8} {'target':>8} {'FA/s-m':>7} "
        f"{'ideal thr':>9} {'ideal FA':>8} {'causal':>8} {'share':>6}",
    ]
    for s in result["scenarios"]:
        if s["rise"] == 1:
            target = "ok" if s["false_alarms_per_series_month"] <= FALSE_ALARM_TARGET else "MISSED"
            lines.append(
                f"{s['name']:<18} {'':>8} {'':>8} {'':>8} {target:>8} {s['false_alarms_per_series_month']:>7.2f} "
                f"{s['ideal_threshold']:>9.2f} {s['ideal_false_alarms_per_series_month']:>8.2f}"
                f" {'(' + format(s['causal_ideal_threshold'], '.2f') + ')':>8}"
            )
            continue
        target = "–" if not s["target_applies"] else ("ok" if s["target_met"] else "MISSED")
        share = "–" if s["share_of_ideal"] is None else f"{s['share_of_ideal']:.2f}"
        causal_share = "–" if s["causal_share_of_ideal"] is None else f"{s['causal_share_of_ideal']:.2f}"
        lines.append(
            f"{s['name']:<18} {_percent(s['recall']):>8} {_percent(s['ideal_recall']):>8} {share:>8} "
            f"{target:>8} {s['false_alarms_per_series_month']:>7.2f} {'':>9} {'':>8}"
            f" {_percent(s['causal_ideal_recall']):>8} {causal_share:>6}"
        )
    lines += [
        "",
        f"share of the ideal >= {SHARE_TARGET:.0%} where the ideal reaches {IDEAL_MIN:.0%}: "
        f"{result['share_target_met']} scenarios (lowest share {result['share_of_ideal_min']})",
        f"false alarms on normal streams: at most {result['false_alarms_per_series_month_normal_max']:.2f}"
        f" per series-month (target <= {FALSE_ALARM_TARGET:g})",
        f"{result['throughput_series']:,} series: {result['seconds_for_throughput_series']:.2f} s wall,"
        f" {result['cpu_seconds_for_throughput_series']:.2f} s CPU (target < {SECONDS_TARGET:g} s;"
        f" load average {result['load_average_before']}); kept history moved on by one hour in"
        f" {result['seconds_to_update_kept_history']:.2f} s",
        "",
        "by expected mentions in the hour the episode starts (Vigie / ideal at the same false-alarm rate):",
    ]
    for rise, rows in result["recall_by_expected_per_hour"].items():
        cells = [
            f"{band} {_percent(r['recall'])} / {_percent(r['ideal_recall'])}" for band, r in rows.items()
        ]
        lines.append(f"  {rise}: " + "; ".join(cells))
    return "\n".join(lines)


if __name__ == "__main__":
    cli = argparse.ArgumentParser(prog="python -m bench.alerts", description=__doc__)
    add_arguments(cli)
    outcome = run(**vars(cli.parse_args()))
    print(table(outcome))
    print(json.dumps(outcome, ensure_ascii=False))
