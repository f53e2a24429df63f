"""Which analyzers exist: the built-ins listed in ``builtin.BUILTIN_ANALYZERS`` plus third-party
classes registered under the ``vigie.analyzers`` entry point group.

Registration fails loudly: a dotted path that does not import, something that is not an
``Analyzer`` subclass, a class missing ``name``/``version``/``provides``, or two analyzers with the
same name all raise ``RegistryError`` — a silently missing analyzer would produce quietly wrong
analyses.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import os
from collections.abc import Iterable
from functools import cache

from vigie.analysis.contract import Analyzer

ENTRY_POINT_GROUP = "vigie.analyzers"
# Registered only when its model directory is configured: without weights it has nothing to say,
# and it would store an empty result for every mention.
OPTIONAL_ANALYZERS: dict[str, str] = {
    "VIGIE_HF_MODEL_DIR": "vigie.analysis.builtin.hf_model.analyzer.HuggingFaceAnalyzer",
}
# Built-ins an operator may switch off with the variable set to 0 (or false, no, off): the sentence
# encoder's second opinion on social posts and uncertain English reviews (docs/models.md) costs
# about 2 ms of CPU per text it reads and ~135 MB per worker once loaded.
SWITCHABLE_ANALYZERS: dict[str, str] = {
    "VIGIE_ENCODER": "vigie.analysis.builtin.encoder.analyzer.EncoderSentimentAnalyzer",
}
_OFF = {"0", "false", "no", "off"}


class RegistryError(RuntimeError):
    """An analyzer could not be registered (bad path, bad class, duplicate name)."""


def _import_dotted(path: str) -> object:
    module_name, _, attribute = path.rpartition(".")
    if not module_name:
        raise RegistryError(f"analyzer {path!r} is not a dotted path module.Class")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise RegistryError(f"analyzer {path!r}: cannot import {module_name!r}: {exc}") from exc
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise RegistryError(f"analyzer {path!r}: {module_name!r} has no {attribute!r}") from None


def check_analyzer_class(candidate: object, origin: str) -> type[Analyzer]:
    """``candidate`` if it is a usable analyzer class, else a ``RegistryError`` naming ``origin``."""
    if not (inspect.isclass(candidate) and issubclass(candidate, Analyzer)):
        raise RegistryError(f"{origin}: {candidate!r} is not a subclass of vigie.analysis.contract.Analyzer")
    if inspect.isabstract(candidate):
        raise RegistryError(f"{origin}: {candidate.__name__} is abstract (implement analyze)")
    for attribute, kind in (("name", str), ("version", str), ("provides", frozenset)):
        value = getattr(candidate, attribute, None)
        if not isinstance(value, kind) or not value:
            raise RegistryError(
                f"{origin}: {candidate.__name__}.{attribute} must be a non-empty {kind.__name__}"
            )
    for attribute in ("requires", "uses"):
        if not isinstance(getattr(candidate, attribute), frozenset):
            raise RegistryError(f"{origin}: {candidate.__name__}.{attribute} must be a frozenset")
    return candidate


def build_registry(
    builtin_paths: Iterable[str], entry_points: Iterable[importlib.metadata.EntryPoint] = ()
) -> dict[str, type[Analyzer]]:
    """Analyzer classes by name, from dotted paths and entry points; loud on any bad entry."""
    found: dict[str, type[Analyzer]] = {}
    origins: dict[str, str] = {}

    def add(candidate: object, origin: str) -> None:
        cls = check_analyzer_class(candidate, origin)
        if cls.name in found:
            raise RegistryError(f"two analyzers are named {cls.name!r}: {origins[cls.name]} and {origin}")
        found[cls.name] = cls
        origins[cls.name] = origin

    for path in builtin_paths:
        add(_import_dotted(path), path)
    for entry_point in entry_points:
        origin = f"entry point {entry_point.name!r} ({entry_point.value})"
        try:
            loaded = entry_point.load()
        except Exception as exc:  # any import-time failure of a plug-in is a registration error
            raise RegistryError(f"{origin}: cannot load: {exc}") from exc
        add(loaded, origin)
    return found


@cache
def registered_analyzers() -> dict[str, type[Analyzer]]:
    """Every analyzer Vigie knows, by name: built-ins (less those switched off), optional ones whose
    setting is present, then ``vigie.analyzers`` entry points."""
    from vigie.analysis.builtin import BUILTIN_ANALYZERS

    switched_off = {
        path
        for variable, path in SWITCHABLE_ANALYZERS.items()
        if os.environ.get(variable, "").strip().lower() in _OFF
    }
    builtin = [path for path in BUILTIN_ANALYZERS if path not in switched_off]
    optional = [path for variable, path in OPTIONAL_ANALYZERS.items() if os.environ.get(variable)]
    return build_registry([*builtin, *optional], importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
