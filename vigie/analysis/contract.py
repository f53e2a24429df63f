"""The analyzer contract: ``name``, ``version``, ``provides``, ``requires``, ``load()``,
``analyze(batch)``. Analyzers are pure: they read items and earlier results, and return new
results; they never touch the database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True)
class Item:
    """What an analyzer sees of a mention."""

    id: str
    text: str
    title: str = ""
    platform: str = ""
    kind: str = ""
    rating: float | None = None  # the platform's rating on 1–5, when there is one
    language_hint: str = ""  # the source's language, used when the text is too short to tell
    created_at: datetime | None = None
    author_followers: int | None = None
    likes: int = 0
    shares: int = 0
    replies_count: int = 0
    reach: int = 0
    # Who wrote it, as an opaque key (same author, same key), and how many mentions of theirs the
    # organisation has seen including this one (None: unknown); the suspicious-review analyzer
    # tells authors apart and spots brand-new accounts with them.
    author_id: str = ""
    author_mentions_count: int | None = None
    # Organisation-specific settings an analyzer may use (taxonomy, order-number patterns…).
    context: dict[str, Any] = field(default_factory=dict)


# One dict per item: the results gathered so far, keyed by what each analyzer ``provides``
# (e.g. "language", "sentiment", "stars", "type", "themes", "toxicity", "personal_data", "priority").
Results = dict[str, Any]


class Analyzer(ABC):
    """Base class of an analyzer. ``analyze`` receives the batch and, for each item, the results of
    the analyzers it ``requires``; it returns, for each item, a dict with exactly the keys it
    ``provides``."""

    name: ClassVar[str]
    version: ClassVar[str]
    provides: ClassVar[frozenset[str]]
    requires: ClassVar[frozenset[str]] = frozenset()
    # Keys used when some analyzer provides them, ignored otherwise: the pipeline runs their
    # providers first and passes whatever of them exists in ``previous``.
    uses: ClassVar[frozenset[str]] = frozenset()

    def load(self) -> None:  # noqa: B027 - optional hook, most analyzers load lazily or not at all
        """Load models or dictionaries once, before the first batch."""

    @abstractmethod
    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        """Analyse ``batch``; ``previous[i]`` holds the results already computed for ``batch[i]``
        (the keys of ``requires``, and those of ``uses`` that some analyzer provides)."""
