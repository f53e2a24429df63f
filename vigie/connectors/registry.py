"""The connector registry: built-ins listed in ``vigie.connectors.builtin`` plus third-party
plug-ins declared under the ``vigie.connectors`` entry point group.

Registration fails loudly: a duplicate slug or a class that is not a proper ``Connector`` raises
``RegistryError`` the first time the registry is read, instead of silently shadowing a platform.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel

from vigie.connectors.contract import Connector, ConnectorConfig

ENTRY_POINT_GROUP = "vigie.connectors"

_registry: dict[str, type[Connector[Any]]] | None = None


class RegistryError(RuntimeError):
    """The set of connectors is inconsistent (duplicate slug, bad class, unimportable path)."""


class UnknownPlatform(LookupError):
    """No connector is registered under that slug."""


def import_dotted(path: str) -> Any:
    """Import ``package.module:Name`` (or ``package.module.Name``) and return the object."""
    module_name, _, attr = path.partition(":") if ":" in path else path.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise RegistryError(f"cannot import connector {path!r}: {exc}") from exc


def check_connector_class(candidate: Any, origin: str) -> type[Connector[Any]]:
    """``candidate`` if it is a usable connector class, else ``RegistryError`` naming ``origin``."""
    if not (inspect.isclass(candidate) and issubclass(candidate, Connector)):
        raise RegistryError(f"{origin}: {candidate!r} does not subclass vigie.connectors.contract.Connector")
    slug = getattr(candidate, "slug", None)
    if not isinstance(slug, str) or not slug:
        raise RegistryError(f"{origin}: {candidate.__name__} has no slug")
    config = getattr(candidate, "Config", None)
    if not (
        inspect.isclass(config) and issubclass(config, BaseModel) and issubclass(config, ConnectorConfig)
    ):
        raise RegistryError(f"{origin}: {candidate.__name__}.Config must subclass ConnectorConfig")
    return candidate


def build_registry(
    builtin_paths: Iterable[str], plugins: Iterable[tuple[str, Any]] = ()
) -> dict[str, type[Connector[Any]]]:
    """Build a slug → class map from dotted paths and ``(origin, loader)`` plug-in pairs.

    ``loader`` is an object with ``load()`` (an entry point) or the class itself.
    """
    found: dict[str, type[Connector[Any]]] = {}
    origins: dict[str, str] = {}

    def add(cls: type[Connector[Any]], origin: str) -> None:
        if cls.slug in found and found[cls.slug] is not cls:
            raise RegistryError(f"duplicate connector slug {cls.slug!r}: {origins[cls.slug]} and {origin}")
        found[cls.slug] = cls
        origins[cls.slug] = origin

    for path in builtin_paths:
        add(check_connector_class(import_dotted(path), path), path)
    for origin, loader in plugins:
        try:
            candidate = loader.load() if hasattr(loader, "load") else loader
        except Exception as exc:
            raise RegistryError(f"entry point {origin}: cannot load: {exc}") from exc
        add(check_connector_class(candidate, origin), origin)
    return found


def _entry_point_plugins() -> list[tuple[str, Any]]:
    return [(f"{ep.name} = {ep.value}", ep) for ep in entry_points(group=ENTRY_POINT_GROUP)]


def _builtin_paths() -> list[str]:
    # Read when the registry is built (first use, or after ``reset``), not at import time.
    from vigie.connectors import builtin

    return list(builtin.BUILTIN_CONNECTORS)


def reset() -> None:
    """Forget the registry so the next read rebuilds it (tests, plug-in installs)."""
    global _registry
    _registry = None


def _load() -> dict[str, type[Connector[Any]]]:
    global _registry
    if _registry is None:
        _registry = build_registry(_builtin_paths(), _entry_point_plugins())
    return _registry


def all_connectors() -> dict[str, type[Connector[Any]]]:
    """Every registered connector class by slug, sorted by slug."""
    return dict(sorted(_load().items()))


def get_connector_class(slug: str) -> type[Connector[Any]]:
    """The connector class registered as ``slug``; ``UnknownPlatform`` if there is none."""
    try:
        return _load()[slug]
    except KeyError:
        known = ", ".join(sorted(_load()))
        raise UnknownPlatform(f"unknown platform {slug!r} (known: {known})") from None


# Platforms Vigie may hold mentions of without a connector of its own (imported files, webhooks,
# a plug-in since removed): their usual spelling.
KNOWN_PLATFORMS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "x": "X",
    "twitter": "X (Twitter)",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "google": "Google",
    "tripadvisor": "Tripadvisor",
    "glassdoor": "Glassdoor",
    "indeed": "Indeed",
    "reddit": "Reddit",
    "press": "Presse",
}


def platform_label(slug: str) -> str:
    """The connector's name for a platform slug ("google_business" -> "Google Business Profile"),
    else the platform's usual name, else the slug itself."""
    try:
        return str(get_connector_class(slug).label)
    except UnknownPlatform:
        return KNOWN_PLATFORMS.get(slug, slug)
