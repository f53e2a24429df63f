"""Draws from the one seeded stream: weighted picks from cumulative tables and cheap stand-ins for
``random.choice``/``randint`` that consume the stream exactly as the generator always has."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from datetime import timedelta
from typing import TypeVar

T = TypeVar("T")


def _cum(weights: dict[str, float] | tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], list[float]]:
    items = list(weights.items()) if isinstance(weights, dict) else list(weights)
    return tuple(key for key, _ in items), list(itertools.accumulate(weight for _, weight in items))


def _pick(rng: random.Random, table: tuple[tuple[str, ...], list[float]]) -> str:
    keys, cum = table
    return keys[bisect.bisect(cum, rng.random() * cum[-1])]


# random.choice/randint/randrange cost ~2 µs each through _randbelow; at a million mentions
# that is most of the generation time. These draw from the same seeded stream, more cheaply.
def _choice(rng: random.Random, seq: Sequence[T]) -> T:
    return seq[int(rng.random() * len(seq))]


def _randint(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _seconds(rng: random.Random, low: float, high: float) -> timedelta:
    """A whole number of seconds between ``low`` and ``high``: every generated time stays on the second."""
    return timedelta(seconds=int(low + rng.random() * (high - low)))


def _expo(rng: random.Random, mean_seconds: float) -> timedelta:
    return timedelta(seconds=int(rng.expovariate(1 / mean_seconds)))
