"""The apps that hold personal data beyond the mentions and the inbox: the extension point.

The privacy app sits above them in the layers, so they cannot register into it; instead privacy
asks each app named in ``HOLDER_APPS`` for these optional functions, by name, through its public
``queries`` and ``actions`` modules (an app that has none of them is simply skipped):

``queries.personal_links(organisation, identifiers) -> dict[str, list]``
    What the app's records lead to elsewhere: ``mention_ids`` and ``author_ids`` (erased as the
    person's own: an outreach contact's survey answers are mentions), ``names`` (redacted in the
    person's cases).
``queries.personal_data(organisation, identifiers) -> dict[str, list[dict]]``
    What the app holds about the person; ``identifiers`` is ``{"emails": [...], "phones": [...],
    "handles": [...], "names": [...]}``. Each key becomes a section of the export (JSON-ready
    values: strings, numbers, ISO dates).
``queries.personal_data_sections() -> dict[str, tuple[str, type[Model] | None]]``
    For each section ``personal_data`` returns (and each count of the same name): its title for
    people, in the active language, and the model its rows are read from, whose fields' choices
    and verbose names label the values of the readable export (``None``: the keys as they are).
``actions.do_erase_personal_data(organisation, identifiers, *, keep_mention_ids, dry_run) -> dict[str, int]``
    Erase or pseudonymise it (sparing what concerns a mention in ``keep_mention_ids``: legal
    hold) and say how many of each thing; with ``dry_run`` only count.
``queries.rectifiable_data(organisation, identifiers) -> list[dict[str, str]]``
    The records a rectification (art. 16) of the identifier as typed would correct: ``what``,
    ``name``, ``email``, ``phone``.
``actions.do_rectify_personal_data(organisation, identifiers, corrections) -> dict``
    Correct them (``corrections``: ``name``, ``email``, ``phone``; empty: unchanged); returns counts
    and ``fields``, the names of the fields changed; raises a ``ValueError`` with a ``code`` to
    refuse (nothing written).
``actions.do_apply_retention(organisation, retention, *, now, keep_mention_ids, dry_run) -> dict[str, int]``
    Apply the charter's retention (``retention`` is its ``model_dump()``: a ``days``/``action``
    pair per kind) to what the app stores, in batches, and say how many of each thing.
``queries.processing_records() -> list[dict[str, str]]``
    Lines for the records of processing (article 30): ``what``, ``why``, ``basis``, ``where``,
    ``kind`` (a retention kind of the charter, or ``""``).

Counts only, never contents: privacy writes them to the audit log.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

HOLDER_APPS: tuple[str, ...] = ("vigie.outreach", "vigie.evidence")


def _module(app: str, role: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"{app}.{role}")
    except ModuleNotFoundError as error:
        if error.name and f"{app}.{role}".startswith(error.name):
            return None  # the app has no such module: it holds nothing of this kind
        raise


def hooks(role: str, name: str) -> list[tuple[str, Callable[..., Any]]]:
    """``(app label, function)`` for each holder app whose ``role`` module defines ``name``."""
    found = []
    for app in HOLDER_APPS:
        module = _module(app, role)
        function = getattr(module, name, None) if module is not None else None
        if callable(function):
            found.append((app.rsplit(".", 1)[-1], function))
    return found
