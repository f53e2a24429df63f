"""Run the registered analyzers on batches of items, in dependency order.

The pipeline is pure (no database): ``Pipeline.run(batch)`` returns, for each item, the results of
every analyzer keyed by analyzer name; ``analyze_items(items)`` is the flat, one-dict-per-item
form used by ``vigie analyze`` and by anyone who just wants answers. Storing results is
``vigie.analysis.actions``' job.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any, TypeVar

from vigie.analysis.contract import Analyzer, Item, Results
from vigie.core.safe_text import MAX_MENTION_TEXT

DEFAULT_BATCH_SIZE = 512
T = TypeVar("T")

# Every key ``vigie analyze`` writes, with the value it has when no analyzer provides it (yet).
OUTPUT_DEFAULTS: dict[str, Any] = {
    "language": None,
    "sentiment": None,
    "stars": None,
    "type": None,
    "themes": [],
    "toxicity": None,
    "personal_data": [],
    "priority": None,
}


class PipelineError(RuntimeError):
    """The analyzers cannot be put in order, or one broke the contract."""


@dataclass(frozen=True)
class AnalyzerVersion:
    name: str
    version: str


def order_analyzers(analyzers: Sequence[Analyzer]) -> list[Analyzer]:
    """``analyzers`` sorted so that each runs after those providing what it requires.

    Loud on a key provided twice, a required key nobody provides, and a cycle. Ties keep the
    given order, so the result is deterministic.
    """
    provider: dict[str, Analyzer] = {}
    for analyzer in analyzers:
        for key in analyzer.provides:
            if key in provider:
                raise PipelineError(
                    f"{key!r} is provided by both {provider[key].name!r} and {analyzer.name!r}"
                )
            provider[key] = analyzer
    for analyzer in analyzers:
        missing = sorted(key for key in analyzer.requires if key not in provider)
        if missing:
            raise PipelineError(
                f"analyzer {analyzer.name!r} requires {', '.join(missing)}, which no analyzer provides"
            )
    ordered: list[Analyzer] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(analyzer: Analyzer, path: list[str]) -> None:
        if analyzer.name in done:
            return
        if analyzer.name in visiting:
            raise PipelineError(
                f"analyzers depend on each other in a cycle: {' -> '.join([*path, analyzer.name])}"
            )
        visiting.add(analyzer.name)
        for key in sorted(analyzer.requires | {k for k in analyzer.uses if k in provider}):
            visit(provider[key], [*path, analyzer.name])
        visiting.discard(analyzer.name)
        done.add(analyzer.name)
        ordered.append(analyzer)

    for analyzer in analyzers:
        visit(analyzer, [])
    return ordered


class Pipeline:
    """Analyzers in dependency order, each loaded once."""

    def __init__(self, analyzers: Sequence[Analyzer]) -> None:
        self.analyzers = order_analyzers(analyzers)
        self._loaded = False
        self._lock = threading.Lock()

    @classmethod
    def from_registry(cls, names: Iterable[str] | None = None) -> Pipeline:
        """A pipeline of the registered analyzers (all of them, or those named)."""
        from vigie.analysis.registry import registered_analyzers

        registry = registered_analyzers()
        chosen = list(registry) if names is None else list(names)
        unknown = [name for name in chosen if name not in registry]
        if unknown:
            raise PipelineError(f"unknown analyzer(s): {', '.join(unknown)}")
        return cls([registry[name]() for name in chosen])

    @property
    def versions(self) -> list[AnalyzerVersion]:
        return [AnalyzerVersion(a.name, a.version) for a in self.analyzers]

    @property
    def provides(self) -> frozenset[str]:
        return frozenset().union(*(a.provides for a in self.analyzers))

    def load(self) -> None:
        """Load every analyzer's models once (thread-safe; later calls do nothing)."""
        with self._lock:
            if not self._loaded:
                for analyzer in self.analyzers:
                    analyzer.load()
                self._loaded = True

    def run(self, batch: Sequence[Item]) -> list[dict[str, Results]]:
        """For each item of ``batch``: ``{analyzer name: the results it returned}``."""
        self.load()
        batch = [bounded(item) for item in batch]
        # Every key provided so far is present in every item's results (the contract is checked
        # below), so the keys an analyzer may see are known for the whole batch.
        provided: set[str] = set()
        merged: list[Results] = [{} for _ in batch]
        per_analyzer: list[dict[str, Results]] = [{} for _ in batch]
        if not batch:
            return per_analyzer
        for analyzer in self.analyzers:
            # Each analyzer sees only what it declared it requires or uses: an undeclared
            # dependency would make the order of the pipeline silently matter.
            wanted = tuple(key for key in sorted(analyzer.requires | analyzer.uses) if key in provided)
            if wanted:
                previous = [{key: results[key] for key in wanted} for results in merged]
            else:
                previous = [{} for _ in batch]
            answers = analyzer.analyze(batch, previous)
            if len(answers) != len(batch):
                raise PipelineError(
                    f"analyzer {analyzer.name!r} returned {len(answers)} results for {len(batch)} items"
                )
            name, declared = analyzer.name, analyzer.provides
            for answer, results, by_analyzer in zip(answers, merged, per_analyzer, strict=True):
                # A keys view compares with a set in C, without building one per item.
                if answer.keys() != declared:
                    raise PipelineError(
                        f"analyzer {name!r} returned keys {sorted(answer)}, declared {sorted(declared)}"
                    )
                results.update(answer)
                by_analyzer[name] = answer
            provided |= declared
        return per_analyzer

    def analyze(self, batch: Sequence[Item]) -> list[Results]:
        """One flat dict per item: every key provided by the analyzers."""
        return [flatten(results) for results in self.run(batch)]


