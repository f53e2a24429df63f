"""Structured logs: one JSON object a line when ``VIGIE_LOG_FORMAT=json``, for log collectors.

Fields: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, and ``exception`` with the
traceback when there is one; extra attributes a caller passes with ``extra=`` are kept when they
are plain values. Messages are what the code logs: Vigie never logs a secret or a customer's text.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has: not "extra" fields.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if (
                key not in _STANDARD
                and not key.startswith("_")
                and isinstance(value, str | int | float | bool)
            ):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
