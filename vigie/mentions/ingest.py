"""The ingest step of the pipeline (``vigie.core.pipeline``): what connectors read, stored.

Three doors, each storing pages through ``do_ingest_page`` (one transaction per page, the
source's cursor advanced in it), which hands the new and changed mentions on to the analysis
after the commit:

* ``do_fetch_source``: a fetch run, reading a source page by page through its connector (the
  ``mentions.fetch_source`` job, queued by the connectors' scheduler and "fetch now" button);
* ``do_import_file``: a CSV, XLSX, JSON or JSONL file read into a source (``vigie import``);
* ``do_receive_webhook``: a signed delivery pushed to a webhook source (the connectors' endpoint
  runs the ``mentions.receive_webhook`` job).

Everything about the ``Source`` itself (claim, cursor, health, its connector and files) is the
connectors' business, done through ``vigie.connectors.actions``.
"""

from __future__ import annotations

import contextlib
import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vigie.connectors.actions import (
    MAX_PAGES_PER_RUN,
    build_connector,
    do_record_delivery,
    do_record_fetch_failure,
    do_record_fetch_success,
    file_rows,
    webhook_connector,
)
from vigie.connectors.contract import Connector, ConnectorError, MentionIn, Page, WebhookRequest
from vigie.connectors.models import Source, SourceState
from vigie.connectors.queries import webhook_source
from vigie.core.actions import do_record_audit_event
from vigie.core.db import retry_when_locked, yield_writer
from vigie.core.models import User
from vigie.core.safe_text import MAX_MENTION_TEXT, neutralise_cell
from vigie.mentions.actions import IngestCounts, do_ingest_page

# --- fetch runs ----------------------------------------------------------------------------------


@dataclass
class FetchReport:
    """The outcome of one fetch run."""

    counts: IngestCounts = field(default_factory=IngestCounts)
    pages: int = 0
    error: str = ""
    state: str = SourceState.OK

    def as_dict(self) -> dict[str, Any]:
        return {**self.counts.as_dict(), "pages": self.pages, "error": self.error, "state": self.state}


def do_fetch_source(
    source: Source, *, connector: Connector[Any] | None = None, max_pages: int = MAX_PAGES_PER_RUN
) -> FetchReport:
    """Read ``source`` page by page until the platform has nothing more (at most ``max_pages``),
    storing each page with its cursor, then record the source's health and next poll.

    The caller holds the source (``do_claim_source``). A platform error, or any other, ends the
    run cleanly: it is recorded on the source, which backs off, and returned in the report.
    """
    report = FetchReport()
    try:
        connector = connector or build_connector(source)
        cursor = dict(source.cursor)
        for _ in range(max_pages):
            page = connector.fetch(cursor)
            report.counts += do_ingest_page(source, page)
            report.pages += 1
            cursor = page.next_cursor
            if not page.has_more:
                break
    except Exception as exc:
        # A bug or an unexpected platform answer too: the worker loop must not crash on it.
        report.error, report.state = do_record_fetch_failure(source, exc)
        return report
    do_record_fetch_success(source)
    return report


# --- file imports --------------------------------------------------------------------------------


# Each batch is one short transaction, after which the import steps aside on SQLite, so a webhook
# or a page waiting for the write lock gets it (see vigie.core.db).
IMPORT_BATCH = 500


@dataclass
class ImportReport:
    """The outcome of a file import."""

    counts: IngestCounts = field(default_factory=IngestCounts)
    read: int = 0
    rejected: int = 0
    clamped: int = 0  # imported with their text cut at MAX_MENTION_TEXT characters
    rejects_path: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.counts.as_dict(),
            "read": self.read,
            "rejected": self.rejected,
            "clamped": self.clamped,
        }


def do_import_file(
    source: Source,
    path: Any,
    *,
    fmt: str = "",
    preset: str = "",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    rejects_path: Any = None,
    progress: Any = None,
    actor: User | None = None,
) -> ImportReport:
    """Import the rows of the file at ``path`` into ``source``, batch by batch.

    The file's settings come from the source's configuration when it is a ``file`` source, then
    from the arguments. Rows that cannot be read go to ``rejects_path`` (CSV: line, error, the
    row) and the others are imported; with ``dry_run`` nothing is written to the database.
    ``progress`` is called with a 0–1 fraction after each batch.
    """
    rows = file_rows(source, path, fmt=fmt, preset=preset, mapping=mapping)
    report = ImportReport()
    batch: list[MentionIn] = []
    rejects_writer: Any = None
    files = contextlib.ExitStack()

    def flush() -> None:
        if batch and not dry_run:
            page = Page(items=list(batch), next_cursor={})
            report.counts += retry_when_locked(lambda: do_ingest_page(source, page, advance_cursor=False))
        batch.clear()
        if not dry_run:
            yield_writer()
        if progress is not None:
            progress(rows.reader.progress())

    def note(line: int, error: str, record: Any) -> None:
        nonlocal rejects_writer
        if rejects_path is None:
            return
        if rejects_writer is None:
            # Opened only when a row is rejected or changed; the ExitStack closes it.
            handle = Path(rejects_path).open("w", encoding="utf-8", newline="")  # noqa: SIM115
            rejects_file = files.enter_context(handle)
            rejects_writer = csv.writer(rejects_file)
            report.rejects_path = str(rejects_path)
            rejects_writer.writerow(["line", "error", "row"])
        rejects_writer.writerow(
            [
                line,
                neutralise_cell(error),
                neutralise_cell(json.dumps(record, ensure_ascii=False, default=str) if record else ""),
            ]
        )

    with files:
        for row in rows:
            report.read += 1
            if row.mention is not None:
                if len(row.mention.text) > MAX_MENTION_TEXT:
                    report.clamped += 1
                    note(
                        row.line,
                        f"imported, text cut at {MAX_MENTION_TEXT} characters (the whole text is kept "
                        "in the raw payload)",
                        None,
                    )
                batch.append(row.mention)
                if len(batch) >= IMPORT_BATCH:
                    flush()
                continue
            report.rejected += 1
            note(row.line, row.error, row.record)
        flush()
    if not dry_run:
        do_record_delivery(source)
        do_record_audit_event(
            source.organisation,
            "source.file_imported",
            actor=actor,
            obj=source,
            data={"file": Path(path).name, **report.as_dict()},
        )
    return report


# --- webhook deliveries --------------------------------------------------------------------------


def do_receive_webhook(source_id: int, request: WebhookRequest) -> tuple[int, dict[str, Any]]:
    """Store the mentions of a signed delivery to webhook source ``source_id``; returns the HTTP
    status and JSON body to answer: 202 with counts, 401 on a bad signature, 422 with per-item
    errors, 404 for a source that cannot receive webhooks, 409 for a paused one. Re-delivering
    the same items changes nothing."""
    source = webhook_source(source_id)
    if source is None:
        return 404, {"error": "unknown source"}
    connector = webhook_connector(source)
    if connector is None:
        return 404, {"error": "source cannot receive webhooks"}
    if source.state == SourceState.PAUSED:
        return 409, {"error": "source is paused"}
    try:
        items = connector.parse_webhook(request)
    except ConnectorError as exc:
        status = int(getattr(exc, "http_status", 400))
        return status, {"error": exc.message, "errors": getattr(exc, "errors", [])}
    page = Page(items=items, next_cursor=source.cursor)
    counts = retry_when_locked(lambda: do_ingest_page(source, page, advance_cursor=False))
    do_record_delivery(source)
    return 202, {"received": len(items), **counts.as_dict()}
