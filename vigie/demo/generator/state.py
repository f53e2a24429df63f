"""What the generator carries from one mention to the next.

The generator is one class assembled from mixins, one per concern (``people``, ``texts``,
``metrics``, ``payloads``, ``cases``); ``_State`` declares the state they share, which
``mentions._Generator.__init__`` sets: the seeded stream, the cast of people met so far and the
threads a reply can answer to."""

from __future__ import annotations

import itertools
import random
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime

from vigie.demo.organisation import PersonSpec


@dataclass(slots=True)
class _Person:
    pid: int
    lang: str
    first: str
    last: str
    style: str
    role: str  # member, influencer, journalist, troll, spammer
    location_key: str
    followers: int
    handle: str


class _State:
    rng: random.Random
    seed: int
    size: int
    now: datetime
    days: int
    crisis_start: date
    org_handle: str
    _pid: itertools.count[int]
    _reply_seq: itertools.count[int]
    _recent: dict[str, deque[_Person]]
    _cast: dict[tuple[str, str], list[_Person]]
    # Recent thread starters per source, for replies: (external_id, themes, author handle).
    _threads: dict[str, deque[tuple[str, list[str], str]]]
    _viral: dict[str, deque[tuple[str, list[str], str]]]
    _agents: dict[str, tuple[tuple[str, ...], list[float]]]
    _staff: dict[str, PersonSpec]
    # Set while a text is written when its wording carries a legal risk.
    _legal: bool
    _team_names: dict[str, str]
