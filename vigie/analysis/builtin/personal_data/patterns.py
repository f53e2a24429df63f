"""``vigie analyze --patterns FILE.yaml``: the organisation's order and customer number patterns.

The file is a YAML list of ``{kind: order_number | customer_number, pattern: REGEX}``, e.g.::

    - kind: order_number
      pattern: '\\bCMD-\\d{6}\\b'
    - kind: customer_number
      pattern: '\\bCLI\\d{8}\\b'

It is checked here, at the edge, before any analysis: ``PatternsError`` says in one line what is
wrong (not a list, an unknown kind or key, an invalid regular expression, one that matches the
empty text or could backtrack for ever, too many or too long patterns). Nothing here needs Django.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from vigie.analysis.builtin.personal_data.detect import PATTERN_KINDS, unsafe_pattern_reason

MAX_PATTERNS = 50
MAX_PATTERN_LENGTH = 200


class PatternsError(ValueError):
    """A one-line reason the patterns file cannot be used."""


def load_patterns_file(path: Path) -> list[tuple[str, str]]:
    """The ``(kind, pattern)`` pairs of the YAML file at ``path``; ``PatternsError`` when invalid."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PatternsError(f"{path} cannot be read ({exc.__class__.__name__})") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise PatternsError(f"{path} is not valid YAML{where}") from None
    return parse_patterns(data)


def parse_patterns(data: object) -> list[tuple[str, str]]:
    """The ``(kind, pattern)`` pairs of already parsed YAML ``data``; ``PatternsError`` when invalid."""
    if not isinstance(data, list):
        raise PatternsError(
            "expected a YAML list of {kind: order_number | customer_number, pattern: REGEX}, "
            f"got {'nothing' if data is None else type(data).__name__}"
        )
    if len(data) > MAX_PATTERNS:
        raise PatternsError(f"{len(data)} patterns: at most {MAX_PATTERNS} are allowed")
    kinds = " or ".join(PATTERN_KINDS)
    pairs = []
    for number, entry in enumerate(data, start=1):
        where = f"entry {number}"
        if not isinstance(entry, dict):
            raise PatternsError(
                f"{where}: expected a mapping with kind and pattern, got {type(entry).__name__}"
            )
        unknown = sorted(str(key) for key in entry if key not in ("kind", "pattern"))
        if unknown:
            raise PatternsError(f"{where}: unknown key {unknown[0]!r} (expected kind and pattern)")
        kind, pattern = entry.get("kind"), entry.get("pattern")
        if kind not in PATTERN_KINDS:
            raise PatternsError(f"{where}: unknown kind {kind!r} (expected {kinds})")
        if not isinstance(pattern, str) or not pattern:
            raise PatternsError(f"{where}: pattern must be a non-empty string (a regular expression)")
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise PatternsError(
                f"{where}: pattern of {len(pattern)} characters, at most {MAX_PATTERN_LENGTH}"
            )
        reason = unsafe_pattern_reason(pattern)
        if reason is not None:
            raise PatternsError(f"{where}: pattern {pattern!r}: {reason}")
        if re.compile(pattern).fullmatch(""):
            raise PatternsError(f"{where}: pattern {pattern!r} matches the empty text")
        pairs.append((kind, pattern))
    return pairs
