"""When the episode started (``since``): a CUSUM, stable from one run to the next, so that the caller
can use ``(series_key, since)`` to open one alert per episode.
"""

from __future__ import annotations

import numpy as np

from vigie.alerts.detection.series import FloatArray, IntArray


def _cusum_start(values: FloatArray, expected: FloatArray, k: float, h: float) -> IntArray:
    """Index of the first bucket after the CUSUM last stood at zero (0 if it never did)."""
    n, length = values.shape
    s = np.zeros(n)
    start = np.zeros(n, dtype=np.int64)
    # The allowance grows with the noise (sqrt of the expectation), so that one stray mention
    # at night does not pull the start of the next episode back.
    allowance = k * expected + h * (1.0 + np.sqrt(expected))
    for t in range(length):
        s = np.maximum(s + values[:, t] - allowance[:, t], 0.0)
        start = np.where(s == 0.0, t + 1, start)
    return np.minimum(start, length - 1)
