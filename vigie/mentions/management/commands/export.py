"""vigie export mentions --org SLUG --format jsonl|csv [--since DATE] [--out FILE]"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
from argparse import ArgumentParser
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand
from django.utils.dateparse import parse_date, parse_datetime

from vigie.connectors.normalise import zone
from vigie.core.management.base import fail, organisation_or_fail
from vigie.core.models import Organisation
from vigie.core.safe_text import neutralise_cell
from vigie.core.tenancy import scoped
from vigie.mentions.models import Mention

CSV_COLUMNS = [
    "id",
    "source",
    "platform",
    "external_id",
    "kind",
    "url",
    "author_name",
    "author_handle",
    "title",
    "text",
    "rating",
    "rating_raw",
    "created_at",
    "language",
    "deleted",
    "location",
    "likes",
    "shares",
    "replies",
    "reach",
]


def export_record(mention: Mention) -> dict[str, Any]:
    """One mention as exported: plain JSON types, times in ISO 8601 with their offset."""
    author = mention.author
    return {
        "id": mention.pk,
        "source": mention.source.name,
        "platform": mention.source.platform,
        "external_id": mention.external_id,
        "kind": mention.kind,
        "url": mention.url,
        "author": {
            "name": author.display_name if author else "",
            "handle": author.handle if author else "",
        },
        "title": mention.title,
        "text": mention.text,
        "rating": float(mention.rating) if mention.rating is not None else None,
        "rating_raw": mention.rating_raw,
        "created_at": mention.created_at.isoformat(),
        "language": mention.language,
        "deleted": mention.deleted_at is not None,
        "location": mention.location.name if mention.location else "",
        "likes": mention.likes,
        "shares": mention.shares,
        "replies": mention.replies_count,
        "reach": mention.reach,
    }


def mentions_since(organisation: Organisation, since: datetime | None) -> Iterator[Mention]:
    """The organisation's mentions, oldest first, read in chunks (memory stays flat)."""
    mentions = scoped(Mention, organisation).select_related("source", "author", "location")
    if since is not None:
        mentions = mentions.filter(created_at__gte=since)
    return mentions.order_by("created_at", "pk").iterator(chunk_size=2000)


def parse_since(value: str, organisation: Organisation) -> datetime:
    """A date (midnight in the organisation's timezone) or a datetime (naive read the same way)."""
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        moment = datetime.combine(day, time(0, 0))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(organisation.timezone))
    return moment


class Command(BaseCommand):
    help = "Export data of an organisation."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        mentions = sub.add_parser("mentions", help="export mentions as JSON lines or CSV")
        mentions.add_argument("--org", required=True)
        mentions.add_argument("--format", required=True, choices=["jsonl", "csv"])
        mentions.add_argument("--since", default="", help="only mentions published on or after this date")
        mentions.add_argument("--out", default="", help="file to write (standard output when omitted)")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_or_fail(options["org"])
        since = None
        if options["since"]:
            try:
                since = parse_since(options["since"], organisation)
            except ValueError:
                raise fail(f"--since {options['since']!r}: expected a date such as 2026-01-31") from None
        with contextlib.ExitStack() as stack:
            out: IO[str]
            if options["out"]:
                try:
                    out = stack.enter_context(Path(options["out"]).open("w", encoding="utf-8", newline=""))
                except OSError as exc:
                    raise fail(f"--out {options['out']}: {exc.strerror}") from None
            else:
                out = self.stdout if self.stdout is not None else sys.stdout  # type: ignore[assignment]
            try:
                count = self._write(out, organisation, since, options["format"])
            except BrokenPipeError:
                # The reader (``| head``) went away: stop quietly, like any Unix filter.
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces the closed stream for good
                return
        if options["out"]:
            self.stderr.write(f"exported {count} mention(s) to {options['out']}")

    def _write(self, out: IO[str], organisation: Organisation, since: datetime | None, fmt: str) -> int:
        count = 0
        if fmt == "jsonl":
            for mention in mentions_since(organisation, since):
                out.write(json.dumps(export_record(mention), ensure_ascii=False) + "\n")
                count += 1
            return count
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for mention in mentions_since(organisation, since):
            record = export_record(mention)
            author = record.pop("author")
            record["author_name"], record["author_handle"] = author["name"], author["handle"]
            record["rating"] = "" if record["rating"] is None else record["rating"]
            record["deleted"] = "true" if record["deleted"] else "false"
            # The same neutralising as the web export: no cell runs as a formula in a spreadsheet.
            writer.writerow([neutralise_cell(record[column]) for column in CSV_COLUMNS])
            count += 1
        return count
