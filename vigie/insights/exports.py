"""Exports of mentions, cases (one row per case, every timestamp) and replies, as CSV or XLSX.

Rows are read with ``values_list(...).iterator()`` in chunks, so a million rows never sit in
memory. CSV is streamed to the client as it is produced. XLSX is a zip, which cannot be sent
before it is complete: openpyxl's write-only mode writes it to a temporary file row by row and
the file is then streamed. Cells that a spreadsheet would read as a formula (``=``, ``+``,
``-``, ``@`` first) are prefixed with an apostrophe: customer text is untrusted.

People open these files: the headers are in the interface's language, codes are written as their
labels (platform, status, sentiment, type, themes, yes/no) and times in the organisation's zone
with their offset ("2026-11-07 20:26:06+01:00"), never in UTC.
"""

from __future__ import annotations

import csv
import tempfile
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vigie.connectors.platforms import platform_label, platform_of
from vigie.core.models import Organisation
from vigie.core.periods import Period
from vigie.core.safe_text import neutralise_cell
from vigie.core.tenancy import scoped
from vigie.inbox.models import Case, CaseStatus, Reply, ReplyChannel, ReplyStatus
from vigie.insights.queries.filters import InsightFilters, period_mentions
from vigie.insights.queries.themes import theme_labels
from vigie.mentions.models import MentionKind, MentionType, Sentiment

EXPORTS = ("mentions", "cases", "replies")
FORMATS = ("csv", "xlsx")
CHUNK = 2000

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "mentions": [
        ("id", "id"),
        ("published_at", "created_at"),
        ("platform", "source__platform"),
        ("source", "source__name"),
        ("location", "location__name"),
        ("kind", "kind"),
        ("author", "author__display_name"),
        ("rating", "rating"),
        ("sentiment", "sentiment"),
        ("type", "mention_type"),
        ("themes", "themes"),
        ("language", "language"),
        ("reach", "reach"),
        ("likes", "likes"),
        ("shares", "shares"),
        ("replies_count", "replies_count"),
        ("url", "url"),
        ("title", "title"),
        ("text", "text"),
    ],
    "cases": [
        ("case_id", "id"),
        ("mention_id", "mention_id"),
        ("platform", "mention__source__platform"),
        ("location", "mention__location__name"),
        ("status", "status"),
        ("team", "team__name"),
        ("assignee", "assignee__email"),
        ("priority", "priority"),
        ("needs_answer", "needs_answer"),
        ("routing_rule", "routing_rule"),
        ("tags", "tags"),
        ("published_at", "mention__created_at"),
        ("created_at", "created_at"),
        ("sla_due_at", "sla_due_at"),
        ("sla_warned_at", "sla_warned_at"),
        ("sla_paused_seconds", "sla_paused_seconds"),
        ("escalated_at", "escalated_at"),
        ("first_response_at", "first_response_at"),
        ("resolved_at", "resolved_at"),
        ("updated_at", "updated_at"),
    ],
    "replies": [
        ("reply_id", "id"),
        ("case_id", "case_id"),
        ("author", "author__email"),
        ("channel", "channel"),
        ("status", "status"),
        ("template", "template__name"),
        ("created_at", "created_at"),
        ("submitted_at", "submitted_at"),
        ("approved_at", "approved_at"),
        ("published_at", "published_at"),
        ("body", "body"),
    ],
}


HEADERS: dict[str, Promise] = {
    "id": _("N° de mention"),
    "mention_id": _("N° de mention"),
    "case_id": _("N° de dossier"),
    "reply_id": _("N° de réponse"),
    "published_at": _("Publié le"),
    "platform": _("Plateforme"),
    "source": _("Source"),
    "location": _("Lieu"),
    "kind": _("Nature"),
    "author": _("Auteur"),
    "rating": _("Note"),
    "sentiment": _("Sentiment"),
    "type": _("Type"),
    "themes": _("Thèmes"),
    "language": _("Langue"),
    "reach": _("Audience"),
    "likes": _("J'aime"),
    "shares": _("Partages"),
    "replies_count": _("Réponses sur la plateforme"),
    "url": _("Lien"),
    "title": _("Titre"),
    "text": _("Texte"),
    "status": _("Statut"),
    "team": _("Équipe"),
    "assignee": _("Attribué à"),
    "priority": _("Priorité"),
    "needs_answer": _("Réponse attendue"),
    "routing_rule": _("Règle d'aiguillage"),
    "tags": _("Étiquettes"),
    "created_at": _("Créé le"),
    "sla_due_at": _("Échéance"),
    "sla_warned_at": _("Alerte d'échéance le"),
    "sla_paused_seconds": _("Pause de l'échéance (secondes)"),
    "escalated_at": _("Escaladé le"),
    "first_response_at": _("Première réponse le"),
    "resolved_at": _("Résolu le"),
    "updated_at": _("Modifié le"),
    "channel": _("Canal"),
    "template": _("Modèle"),
    "submitted_at": _("Soumise le"),
    "approved_at": _("Validée le"),
    "body": _("Texte de la réponse"),
}


