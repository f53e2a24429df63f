"""The alert job's history: eight weeks for the detector at about the cost of one.

The count and sum series (volumes, negative volumes, reach, per organisation, source, location and
theme) are fitted on ``HISTORY_DAYS`` (56) days. Only the last ``RECENT_DAYS`` (8) are read from
the mentions at each run, in 5-minute buckets; the hours before are kept between runs as hourly
totals (``HourlyHistory``) in the ``KeptHistory`` table, one row per organisation. Each run
extends that history by the buckets that left the recent part since the previous run (usually
one) and drops what is older than eight weeks. It is rebuilt from the mentions when missing,
in another time zone, older than a day (deleted or re-analysed mentions then count again as
they are), too far behind, when a mention dated inside it arrived since, or when a source or a
location it holds no longer exists.

The verdicts are those of the full 5-minute rows over the same span (tested): a series' fit
starts at the hour of its first mention in the kept span; a series with no mention there (a new
source, a new theme) is judged on its recent points alone, as before. The level series (average
rating, 1★ share) ignore the kept history and are judged on the recent part.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from vigie.alerts.actions import do_store_kept_history
from vigie.alerts.detection import Detection, HourlyHistory, compact, detect_many, detect_matrix
from vigie.alerts.models import KeptHistory
from vigie.alerts.queries import (
    BUCKET,
    WatchedSeries,
    count_series_buckets,
    kept_history_row,
    last_mention_id,
    mentions_arrived_late,
    scope_keys,
    watched_series,
)
from vigie.core.models import Organisation

HISTORY_DAYS = 56
RECENT_DAYS = 8  # the last week is needed in buckets (the dispersion is measured there), plus a day
REBUILD_AFTER = timedelta(days=1)
# Further behind than this (the job stopped for a while), reading it all again is as cheap.
LONGEST_EXTENSION = timedelta(days=1)
STEP = int(BUCKET.total_seconds())


@dataclass(frozen=True)
class Kept:
    """An organisation's kept history for one run, and how it was obtained."""

    history: HourlyHistory
    keys: list[str]
    how: str  # "extended", "rebuilt: <why>"
    stored: bool


def _at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def recent_start(now: datetime) -> int:
    """Epoch seconds of the first bucket of the recent part (5-minute aligned)."""
    return int((now - timedelta(days=RECENT_DAYS)).timestamp()) // STEP * STEP


