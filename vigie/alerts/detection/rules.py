"""Single-item rules: a post going viral, an influential author."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta

from vigie.alerts.detection.explanations import elapsed, number_en, number_fr
from vigie.alerts.detection.series import Detection

# Interactions (likes + shares + replies) per hour that make a post viral on their own, or once
# it has already gathered VIRAL_TOTAL of them; and the reach that makes any growth worth a look.
VIRAL_VELOCITY = 200.0
VIRAL_TOTAL = 1000.0
VIRAL_TOTAL_VELOCITY = 50.0
VIRAL_REACH = 100_000
# A pace is measured over at least this long: two snapshots a minute apart made 9 interactions
# "220 per hour" (a "critical" viral post) and 8,554 "324,152 per hour".
MIN_PACE_HOURS = 0.25
# ... and a post must have gained this many interactions for its pace alone to make it viral.
VIRAL_MIN_GAIN = 50.0


def viral_check(
    engagement_series: Sequence[tuple[datetime, float]],
    reach: int | None,
    now: datetime,
    key: str = "item:viral",
) -> Detection | None:
    """Is one post taking off? ``engagement_series`` is its cumulative interactions over time.

    Fires when the interactions of the last hour (interpolated from the snapshots) reach
    VIRAL_VELOCITY, or VIRAL_TOTAL_VELOCITY once the total passed VIRAL_TOTAL, or when the reach
    passed VIRAL_REACH and is still growing. Returns ``None`` with fewer than two snapshots.
    """
    points = sorted((t, float(v)) for t, v in engagement_series if t <= now)
    if len(points) < 2:
        return None
    last_time, last_value = points[-1]
    hour_ago = last_time - timedelta(hours=1)
    before = [p for p in points if p[0] <= hour_ago]
    if before:
        # Interpolate between the snapshot just before and just after one hour ago.
        t0, v0 = before[-1]
        after = next((p for p in points if p[0] > hour_ago), points[-1])
        span = (after[0] - t0).total_seconds()
        fraction = (hour_ago - t0).total_seconds() / span if span > 0 else 0.0
        reference = v0 + (after[1] - v0) * fraction
        hours = 1.0
    else:
        t0, reference = points[0]
        hours = max((last_time - t0).total_seconds() / 3600, MIN_PACE_HOURS)
    gained = max(last_value - reference, 0.0)
    velocity = gained / hours
    growing = gained > 0
    fired = (
        (velocity >= VIRAL_VELOCITY and gained >= VIRAL_MIN_GAIN)
        or (last_value >= VIRAL_TOTAL and velocity >= VIRAL_TOTAL_VELOCITY)
        or (reach is not None and reach >= VIRAL_REACH and growing)
    )
    score = velocity / VIRAL_VELOCITY
    reach_fr = f", audience {number_fr(reach, 0)}" if reach else ""
    reach_en = f", reach {number_en(reach, 0)}" if reach else ""
    if before:
        fr = (
            f"{number_fr(velocity, 0)} interactions par heure ({number_fr(last_value, 0)} au total{reach_fr})"
        )
        en = f"{number_en(velocity, 0)} interactions per hour ({number_en(last_value, 0)} in total{reach_en})"
    else:
        # Seen for less than an hour: what it gathered in that time, not a pace extrapolated
        # from a few minutes (which read higher than the total itself).
        seen_for = elapsed(max(1, round((last_time - t0).total_seconds() / 60)))
        fr = f"{number_fr(gained, 0)} interactions en {seen_for}{reach_fr}"
        en = f"{number_en(gained, 0)} interactions in {seen_for}{reach_en}"
    if fired:
        fr += " : la publication prend de l'ampleur"
        en += ": the post is taking off"
    start = None
    if fired:
        # The first snapshot from which the pace stayed above the viral velocity.
        start = points[-2][0]
        for (ta, va), (tb, vb) in reversed(list(itertools.pairwise(points))):
            pace = (vb - va) / max((tb - ta).total_seconds() / 3600, 1 / 60)
            if pace < VIRAL_TOTAL_VELOCITY:
                break
            start = ta
    return Detection(
        series_key=key,
        fired=fired,
        observed=velocity,
        expected=VIRAL_VELOCITY,
        since=start,
        score=round(score, 3),
        explanation=fr,
        explanation_en=en,
    )


def influential_author(followers: int | None, threshold: int = 10_000) -> bool:
    """Does the author reach enough people for one post of theirs to matter on its own?"""
    return followers is not None and followers >= threshold
