"""Spike detection on mention series: pure Python + numpy + scipy, no Django.

The periodic alert job builds one series per organisation (and per source, per location...) of
time buckets, and asks this package whether the recent buckets are abnormal. The method:

* a seasonal baseline per series: rate per local hour-of-week (168 slots), shrunk towards a
  product model level x hour-of-day x day-of-week, re-fitted once with past episodes masked so an
  old crisis does not raise today's expectations;
* an overdispersion factor per window size, measured on the series' own last week;
* negative-binomial tail probabilities of the counts in several recent windows (5, 15, 30, 60 min
  by default) rather than z-scores, so low counts behave (a quiet Sunday is not a crisis, three
  complaints at 3 a.m. may be);
* a CUSUM to date the start of the episode (``since``), stable from one run to the next, so the
  caller can use ``(series_key, since)`` to open one alert per episode.

``docs/alerts-detection.md`` documents the parameters and the measured figures
(``python -m bench alerts``).
"""

from __future__ import annotations

from vigie.alerts.detection.core import (
    Detection,
    SeriesConfig,
    SeriesPoint,
    Thresholds,
    detect,
    detect_many,
    detect_matrix,
)
from vigie.alerts.detection.rules import influential_author, viral_check

__all__ = [
    "Detection",
    "SeriesConfig",
    "SeriesPoint",
    "Thresholds",
    "detect",
    "detect_many",
    "detect_matrix",
    "influential_author",
    "viral_check",
]
