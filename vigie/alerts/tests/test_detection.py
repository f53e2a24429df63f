"""The spike detector on series with a known daily and weekly rhythm (no timing assertions)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from vigie.alerts.detection import (
    Detection,
    SeriesConfig,
    SeriesPoint,
    detect,
    detect_many,
    detect_matrix,
    influential_author,
    viral_check,
)

PARIS = ZoneInfo("Europe/Paris")
BUCKET = timedelta(minutes=5)
NEGATIVE = SeriesConfig(key="org:12:negative", kind="count")


# Negative mentions per 5 minutes at each local hour of a weekday: dead nights, a morning rise,
# a busy lunchtime, a calmer afternoon and evening. Weekends are at 30 %.
WEEKDAY = [0.15] * 6 + [
    0.5,
    1.5,
    2.0,
    2.5,
    4.0,
    6.0,
    8.0,
    8.0,
    4.0,
    3.0,
    3.0,
    3.0,
    2.0,
    1.5,
    1.0,
    0.8,
    0.5,
    0.3,
]


def office_rhythm(local: datetime) -> float:
    """Rate at ``local`` time, linear between the middles of the hours (rhythms are smooth)."""
    position = local.hour + local.minute / 60 + 2.5 / 60 - 0.5
    low = int(np.floor(position)) % 24
    fraction = position - np.floor(position)
    rate = WEEKDAY[low] * (1 - fraction) + WEEKDAY[(low + 1) % 24] * fraction
    return rate * (0.3 if local.weekday() >= 5 else 1.0)


def history(
    now: datetime,
    rhythm: Callable[[datetime], float] = office_rhythm,
    days: int = 28,
    seed: int = 1,
    override: dict[datetime, float] | None = None,
) -> list[SeriesPoint]:
    """``days`` of 5-minute buckets up to ``now`` (excluded): Poisson counts around ``rhythm``."""
    rng = np.random.default_rng(seed)
    start = now - timedelta(days=days)
    points = []
    t = start
    while t < now:
        value = float(rng.poisson(rhythm(t.astimezone(PARIS))))
        points.append(SeriesPoint(t, value))
        t += BUCKET
    if override:
        points = [SeriesPoint(p.start, override.get(p.start, p.value)) for p in points]
    return points


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)  # type: ignore[misc]


def set_last(points: list[SeriesPoint], values: list[float]) -> list[SeriesPoint]:
    """Replace the values of the last buckets (oldest first)."""
    head = points[: len(points) - len(values)]
    tail = points[len(points) - len(values) :]
    return head + [SeriesPoint(p.start, v) for p, v in zip(tail, values, strict=True)]


# Monday 6 April 2026: after the spring DST change, so the history crosses it.
MONDAY_NOON = paris(2026, 4, 6, 13, 0)
MONDAY_3AM = paris(2026, 4, 6, 3, 30)


def test_a_normal_busy_monday_lunchtime_does_not_fire() -> None:
    points = history(MONDAY_NOON)
    # The last hour is ordinary lunchtime traffic: about 8 per bucket, four times the day's mean,
    # which a detector blind to the daily rhythm would call a spike.
    daily_mean = float(np.mean([p.value for p in points[-288:]]))
    last_hour = sum(p.value for p in points[-12:])
    assert last_hour > 2.5 * daily_mean * 12

    detection = detect(NEGATIVE, points, MONDAY_NOON)

    assert not detection.fired
    assert detection.since is None
    assert "dans la normale" in detection.explanation
    assert "within the normal range" in detection.explanation_en


def test_the_baseline_follows_the_local_hour_across_the_dst_change() -> None:
    # 11:30 in Paris is lunchtime (8 per bucket). Three of the four weeks of history are in
    # winter time: a baseline kept in UTC would take them for 10:30 (2 per bucket) and fire.
    now = paris(2026, 4, 6, 11, 30)
    detection = detect(NEGATIVE, history(now), now)
    assert not detection.fired
    assert 0.75 <= detection.observed / detection.expected <= 1.33


def test_a_burst_at_3am_fires_and_says_since_when() -> None:
    # 3:15, 3:20, 3:25: twelve complaints where about half of one is usual.
    points = set_last(history(MONDAY_3AM), [3.0, 4.0, 5.0])

    detection = detect(NEGATIVE, points, MONDAY_3AM)

    assert detection.fired
    assert detection.observed >= 12
    assert detection.expected < 1.5
    assert detection.since == paris(2026, 4, 6, 3, 15)
    assert detection.explanation.startswith(f"{int(detection.observed)} mentions négatives en ")
    assert "attendues" in detection.explanation
    assert "depuis 03:15" in detection.explanation
    assert "since 03:15" in detection.explanation_en
    assert "negative mentions" in detection.explanation_en


def test_the_same_burst_at_lunchtime_is_normal() -> None:
    points = history(MONDAY_NOON)
    base = [p.value for p in points[-3:]]
    detection = detect(NEGATIVE, set_last(points, [base[0] + 3, base[1] + 4, base[2] + 5]), MONDAY_NOON)
    assert not detection.fired


def test_a_quiet_sunday_is_not_a_crisis() -> None:
    sunday = paris(2026, 4, 5, 16, 0)
    points = history(sunday)
    # A whole Sunday afternoon without a single mention, then one.
    quiet = set_last(points, [0.0] * 47 + [1.0])
    detection = detect(NEGATIVE, quiet, sunday)
    assert not detection.fired
    assert detection.score == 0
    assert detection.explanation.startswith("1 mention négative en ")
    assert detection.explanation_en.startswith("1 negative mention in ")


def dead_nights(local: datetime) -> float:
    """The office rhythm, but nobody writes at night (one mention every 16 hours)."""
    return 0.005 if 1 <= local.hour < 6 else office_rhythm(local)


def test_three_complaints_at_3am_fire_when_nights_are_dead() -> None:
    points = history(MONDAY_3AM, dead_nights)
    assert not detect(NEGATIVE, set_last(points, [0.0, 0.0, 1.0]), MONDAY_3AM).fired
    assert not detect(NEGATIVE, set_last(points, [1.0, 0.0, 1.0]), MONDAY_3AM).fired
    three = detect(NEGATIVE, set_last(points, [1.0, 0.0, 2.0]), MONDAY_3AM)
    assert three.fired
    assert three.observed == 3
    assert three.explanation.startswith("3 mentions négatives en 15 min")
    assert three.since == paris(2026, 4, 6, 3, 15)


def test_a_tiny_baseline_is_not_turned_into_a_huge_multiple() -> None:
    # Dead nights expect a few hundredths of a mention in 15 min: "x100" would be noise.
    points = history(MONDAY_3AM, dead_nights)
    burst = detect(NEGATIVE, set_last(points, [4.0, 4.0, 4.0]), MONDAY_3AM)
    assert burst.fired
    assert burst.expected < 0.1
    assert "(×" not in burst.explanation
    assert "(×" not in burst.explanation_en
    assert "moins de 0,1 attendues" in burst.explanation
    assert "under 0.1 expected" in burst.explanation_en


def test_three_complaints_at_3am_are_ordinary_when_nights_are_not_dead() -> None:
    # About two mentions per night hour: three in a quarter of an hour is not unusual enough.
    points = history(MONDAY_3AM)
    assert not detect(NEGATIVE, set_last(points, [1.0, 0.0, 2.0]), MONDAY_3AM).fired


def test_sensitivity_moves_the_threshold_not_the_score() -> None:
    # Four at once at 3 a.m. where nights see about two an hour: suspicious, not conclusive.
    points = set_last(history(MONDAY_3AM), [0.0, 0.0, 4.0])
    results = {
        s: detect(SeriesConfig(key="org:12:negative", kind="count", sensitivity=s), points, MONDAY_3AM)
        for s in (0.5, 1.0, 3.0)
    }
    assert len({d.score for d in results.values()}) == 1
    score = results[1.0].score
    assert 4.5 / 3.0 <= score < 4.5, score
    assert not results[0.5].fired
    assert not results[1.0].fired
    assert results[3.0].fired


def test_since_stays_the_same_while_an_episode_goes_on() -> None:
    # A step at 15:00 on a Monday: five times the usual rate.
    start = paris(2026, 4, 6, 15, 0)
    base = history(start + timedelta(hours=1), seed=3)
    rng = np.random.default_rng(9)
    episode = {start + i * BUCKET: float(rng.poisson(15.0)) for i in range(12)}
    points = [SeriesPoint(p.start, episode.get(p.start, p.value)) for p in base]
    detections = [
        detect(NEGATIVE, [p for p in points if p.start < start + i * BUCKET], start + i * BUCKET)
        for i in range(2, 13)
    ]
    assert all(d.fired for d in detections)
    # One value, so one alert: the caller dedups on (series_key, since).
    (since,) = {d.since for d in detections}
    assert since is not None
    assert start - 2 * BUCKET <= since <= start


def test_an_old_episode_does_not_blind_the_detector() -> None:
    # Two weeks ago, at the same hour, there was a burst: it must not raise the expectation.
    past = paris(2026, 3, 23, 3, 15)
    override = {past + i * BUCKET: 6.0 for i in range(3)}
    points = set_last(history(MONDAY_3AM, override=override), [3.0, 4.0, 5.0])
    assert detect(NEGATIVE, points, MONDAY_3AM).fired


def test_detect_many_and_detect_matrix_agree_with_detect() -> None:
    quiet = history(MONDAY_3AM)
    burst = set_last(quiet, [3.0, 4.0, 5.0])
    configs = [SeriesConfig(key=f"org:{i}:negative", kind="count") for i in range(2)]
    one_by_one = [detect(configs[0], quiet, MONDAY_3AM), detect(configs[1], burst, MONDAY_3AM)]
    many = detect_many([(configs[0], quiet), (configs[1], burst)], MONDAY_3AM)
    matrix = detect_matrix(
        np.array([[p.value for p in quiet], [p.value for p in burst]]),
        [p.start for p in quiet],
        configs,
        now=MONDAY_3AM,
    )
    assert [d.fired for d in many] == [False, True]
    assert many == one_by_one == matrix
    assert [d.series_key for d in many] == ["org:0:negative", "org:1:negative"]


def test_missing_buckets_count_as_zero() -> None:
    points = history(MONDAY_NOON)
    sparse = [p for p in points if p.value > 0]
    assert len(sparse) < len(points)
    assert detect(NEGATIVE, sparse, MONDAY_NOON) == detect(NEGATIVE, points, MONDAY_NOON)


def test_a_short_history_is_not_judged() -> None:
    points = history(MONDAY_3AM, days=0)
    detection = detect(NEGATIVE, points[-5:] if points else [], MONDAY_3AM)
    assert not detection.fired


def test_a_falling_average_rating_fires() -> None:
    rating = SeriesConfig(key="org:12:rating", kind="mean", bucket=timedelta(hours=1))
    now = paris(2026, 4, 6, 18, 0)
    rng = np.random.default_rng(2)
    points = [
        SeriesPoint(now - timedelta(hours=h), float(np.clip(rng.normal(4.2, 0.25), 1, 5)))
        for h in range(28 * 24, 0, -1)
    ]
    assert not detect(rating, points, now).fired
    dropped = set_last(points, [1.6])
    detection = detect(rating, dropped, now)
    assert detection.fired
    assert detection.explanation.startswith("note moyenne : 1,6 sur 1 h")
    assert "average rating: 1.6 over 1 h" in detection.explanation_en


def test_a_rising_share_of_one_star_reviews_fires_and_empty_buckets_are_skipped() -> None:
    share = SeriesConfig(key="org:12:share_one_star", kind="share", bucket=timedelta(hours=1))
    now = paris(2026, 4, 6, 18, 0)
    rng = np.random.default_rng(3)
    points = [
        SeriesPoint(now - timedelta(hours=h), float(rng.uniform(0.05, 0.15)) if h % 3 else math.nan)
        for h in range(28 * 24, 0, -1)
    ]
    assert not detect(share, points, now).fired
    assert detect(share, set_last(points, [0.6]), now).fired


def test_a_reach_surge_fires() -> None:
    reach = SeriesConfig(key="org:12:reach", kind="sum", bucket=timedelta(minutes=15))
    now = paris(2026, 4, 6, 18, 0)
    rng = np.random.default_rng(5)
    points = [
        SeriesPoint(now - i * reach.bucket, float(rng.lognormal(7, 0.4))) for i in range(28 * 96, 0, -1)
    ]
    assert not detect(reach, points, now).fired
    assert detect(reach, set_last(points, [3e5, 4e5]), now).fired


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="kind"):
        SeriesConfig(key="x", kind="median")
    with pytest.raises(ValueError, match="sensitivity"):
        SeriesConfig(key="x", kind="count", sensitivity=0)
    with pytest.raises(ValueError, match="aware"):
        detect(NEGATIVE, [SeriesPoint(datetime(2026, 4, 6, 3), 1.0)], MONDAY_3AM)
    with pytest.raises(ValueError, match="aware"):
        detect(NEGATIVE, [], datetime(2026, 4, 6, 3))
    with pytest.raises(ValueError, match="same bucket"):
        detect_matrix(
            np.zeros((2, 3)),
            [MONDAY_3AM + i * BUCKET for i in range(3)],
            [NEGATIVE, SeriesConfig(key="x", kind="count", bucket=timedelta(hours=1))],
        )


# --- single-item rules --------------------------------------------------------------------------


def test_a_post_gaining_hundreds_of_interactions_an_hour_is_viral() -> None:
    now = paris(2026, 4, 6, 18, 0)
    snapshots = [(now - timedelta(minutes=m), float(v)) for m, v in ((90, 10), (60, 20), (30, 180), (0, 420))]
    detection = viral_check(snapshots, reach=None, now=now)
    assert isinstance(detection, Detection)
    assert detection.fired
    assert detection.observed == pytest.approx(400.0)
    assert detection.explanation.startswith("400 interactions par heure (420 au total)")
    assert detection.explanation_en.startswith("400 interactions per hour (420 in total)")
    assert detection.since == now - timedelta(minutes=60)


def test_a_slow_post_is_not_viral_unless_its_reach_is_huge() -> None:
    now = paris(2026, 4, 6, 18, 0)
    snapshots = [(now - timedelta(hours=2), 5.0), (now - timedelta(hours=1), 9.0), (now, 12.0)]
    slow = viral_check(snapshots, reach=2_000, now=now)
    assert slow is not None
    assert not slow.fired
    wide = viral_check(snapshots, reach=250_000, now=now)
    assert wide is not None
    assert wide.fired
    assert "audience 250\u202f000" in wide.explanation
    assert viral_check(snapshots[:1], reach=None, now=now) is None


def test_influential_authors() -> None:
    assert influential_author(25_000)
    assert influential_author(10_000)
    assert not influential_author(9_999)
    assert not influential_author(None)
    assert influential_author(600, threshold=500)


def test_detect_matrix_keeps_the_order_of_mixed_kinds_and_zones_and_leaves_the_input_alone() -> None:
    points = set_last(history(MONDAY_3AM), [3.0, 4.0, 5.0])
    counts = np.array([p.value for p in points])
    values = np.stack([counts, counts, np.full(len(counts), 4.2), counts])
    before = values.copy()
    configs = [
        SeriesConfig(key="org:1:negative", kind="count"),
        # The same counts in Montreal's calendar: the whole history shifts with it, so the burst
        # is still abnormal, and the explanation speaks Montreal's local time.
        SeriesConfig(key="org:2:negative", kind="count", timezone="America/Montreal"),
        SeriesConfig(key="org:3:rating", kind="mean"),
        SeriesConfig(key="org:4:negative", kind="count", sensitivity=0.1),
    ]
    detections = detect_matrix(values, [p.start for p in points], configs, now=MONDAY_3AM)
    assert [d.series_key for d in detections] == [
        "org:1:negative",
        "org:2:negative",
        "org:3:rating",
        "org:4:negative",
    ]
    assert [d.fired for d in detections] == [True, True, False, False]
    # Montreal local time (03:15 in Paris); a stray mention just before may date it 5 min earlier.
    assert re.search(r"depuis 21:1[05]$", detections[1].explanation), detections[1].explanation
    assert np.array_equal(values, before)


def busy_rhythm(local: datetime) -> float:
    """Three times the office rhythm: about 100 negative mentions an hour in the afternoon."""
    return 3.0 * office_rhythm(local)


def test_a_doubling_sustained_for_an_hour_fires_on_a_busy_series() -> None:
    # Issue 7: a 2x rise must be found within the hour where an hour holds ~100 mentions.
    start = paris(2026, 4, 6, 15, 0)
    now = start + timedelta(hours=1)
    normal = history(now, rhythm=busy_rhythm, seed=5)
    rng = np.random.default_rng(21)
    doubled = [
        SeriesPoint(p.start, float(rng.poisson(2 * busy_rhythm(p.start.astimezone(PARIS)))))
        if p.start >= start
        else p
        for p in normal
    ]
    assert sum(p.value for p in doubled[-12:]) > 1.6 * sum(p.value for p in normal[-12:])
    assert not detect(NEGATIVE, normal, now).fired
    detection = detect(NEGATIVE, doubled, now)
    assert detection.fired
    assert detection.since is not None
    assert start - timedelta(minutes=30) <= detection.since <= now


def test_points_sharing_a_bucket_add_up_for_counts_and_average_for_levels() -> None:
    points = history(MONDAY_3AM)
    split = [
        half
        for p in points
        for half in (
            SeriesPoint(p.start, p.value / 2),
            SeriesPoint(p.start + timedelta(minutes=2), p.value / 2),
        )
    ]
    assert detect(NEGATIVE, split, MONDAY_3AM) == detect(NEGATIVE, points, MONDAY_3AM)
    rating = SeriesConfig(key="org:12:rating", kind="mean")
    ratings = [SeriesPoint(p.start, 4.0 + (p.value % 2) / 2) for p in points]
    twice = [q for p in ratings for q in (p, SeriesPoint(p.start + timedelta(minutes=1), p.value))]
    with_nan = ratings + [SeriesPoint(p.start + timedelta(minutes=3), math.nan) for p in ratings[::7]]
    expected = detect(rating, ratings, MONDAY_3AM)
    assert detect(rating, twice, MONDAY_3AM) == expected
    assert detect(rating, with_nan, MONDAY_3AM) == expected


def _look_back(end_local: datetime, columns: int, evidence: float = 0.0) -> tuple[float, float]:
    """Counts seen over the look-back of today's level (one per 5-minute bucket) and the share
    of it on an earlier local day, for the bucket ending at ``end_local``."""
    from vigie.alerts.detection.calendar import _calendar
    from vigie.alerts.detection.scoring import _level_lookback

    first = int(end_local.timestamp()) - columns * 300
    calendar = _calendar("Europe/Paris", first, columns, 300)
    ones = np.ones((1, columns))
    # Six hours (72 buckets) ending one hour (12 buckets) before the last bucket.
    seen, _due, share, _length = _level_lookback(ones, ones, calendar, 72, 12, 1, evidence, 12)
    return float(seen[0, 0]), float(share[0, 0])


def test_the_level_look_back_knows_how_much_of_it_is_yesterday() -> None:
    # 5-minute buckets, Paris time, ending with the bucket 00:25-00:30 then 12:55-13:00 local.
    for end_local, share in ((paris(2026, 4, 7, 0, 30), 1.0), (paris(2026, 4, 6, 13, 0), 0.0)):
        assert _look_back(end_local, 12 + 72 + 1)[1] == share
    # At 09:00 the six hours end at 08:00 and start at 02:00: none of them is yesterday; at
    # 07:00 they start at 00:00 exactly; at 06:00, one sixth of them is yesterday.
    for hour, share in ((9, 0.0), (7, 0.0), (6, 1 / 6)):
        assert _look_back(paris(2026, 4, 6, hour, 0), 85)[1] == pytest.approx(share)


def test_a_quiet_look_back_reaches_further_into_today_but_never_into_yesterday() -> None:
    # At 15:00 the six hours run from 08:00 to 14:00: 72 mentions.
    afternoon = paris(2026, 4, 6, 15, 0)
    assert _look_back(afternoon, 400) == (72.0, 0.0)
    # Wanting 100, it reaches back an hour at a time: 05:00, three hours more.
    assert _look_back(afternoon, 400, evidence=100) == (108.0, 0.0)
    # Wanting more than today holds, it stops at midnight: 14 hours, none of yesterday.
    assert _look_back(afternoon, 400, evidence=10_000) == (168.0, 0.0)
    # At 06:00 the six hours already start yesterday (23:00): they are not extended further.
    seen, share = _look_back(paris(2026, 4, 6, 6, 0), 400, evidence=10_000)
    assert (seen, share) == (72.0, pytest.approx(1 / 6))


def late_sunday_rhythm(local: datetime) -> float:
    """A busy office rhythm whose Sunday evenings, from 20:00, are four times livelier: a shape
    that level x hour-of-day x day-of-week cannot represent."""
    rate = 20 * office_rhythm(local)
    return rate * 4.0 if local.weekday() == 6 and local.hour >= 20 else rate


def test_an_hour_whose_shape_the_product_model_misses_is_not_a_false_alarm() -> None:
    from vigie.alerts.detection.thresholds import Thresholds

    without_mismatch = []
    one_profile = []
    for day in (19, 26):
        # 21:00 on an ordinary Sunday, every previous Sunday evening just as lively.
        now = paris(2026, 4, day, 21, 0)
        points = history(now, rhythm=late_sunday_rhythm, seed=day + 21)
        detection = detect(NEGATIVE, points, now)
        assert not detection.fired
        assert detection.score < 2.0
        without_mismatch.append(detect(NEGATIVE, points, now, thresholds=Thresholds(mismatch=0.0)))
        one_profile.append(
            detect(NEGATIVE, points, now, thresholds=Thresholds(mismatch=0.0, day_types=False))
        )
    # What it protects from: with the shrunk rate taken at face value, these evenings look
    # like a rise. With one hour-of-day profile for the seven days, both fire; the weekend's
    # own profile takes part of that shape, not all (Saturday evenings are not as lively):
    # one evening still scores over 3 without the mismatch term.
    assert all(d.fired for d in one_profile)
    assert max(d.score for d in without_mismatch) > 3.0

    # A real doubling on such an evening still fires.
    start = paris(2026, 4, 26, 20, 0)
    now = start + timedelta(hours=1)
    normal = history(now, rhythm=late_sunday_rhythm, seed=47)
    rng = np.random.default_rng(3)
    doubled = [
        SeriesPoint(p.start, float(rng.poisson(2 * late_sunday_rhythm(p.start.astimezone(PARIS)))))
        if p.start >= start
        else p
        for p in normal
    ]
    assert detect(NEGATIVE, doubled, now).fired


def test_the_simulator_knows_the_expectation_of_its_counts_and_leaves_the_episode_out() -> None:
    # bench.alerts' ideal detector scores against Streams.expected: it must be the mean of the
    # counts (rhythm, mood and trend included) and must not contain the injected rise.
    from vigie.alerts.detection.simulation import CLUSTER_VARIANCE_RATIO, PER_DAY, simulate

    rng = np.random.default_rng(5)
    streams = simulate(
        rng, 400, "large", 2, datetime(2026, 3, 2, tzinfo=UTC), episode_day=1, shape="step", rise=3.0
    )
    outside = np.ones_like(streams.values, dtype=bool)
    for i, (start, end) in enumerate(zip(streams.episode_start, streams.episode_end, strict=True)):
        outside[i, start:end] = False
        inside = streams.values[i, start:end].sum() / streams.expected[i, start:end].sum()
        assert inside > 2.0  # the counts rose, the expectation did not
    residual = streams.values[outside] - streams.expected[outside]
    assert abs(residual.sum() / streams.expected[outside].sum()) < 0.01
    # Clustered arrivals: variance about CLUSTER_VARIANCE_RATIO times the mean.
    ratio = float((residual**2).sum() / streams.expected[outside].sum())
    assert abs(ratio - CLUSTER_VARIANCE_RATIO) < 0.05
    assert streams.expected.shape == (400, 2 * PER_DAY)


def test_a_share_counts_the_reviews_behind_it() -> None:
    share = SeriesConfig(key="org:12:share_one_star", kind="share", bucket=timedelta(hours=1))
    now = paris(2026, 4, 6, 18, 0)
    rng = np.random.default_rng(8)
    points = []
    for h in range(28 * 24, 1, -1):
        reviews = int(rng.poisson(6))
        if reviews:
            ones = int(rng.binomial(reviews, 0.08))
            points.append(SeriesPoint(now - timedelta(hours=h), ones / reviews, weight=reviews))

    def last_hour(ones: int, reviews: int) -> list[SeriesPoint]:
        return [*points, SeriesPoint(now - timedelta(hours=1), ones / reviews, weight=reviews)]

    assert not detect(share, last_hour(0, 6), now).fired
    # One review, and it is a 1-star one: a share of 100 %, but of one review.
    lone = detect(share, last_hour(1, 1), now)
    assert not lone.fired
    assert "(1 avis)" in lone.explanation
    assert "(1 review)" in lone.explanation_en
    wave = detect(share, last_hour(6, 8), now)
    assert wave.fired
    assert wave.explanation.startswith("part d'avis 1★ : 75 % (8 avis) sur 1 h")
    # Without the counts, the lone review is taken at face value.
    unweighted = [SeriesPoint(p.start, p.value) for p in last_hour(1, 1)]
    assert detect(share, unweighted, now).fired


def test_a_post_seen_for_minutes_says_what_it_gathered_not_an_hourly_pace() -> None:
    # Two snapshots two minutes apart made 8,554 interactions "324,152 per hour", more than the
    # total itself; and 9 interactions in two and a half minutes made a "critical" viral post.
    now = paris(2026, 4, 6, 18, 0)
    big = viral_check([(now - timedelta(minutes=2), 0.0), (now, 8554.0)], reach=363_196, now=now)
    assert big is not None
    assert big.fired
    assert big.explanation.startswith("8\u202f554 interactions en 2 min, audience 363\u202f196")
    assert big.explanation_en.startswith("8,554 interactions in 2 min, reach 363,196")
    small = viral_check([(now - timedelta(seconds=150), 0.0), (now, 9.0)], reach=400, now=now)
    assert small is not None
    assert not small.fired


def test_a_multiple_is_written_with_the_multiplication_sign_as_the_incident_writes_it() -> None:
    """An alert read "2 attendues (x20+)" under its incident's "plus de ×20"."""
    points = history(MONDAY_NOON, office_rhythm)
    burst = detect(NEGATIVE, set_last(points, [30.0, 30.0, 30.0]), MONDAY_NOON)
    assert burst.fired
    assert "(×" in burst.explanation
    assert "(×" in burst.explanation_en
    assert "(x" not in burst.explanation + burst.explanation_en