# The analyzers read at most this many characters of a text (and of a title), as much as a
# stored mention holds (``vigie.core.safe_text``): ``vigie analyze`` took 167 s and 5.5 GB for a
# 1.2 MB text, the themes' clauses growing faster than the text. Offsets into the text (personal
# data) stay valid: only the end is left out.
MAX_ANALYZED_TEXT = MAX_MENTION_TEXT
MAX_ANALYZED_TITLE = 1_000


def bounded(item: Item) -> Item:
    """``item`` with its text and title cut at what the analyzers read."""
    if len(item.text) <= MAX_ANALYZED_TEXT and len(item.title) <= MAX_ANALYZED_TITLE:
        return item
    return replace(item, text=item.text[:MAX_ANALYZED_TEXT], title=item.title[:MAX_ANALYZED_TITLE])


def flatten(per_analyzer: dict[str, Results]) -> Results:
    """Merge one item's per-analyzer results into a single dict of provided keys."""
    flat: Results = {}
    for results in per_analyzer.values():
        flat.update(results)
    return flat


def batched(items: Iterable[T], size: int = DEFAULT_BATCH_SIZE) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size`` (streaming: holds one batch at a time)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


_default: Pipeline | None = None
_default_lock = threading.Lock()


def default_pipeline() -> Pipeline:
    """The pipeline of every registered analyzer, built and loaded once per process.

    Once loaded, everything the process holds (Django, the models' tables) is moved out of the
    cyclic garbage collector's sight (``gc.freeze``): these objects live as long as the process,
    and each full collection walked all of them, about 90 ms a time, 4 times per 3,000 mentions
    of the stored pipeline (0.6 of its 4 CPU-seconds). Reference counting still frees
    everything as before; only cycles among what was frozen are never collected.
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = Pipeline.from_registry()
            first = True
        else:
            first = False
    _default.load()
    if first:
        gc.collect()  # what is garbage now is not kept for ever
        gc.freeze()
    return _default


def analyze_items(items: Iterable[Item], *, batch_size: int = DEFAULT_BATCH_SIZE) -> list[Results]:
    """Analyse ``items`` with every registered analyzer; one flat result dict per item, in order.

    Works without a database. Keys no registered analyzer provides are absent; see
    ``OUTPUT_DEFAULTS`` for the complete output shape of ``vigie analyze``.
    """
    pipeline = default_pipeline()
    results: list[Results] = []
    for batch in batched(items, batch_size):
        results.extend(pipeline.analyze(batch))
    return results
