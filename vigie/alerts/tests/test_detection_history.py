"""Eight weeks of history kept between runs as hourly totals (``vigie.alerts.detection.history``),
and the bench's comparison with the ideal detector at the same false-alarm rate."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from vigie.alerts.detection import HourlyHistory, SeriesConfig, compact, detect_matrix
from vigie.alerts.detection.baseline import fit_baseline
from vigie.alerts.detection.calendar import _calendar
from vigie.alerts.detection.simulation import PER_DAY, STEP, simulate

PARIS = "Europe/Paris"
FIRST = datetime(2026, 2, 2, tzinfo=UTC)


def _streams(days: int, rise: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(12)
    streams = simulate(
        rng, 30, "busy", days, FIRST, episode_day=days - 1 if rise != 1.0 else None, shape="step", rise=rise
    )
    return streams.values


def test_a_kept_hourly_history_gives_the_verdicts_of_the_full_history() -> None:
    values = _streams(57, rise=3.0)
    length = values.shape[1]
    # Evaluated in the afternoon of the last day, where every episode has started.
    values = values[:, : length - 60]
    starts = int(FIRST.timestamp()) + STEP * np.arange(values.shape[1], dtype=np.int64)
    configs = [SeriesConfig(key=f"org:{i}:negative", kind="count") for i in range(values.shape[0])]
    full = detect_matrix(values, starts, configs)
    cut = 48 * PER_DAY + 7  # in the middle of an hour, on purpose
    # Kept in two pieces, as a caller running every few minutes would have built it.
    kept = compact(values[:, : cut - 100], int(starts[0]), STEP, PARIS).extend(
        compact(values[:, cut - 100 : cut], int(starts[cut - 100]), STEP, PARIS)
    )
    assert kept.end == int(starts[cut])
    assert kept.days == pytest.approx(cut * STEP / 86400)
    recent = detect_matrix(values[:, cut:], starts[cut:], configs, history=kept)
    assert [d.fired for d in recent] == [d.fired for d in full]
    assert [d.since for d in recent] == [d.since for d in full]
    assert [d.score for d in recent] == pytest.approx([d.score for d in full])
    assert sum(d.fired for d in full) > 0
    # Without the kept part, the same recent buckets alone give another baseline.
    alone = detect_matrix(values[:, cut:], starts[cut:], configs)
    assert [d.score for d in alone] != [d.score for d in full]


def test_the_kept_history_is_checked_and_trimmed() -> None:
    values = _streams(10)
    starts = int(FIRST.timestamp()) + STEP * np.arange(values.shape[1], dtype=np.int64)
    kept = compact(values[:, : 2 * PER_DAY], int(starts[0]), STEP, PARIS)
    assert kept.totals.shape == (30, 48)
    assert kept.totals.sum() == pytest.approx(values[:, : 2 * PER_DAY].sum())
    last_day = kept.last(1)
    assert last_day.days == pytest.approx(1.0)
    assert last_day.end == kept.end
    with pytest.raises(ValueError, match="start where"):
        kept.extend(compact(values[:, 2 * PER_DAY + 1 :], int(starts[2 * PER_DAY + 1]), STEP, PARIS))
    configs = [SeriesConfig(key=f"k{i}", kind="count") for i in range(30)]
    with pytest.raises(ValueError, match="end at the first bucket"):
        detect_matrix(values[:, 3 * PER_DAY :], starts[3 * PER_DAY :], configs, history=kept)
    london = [SeriesConfig(key=f"k{i}", kind="count", timezone="Europe/London") for i in range(30)]
    with pytest.raises(ValueError, match="time zone"):
        detect_matrix(values[:, 2 * PER_DAY :], starts[2 * PER_DAY :], london, history=kept)
    with pytest.raises(ValueError, match="one row per series"):
        detect_matrix(
            values[:, 2 * PER_DAY :], starts[2 * PER_DAY :], configs, history=kept.rows(slice(0, 3))
        )
    assert isinstance(kept.rows([0, 2]), HourlyHistory)


def test_the_dispersion_floor_falls_with_the_weeks_of_history() -> None:
    values = _streams(56)
    calendar = _calendar(PARIS, int(FIRST.timestamp()), values.shape[1], STEP)
    four = fit_baseline(values[:, -28 * PER_DAY :], calendar[-28 * PER_DAY :], STEP)
    eight = fit_baseline(values, calendar, STEP)
    kept = compact(values[:, : 48 * PER_DAY], int(FIRST.timestamp()), STEP, PARIS)
    eight_kept = fit_baseline(values[:, 48 * PER_DAY :], calendar[48 * PER_DAY :], STEP, history=kept)
    assert four.floor == pytest.approx(0.01)
    assert eight.floor == pytest.approx(0.006)
    assert eight_kept.floor == pytest.approx(0.006)
    assert np.allclose(eight.rate, eight_kept.rate)


def test_the_ideal_is_compared_at_vigies_false_alarm_rate() -> None:
    from bench.alerts import matched_threshold

    # Two series-months; one alarm run above 4.0, two more above 3.0.
    scores = np.zeros((2, 50))
    scores[0, 10] = 4.5
    scores[0, 20] = 3.5
    scores[1, 30:33] = 3.2
    assert matched_threshold(scores, 2.0, 0.5) == (pytest.approx(3.55), pytest.approx(0.5))
    assert matched_threshold(scores, 2.0, 1.5)[0] == pytest.approx(2.0)
    assert matched_threshold(scores, 2.0, 1.0)[0] == pytest.approx(3.25)


def test_weekdays_and_weekends_have_their_own_hour_of_day_profile() -> None:
    # Simulated organisations whose weekend mornings start later: on weekday daytime hours the
    # baseline must follow the weekday rhythm, not an average of the seven days.
    from vigie.alerts.detection.thresholds import Thresholds

    rng = np.random.default_rng(4)
    streams = simulate(rng, 60, "busy", 56, FIRST)
    calendar = _calendar(PARIS, int(FIRST.timestamp()), streams.values.shape[1], STEP)
    # The true rate of each hour of the week, without the days' moods.
    rhythm = streams.expected / np.asarray(streams.day_factor)
    sums = np.stack([np.bincount(calendar.slots, weights=row, minlength=168) for row in rhythm])
    truth = sums / np.bincount(calendar.slots, minlength=168)[None, :]
    weekday_daytime = np.array([d * 24 + h for d in range(5) for h in range(9, 21)])

    def error(thresholds: Thresholds) -> float:
        """Squared relative error of the shape within each weekday (today's level corrects
        a day's common factor, not its shape)."""
        rate = fit_baseline(streams.values, calendar, STEP, thresholds).rate
        ratio = np.log(rate[:, weekday_daytime] / truth[:, weekday_daytime]).reshape(-1, 5, 12)
        return float(np.mean((ratio - ratio.mean(axis=2, keepdims=True)) ** 2))

    one_profile = error(Thresholds(day_types=False))
    assert error(Thresholds()) < 0.8 * one_profile
