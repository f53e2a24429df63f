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

The modules, in the order the data flows (this package's public names are re-exported here, for
the alert job and the bench):

* ``series``: ``SeriesConfig``, ``SeriesPoint``, ``Detection``, and the points as an even grid
  of buckets;
* ``thresholds``: ``Thresholds``, the tuning, and the window sizes it implies;
* ``calendar``: where each bucket falls in the local week;
* ``history``: ``HourlyHistory``, the hourly totals kept between runs (eight weeks cheaply);
* ``baseline``: the seasonal baseline and the overdispersion (``fit_baseline``);
* ``scoring``: tail probabilities and robust z-scores of the recent windows;
* ``episodes``: the CUSUM that dates an episode's start;
* ``explanations``: the French and English texts;
* ``detector``: the decision rule and the entry points ``detect``, ``detect_many``,
  ``detect_matrix``;
* ``rules``: the single-item rules (viral post, influential author);
* ``simulation``: seeded synthetic streams for the tests and the bench.
"""

from __future__ import annotations

from vigie.alerts.detection.detector import detect, detect_many, detect_matrix
from vigie.alerts.detection.history import HourlyHistory, compact
from vigie.alerts.detection.rules import influential_author, viral_check
from vigie.alerts.detection.series import Detection, SeriesConfig, SeriesPoint
from vigie.alerts.detection.thresholds import Thresholds

__all__ = [
    "Detection",
    "HourlyHistory",
    "SeriesConfig",
    "SeriesPoint",
    "Thresholds",
    "compact",
    "detect",
    "detect_many",
    "detect_matrix",
    "influential_author",
    "viral_check",
]
