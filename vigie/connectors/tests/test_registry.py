"""The connector registry: built-ins from one list, plug-ins by entry point, loud failures."""

from __future__ import annotations

from typing import ClassVar

import pytest

from vigie.connectors import registry
from vigie.connectors.builtin.feed.connector import FeedConnector
from vigie.connectors.contract import Connector, ConnectorConfig
from vigie.connectors.registry import RegistryError, UnknownPlatform, build_registry


class OtherFeed(Connector[ConnectorConfig]):
    slug: ClassVar[str] = "feed"
    label: ClassVar[str] = "another feed"
    Config: ClassVar[type[ConnectorConfig]] = ConnectorConfig


class NoSlug(Connector[ConnectorConfig]):
    label: ClassVar[str] = "nameless"
    Config: ClassVar[type[ConnectorConfig]] = ConnectorConfig


class NotAConnector:
    slug = "rogue"


class Plugin(Connector[ConnectorConfig]):
    slug: ClassVar[str] = "acme-forum"
    label: ClassVar[str] = "Forum Acme"
    Config: ClassVar[type[ConnectorConfig]] = ConnectorConfig


FEED = "vigie.connectors.builtin.feed.connector:FeedConnector"


def test_the_builtin_platforms_of_this_wave_are_registered() -> None:
    slugs = set(registry.all_connectors())
    assert {"feed", "file", "webhook"} <= slugs
    assert registry.get_connector_class("feed") is FeedConnector


def test_an_unknown_platform_names_the_known_ones() -> None:
    with pytest.raises(UnknownPlatform, match="feed"):
        registry.get_connector_class("myspace")


def test_a_plugin_entry_point_adds_a_platform() -> None:
    found = build_registry([FEED], [("acme-forum = acme:Plugin", Plugin)])
    assert found["acme-forum"] is Plugin


def test_a_duplicate_slug_fails_loudly_naming_both_origins() -> None:
    with pytest.raises(RegistryError, match="duplicate connector slug 'feed'.*other = x:OtherFeed"):
        build_registry([FEED], [("other = x:OtherFeed", OtherFeed)])


@pytest.mark.parametrize(
    ("candidate", "message"),
    [(NotAConnector, "does not subclass"), (NoSlug, "has no slug")],
)
def test_a_bad_class_fails_loudly(candidate: type, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        build_registry([], [("bad = x:Bad", candidate)])


def test_an_unimportable_builtin_path_fails_loudly() -> None:
    with pytest.raises(RegistryError, match="cannot import connector"):
        build_registry(["vigie.connectors.builtin.nowhere:Nothing"])


def test_the_registry_rereads_the_builtin_list_after_a_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    from vigie.connectors import builtin

    assert "file" in registry.all_connectors()
    monkeypatch.setattr(builtin, "BUILTIN_CONNECTORS", [FEED])
    registry.reset()
    try:
        assert list(registry.all_connectors()) == ["feed"]
    finally:
        monkeypatch.undo()
        registry.reset()
    assert "file" in registry.all_connectors()