def _matrix(data: dict[str, dict[int, float]], keys: list[str], first: int, end: int) -> np.ndarray:
    values = np.zeros((len(keys), (end - first) // STEP))
    for row, key in enumerate(keys):
        for epoch, value in data.get(key, {}).items():
            values[row, (epoch - first) // STEP] += value
    return values


def _why_rebuild(
    organisation: Organisation, row: KeptHistory | None, now: datetime, start: int
) -> str | None:
    if row is None:
        return "missing"
    if row.timezone != organisation.timezone or row.bucket_seconds != STEP:
        return "time zone"
    if (
        now - row.built_at > REBUILD_AFTER
        or row.end > start
        or start - row.end > LONGEST_EXTENSION.total_seconds()
    ):
        return "stale"
    known = scope_keys(organisation)
    for key in row.keys:
        scope = key.partition(":")[2]
        if scope.startswith(("source:", "location:")) and scope not in known:
            return "series"
    first = row.end - (HISTORY_DAYS - RECENT_DAYS) * 86400
    if mentions_arrived_late(organisation, _at(first), _at(row.end), row.last_mention_id):
        return "late mentions"
    return None


def kept_history(organisation: Organisation, now: datetime, *, store: bool = True) -> Kept:
    """The organisation's history up to the recent part, extended or rebuilt, and stored."""
    start = recent_start(now)
    keep_days = HISTORY_DAYS - RECENT_DAYS
    seen = last_mention_id(organisation)  # before reading: a mention added meanwhile is "late"
    existing = kept_history_row(organisation)
    why = _why_rebuild(organisation, existing, now, start)
    history: HourlyHistory | None = None
    version: int | None = None
    if existing is not None and why is None:
        try:
            history = HourlyHistory.from_bytes(existing.totals, existing.end, existing.timezone, STEP)
        except (ValueError, KeyError, OSError):
            why = "unreadable"
    if existing is not None and history is not None:
        row = existing
        keys = list(row.keys)
        built_at = row.built_at
        if row.end < start:
            data = count_series_buckets(organisation, _at(row.end), _at(start))
            new = sorted(set(data) - set(keys))
            if new:  # a series that begins here had nothing before: zeros are its history
                history = history.with_rows(len(new))
                keys += new
            newer = compact(_matrix(data, keys, row.end, start), row.end, STEP, organisation.timezone)
            history = history.extend(newer).last(keep_days)
        how, version = "extended", row.version
    else:
        first = start - keep_days * 86400
        data = count_series_buckets(organisation, _at(first), _at(start))
        keys = sorted(data)
        history = compact(_matrix(data, keys, first, start), first, STEP, organisation.timezone)
        how, version, built_at = f"rebuilt: {why}", existing.version if existing else None, now
    stored = False
    if store:
        stored = do_store_kept_history(
            organisation,
            history,
            keys,
            last_mention_id=seen,
            built_at=built_at,
            expected_version=version,
        )
    return Kept(history, keys, how, stored)


def _recent_grid(now: datetime, start: int) -> np.ndarray:
    # As ``detection.series._grid``: the last bucket is the one holding the second before ``now``.
    last = start + ((int(now.timestamp()) - 1 - start) // STEP) * STEP
    return start + STEP * np.arange((last - start) // STEP + 1, dtype=np.int64)


def detect_with_kept(watched: list[WatchedSeries], kept: Kept, now: datetime) -> list[Detection]:
    """The detector's verdicts on ``watched`` (their recent points), the count and sum series
    fitted on the kept history too; in the order of ``watched``."""
    history = kept.history
    starts = _recent_grid(now, history.end)
    index = {key: row for row, key in enumerate(kept.keys)}
    # The hour of each scope's first mention in the kept span (its total volume, or the negative
    # volume of a theme), or -1 where it has none.
    firsts: dict[str, int] = {}
    for key, row in index.items():
        values = history.totals[row]
        firsts[key] = int(np.argmax(values > 0)) if values.any() else -1
    groups: dict[int, list[int]] = defaultdict(list)
    alone: list[int] = []
    for i, series in enumerate(watched):
        key = series.config.key
        scope = key.partition(":")[2]
        first = firsts.get(f"total_volume:{scope}", firsts.get(key, -1))
        if series.config.kind in ("count", "sum") and key in index and first >= 0 and len(starts):
            groups[first].append(i)
        else:
            alone.append(i)
    results: list[Detection | None] = [None] * len(watched)
    for first, members in groups.items():
        values = np.zeros((len(members), len(starts)))
        for r, i in enumerate(members):
            for point in watched[i].history:
                column = (int(point.start.timestamp()) - history.end) // STEP
                if 0 <= column < len(starts):
                    values[r, column] += point.value
        rows = history.rows([index[watched[i].config.key] for i in members]).since_column(first)
        detections = detect_matrix(
            values, starts, [watched[i].config for i in members], now=now, history=rows
        )
        for i, detection in zip(members, detections, strict=True):
            results[i] = detection
    if alone:
        others = detect_many([(watched[i].config, watched[i].history) for i in alone], now)
        for i, detection in zip(alone, others, strict=True):
            results[i] = detection
    return [d for d in results if d is not None]


def detect_organisation(
    organisation: Organisation, now: datetime
) -> tuple[list[WatchedSeries], list[Detection]]:
    """Read the recent part, bring the kept history up to it, and judge every series."""
    watched = watched_series(organisation, now, history=now - _at(recent_start(now)))
    kept = kept_history(organisation, now)
    if not watched:
        return [], []
    return watched, detect_with_kept(watched, kept, now)