def headers(what: str) -> list[str]:
    """The column titles of export ``what``, in the active language."""
    return [str(HEADERS[name]) for name, _field in COLUMNS[what]]


def _choices(labels: Any) -> dict[str, str]:
    return {str(value): str(label) for value, label in labels.choices}


def _labellers(organisation: Organisation, what: str) -> dict[int, dict[str, str]]:
    """Per column index, the label of each code the column holds (codes absent keep their value)."""
    status = _choices(ReplyStatus if what == "replies" else CaseStatus)
    by_name: dict[str, dict[str, str]] = {
        "kind": _choices(MentionKind),
        "sentiment": _choices(Sentiment),
        "type": _choices(MentionType),
        "status": status,
        "channel": _choices(ReplyChannel),
        "themes": theme_labels(organisation),
    }
    return {i: by_name[name] for i, (name, _field) in enumerate(COLUMNS[what]) if name in by_name}


def export_rows_queryset(
    organisation: Organisation, what: str, period: Period, filters: InsightFilters
) -> QuerySet[Any]:
    """The rows of export ``what``: items whose mention is in the period and filters."""
    mentions = period_mentions(organisation, period, filters)
    if what == "mentions":
        queryset: QuerySet[Any] = mentions
    elif what == "cases":
        queryset = scoped(Case, organisation).filter(mention__in=mentions)
    elif what == "replies":
        queryset = scoped(Reply, organisation).filter(case__mention__in=mentions)
    else:
        raise ValueError(f"unknown export {what!r}")
    return queryset.order_by("id")


def _cell(value: Any, zone: zoneinfo.ZoneInfo, labels: dict[str, str] | None = None) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, bool):
        return gettext("oui") if value else gettext("non")
    if isinstance(value, list):
        return neutralise_cell(", ".join((labels or {}).get(str(v), str(v)) for v in value))
    if isinstance(value, str):
        return neutralise_cell((labels or {}).get(value, value))
    if value is None:
        return ""
    return value


def export_rows(
    organisation: Organisation, what: str, period: Period, filters: InsightFilters
) -> Iterator[list[Any]]:
    """The header, then one list of cells per row."""
    columns = COLUMNS[what]
    yield headers(what)
    zone = zoneinfo.ZoneInfo(organisation.timezone)
    labels = _labellers(organisation, what)
    platform = next((i for i, (name, _field) in enumerate(columns) if name == "platform"), None)
    queryset = export_rows_queryset(organisation, what, period, filters)
    for row in queryset.values_list(*[f for _name, f in columns]).iterator(chunk_size=CHUNK):
        cells = [_cell(value, zone, labels.get(i)) for i, value in enumerate(row)]
        if platform is not None and row[platform]:
            # Named as the dashboard's row it counts in (an imported "google" review is Google's).
            cells[platform] = platform_label(platform_of(str(row[platform])))
        yield cells


class _Echo:
    """A file-like object whose ``write`` returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: spreadsheets then read the file as UTF-8
    for row in rows:
        yield writer.writerow(row)


def write_xlsx(rows: Iterable[list[Any]], target: Any, title: str) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    for row in rows:
        sheet.append([float(v) if type(v).__name__ == "Decimal" else v for v in row])
    workbook.save(target)


def export_response(
    organisation: Organisation, what: str, fmt: str, period: Period, filters: InsightFilters
) -> StreamingHttpResponse | FileResponse:
    """The HTTP response carrying the export."""
    name = f"vigie-{what}-{organisation.slug}-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.{fmt}"
    rows = export_rows(organisation, what, period, filters)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(rows, spool, what)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
