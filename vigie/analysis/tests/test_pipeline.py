from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import pytest

from vigie.analysis.contract import Analyzer, Item, Results
from vigie.analysis.pipeline import Pipeline, PipelineError, analyze_items, batched, order_analyzers


def make(
    name: str, provides: set[str], requires: set[str] = frozenset(), uses: set[str] = frozenset()
) -> Analyzer:  # type: ignore[assignment]
    class Made(Analyzer):
        def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
            return [{key: f"{name}<{sorted(prev)}>" for key in self.provides} for prev in previous]

    Made.name = name
    Made.version = "1"
    Made.provides = frozenset(provides)
    Made.requires = frozenset(requires)
    Made.uses = frozenset(uses)
    return Made()


def names(analyzers: Sequence[Analyzer]) -> list[str]:
    return [a.name for a in analyzers]


def test_analyzers_run_after_those_they_require() -> None:
    priority = make("priority", {"priority"}, requires={"sentiment", "language"})
    sentiment = make("sentiment", {"sentiment"}, requires={"language"})
    language = make("language", {"language"})
    assert names(order_analyzers([priority, sentiment, language])) == ["language", "sentiment", "priority"]


def test_a_cycle_is_a_loud_error() -> None:
    a = make("a", {"x"}, requires={"y"})
    b = make("b", {"y"}, requires={"x"})
    with pytest.raises(PipelineError, match="cycle"):
        order_analyzers([a, b])


def test_a_missing_provider_is_a_loud_error() -> None:
    with pytest.raises(PipelineError, match="requires sentiment, which no analyzer provides"):
        order_analyzers([make("priority", {"priority"}, requires={"sentiment"})])


def test_a_key_provided_twice_is_a_loud_error() -> None:
    with pytest.raises(PipelineError, match="provided by both"):
        order_analyzers([make("a", {"x"}), make("b", {"x"})])


def test_optional_inputs_are_passed_when_provided_and_ignored_otherwise() -> None:
    reader = make("reader", {"out"}, uses={"language", "sentiment"})
    language = make("language", {"language"})
    pipeline = Pipeline([reader, language])
    assert names(pipeline.analyzers) == ["language", "reader"]
    [result] = pipeline.analyze([Item(id="1", text="x")])
    assert result["out"] == "reader<['language']>"


def test_an_analyzer_sees_only_what_it_declared() -> None:
    language = make("language", {"language"})
    loner = make("loner", {"alone"})
    [result] = Pipeline([language, loner]).analyze([Item(id="1", text="x")])
    assert result["alone"] == "loner<[]>"


def test_it_keeps_results_per_analyzer_and_their_versions() -> None:
    pipeline = Pipeline([make("language", {"language"})])
    [per_analyzer] = pipeline.run([Item(id="1", text="x")])
    assert per_analyzer == {"language": {"language": "language<[]>"}}
    assert [(v.name, v.version) for v in pipeline.versions] == [("language", "1")]


class WrongKeys(Analyzer):
    name = "wrong"
    version = "1"
    provides: ClassVar[frozenset[str]] = frozenset({"a"})

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        return [{"b": 1} for _ in batch]


class TooFew(WrongKeys):
    name = "few"

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        return []


@pytest.mark.parametrize(
    ("analyzer", "message"), [(WrongKeys(), "returned keys"), (TooFew(), "returned 0 results")]
)
def test_an_analyzer_breaking_the_contract_is_caught(analyzer: Analyzer, message: str) -> None:
    with pytest.raises(PipelineError, match=message):
        Pipeline([analyzer]).analyze([Item(id="1", text="x")])


class CountingLoads(WrongKeys):
    name = "counting"
    loads = 0

    def load(self) -> None:
        type(self).loads += 1

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        return [{"a": 1} for _ in batch]


def test_each_analyzer_is_loaded_once() -> None:
    pipeline = Pipeline([CountingLoads()])
    for _ in range(3):
        pipeline.analyze([Item(id="1", text="x")])
    assert CountingLoads.loads == 1


def test_batched_streams_in_chunks() -> None:
    assert [len(chunk) for chunk in batched(range(1030), 512)] == [512, 512, 6]


def test_analyze_items_works_without_a_database() -> None:
    results = analyze_items(
        [Item(id=str(i), text=f"Bonjour, écrivez-moi à client{i}@exemple.fr") for i in range(3)]
    )
    assert [r["language"] for r in results] == ["fr", "fr", "fr"]
    assert all(r["personal_data"][0]["kind"] == "email" for r in results)
    assert all(0 <= r["priority"]["score"] <= 100 for r in results)
