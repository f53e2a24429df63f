"""The connector registry: built-ins listed in ``vigie.connectors.builtin`` plus third-party
plug-ins declared under the ``vigie.connectors`` entry point group.

Registration fails loudly: a duplicate slug, a class that is not a proper ``Connector`` or a
platform fact declared wrong (see ``check_platform_facts``) raises ``RegistryError`` the first time
the registry is read, instead of silently shadowing a platform or guessing what it can do.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel

from vigie.connectors import platforms
from vigie.connectors.contract import Connector, ConnectorConfig
from vigie.connectors.platforms import Capability, LengthLimit, PlatformKind, ReplyFormat, UnknownPlatform

__all__ = [
    "RegistryError",
    "UnknownPlatform",
    "all_connectors",
    "build_registry",
    "check_connector_class",
    "check_platform_facts",
    "get_connector_class",
    "platform_label",
    "reset",
    "url_modules",
]

ENTRY_POINT_GROUP = "vigie.connectors"

_registry: dict[str, type[Connector[Any]]] | None = None


class RegistryError(RuntimeError):
    """The set of connectors is inconsistent (duplicate slug, bad class, unimportable path)."""


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
    check_platform_facts(candidate, origin)
    return candidate


def check_platform_facts(cls: type[Connector[Any]], origin: str) -> None:
    """``RegistryError`` when what ``cls`` declares about its platform is malformed or contradicts
    itself (Vigie would otherwise guess, and guess wrong, at publishing time)."""
    name = f"{origin}: {cls.__name__}"
    label = getattr(cls, "label", None)
    if not isinstance(label, str) or not label:
        raise RegistryError(f"{name} has no label")
    capabilities = cls.capabilities
    if not isinstance(capabilities, frozenset) or not all(isinstance(c, Capability) for c in capabilities):
        raise RegistryError(f"{name}.capabilities must be a frozenset of Capability values")
    for attribute in ("reply_replaces", "reply_idempotent"):
        value = getattr(cls, attribute)
        if not isinstance(value, bool):
            raise RegistryError(f"{name}.{attribute} must be True or False, not {value!r}")
        if value and Capability.REPLY not in capabilities:
            raise RegistryError(f"{name} declares {attribute} but not Capability.REPLY")
    if cls.reply_limit is not None and not isinstance(cls.reply_limit, LengthLimit):
        raise RegistryError(f"{name}.reply_limit must be a LengthLimit or None")
    if not isinstance(cls.reply_format, ReplyFormat):
        raise RegistryError(f"{name}.reply_format must be a ReplyFormat")
    if not isinstance(cls.kind, PlatformKind):
        raise RegistryError(f"{name}.kind must be a PlatformKind")
    if cls.urls is not None and (not isinstance(cls.urls, str) or not cls.urls):
        raise RegistryError(f"{name}.urls must be a dotted module path or None")
    if Capability.EDIT_REPLY in capabilities and not (
        Capability.REPLY in capabilities and (cls.reply_replaces or Capability.DELETE_REPLY in capabilities)
    ):
        raise RegistryError(
            f"{name} declares Capability.EDIT_REPLY: it needs Capability.REPLY and either "
            "reply_replaces (a new reply replaces the old) or Capability.DELETE_REPLY (delete and re-send)"
        )
    row = platforms.UNCONNECTED.get(cls.slug)
    if row is not None and row.kind is not cls.kind:
        raise RegistryError(
            f"{name} declares kind {cls.kind.value!r} for {cls.slug!r}, "
            f"which vigie.connectors.platforms lists as {row.kind.value!r}"
        )


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
        cls = check_connector_class(import_dotted(path), path)
        if cls.slug in platforms.UNCONNECTED:
            raise RegistryError(
                f"{path}: {cls.slug!r} is also listed in vigie.connectors.platforms.UNCONNECTED; "
                "a platform with a built-in connector is declared by its connector only"
            )
        add(cls, path)
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
    platforms.forget()


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


def url_modules() -> list[str]:
    """The URL modules registered connectors declare for their own pages (``Connector.urls``)."""
    return [cls.urls for cls in all_connectors().values() if cls.urls]


def platform_label(slug: str) -> str:
    """A platform's name for people; see ``vigie.connectors.platforms.platform_label``."""
    return platforms.platform_label(slug)
