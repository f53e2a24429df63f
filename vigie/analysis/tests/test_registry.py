from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from typing import ClassVar

import pytest

from vigie.analysis.builtin import BUILTIN_ANALYZERS
from vigie.analysis.contract import Analyzer, Item, Results
from vigie.analysis.registry import RegistryError, build_registry, registered_analyzers


class Echo(Analyzer):
    name = "echo"
    version = "1"
    provides: ClassVar[frozenset[str]] = frozenset({"echo"})

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        return [{"echo": item.text} for item in batch]


class EchoTwin(Echo):
    pass


class NoVersion(Echo):
    version = ""


class Abstract(Analyzer):
    name = "abstract"
    version = "1"
    provides: ClassVar[frozenset[str]] = frozenset({"abstract"})


class NotAnAnalyzer:
    name = "plain"


HERE = __name__


def entry_point(name: str, attribute: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=f"{HERE}:{attribute}", group="vigie.analyzers")


def test_every_builtin_analyzer_is_registered_under_its_name() -> None:
    registry = registered_analyzers()
    assert len(registry) == len(BUILTIN_ANALYZERS)
    assert {"language", "personal_data", "priority", "suspicious"} <= set(registry)


def test_it_adds_analyzers_from_entry_points() -> None:
    registry = build_registry([], [entry_point("echo", "Echo")])
    assert registry == {"echo": Echo}


def test_it_refuses_two_analyzers_with_the_same_name() -> None:
    with pytest.raises(RegistryError, match="two analyzers are named 'echo'"):
        build_registry([f"{HERE}.Echo"], [entry_point("twin", "EchoTwin")])


def test_it_refuses_a_path_that_does_not_import() -> None:
    with pytest.raises(RegistryError, match="cannot import"):
        build_registry(["vigie.analysis.builtin.nowhere.Nothing"])


def test_it_refuses_a_missing_class() -> None:
    with pytest.raises(RegistryError, match="has no 'Missing'"):
        build_registry([f"{HERE}.Missing"])


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        ("NotAnAnalyzer", "is not a subclass"),
        ("Abstract", "is abstract"),
        ("NoVersion", "version must be a non-empty str"),
    ],
)
def test_it_refuses_bad_classes(attribute: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        build_registry([f"{HERE}.{attribute}"])


def test_an_entry_point_that_fails_to_load_is_an_error() -> None:
    with pytest.raises(RegistryError, match="cannot load"):
        build_registry([], [entry_point("broken", "DoesNotExist")])


def test_the_hugging_face_analyzer_is_registered_only_when_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered_analyzers.cache_clear()
    monkeypatch.setenv("VIGIE_HF_MODEL_DIR", "/nowhere")
    try:
        assert "hf_model" in registered_analyzers()
    finally:
        registered_analyzers.cache_clear()
    monkeypatch.delenv("VIGIE_HF_MODEL_DIR")
    assert "hf_model" not in registered_analyzers()
