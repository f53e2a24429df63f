"""The readable form of a subject's export: one self-contained HTML page (no external asset)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils.formats import date_format


def _readable(value: Any, key: str = "") -> Any:
    """Dates of the export (ISO, in the organisation's zone) written the way people read them."""
    if isinstance(value, dict):
        return {k: _readable(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_readable(v, key) for v in value]
    if isinstance(value, str) and (key.endswith("_at") or key == "at"):
        try:
            return date_format(datetime.fromisoformat(value), "DATETIME_FORMAT")
        except ValueError:
            return value
    return value


def render_html(document: dict[str, Any]) -> str:
    """The export ``document`` (``queries.export_subject``) as an HTML page to hand to the person."""
    return render_to_string("privacy/export.html", {"export": _readable(document)})
