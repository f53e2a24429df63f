"""Text from outside, made safe to store, export and analyse.

- NUL and the other C0 control characters (but tab, line feed and carriage return) are removed:
  PostgreSQL refuses NUL in text and JSON, and an XLSX file cannot hold any of them.
- Lone UTF-16 surrogates (``"\\ud800"`` in JSON) become U+FFFD: no database can encode them.
- A mention's text is cut at ``MAX_MENTION_TEXT`` characters (the whole text stays in the raw
  payload): one 2 MB review must not hold an analysis worker for minutes.
- A cell a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return
  first) is written with a leading apostrophe in every CSV or XLSX export.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_MENTION_TEXT",
    "clean_json",
    "clean_text",
    "json_too_deep",
    "neutralise_cell",
]

MAX_MENTION_TEXT = 20_000
MAX_JSON_DEPTH = 32

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str, replacement: str = "") -> str:
    """``value`` without control characters (or with ``replacement`` in their place) nor lone
    surrogates."""
    if not value:
        return value
    value = _CONTROL.sub(replacement, value)
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value


def clean_json(value: Any, replacement: str = "") -> Any:
    """A JSON value with every string (keys too) passed through ``clean_text``."""
    if isinstance(value, str):
        return clean_text(value, replacement)
    if isinstance(value, dict):
        return {
            clean_text(str(key), replacement): clean_json(item, replacement) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_json(item, replacement) for item in value]
    return value


def json_too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a parsed JSON value nests more than ``limit`` objects or arrays."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def neutralise_cell(value: Any) -> Any:
    """A cell value a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str):
        value = clean_text(value)
        if value[:1] in FORMULA_PREFIXES:
            return "'" + value
    return value
