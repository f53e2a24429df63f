"""vigie privacy export --org ORG --subject HANDLE_OR_EMAIL --out FILE.json
vigie privacy erase --org ORG --subject HANDLE_OR_EMAIL [--dry-run] [--redact-naming all|ID,…]"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from vigie.core.management.base import fail, organisation_or_fail
from vigie.privacy.actions import do_erase_subject, do_record_subject_export
from vigie.privacy.export import render_html
from vigie.privacy.queries import export_subject, find_subject
from vigie.privacy.subjects import SubjectError, parse_subject


class Command(BaseCommand):
    help = "Data subject requests (GDPR): export or erase what Vigie holds about one person."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export", help="write the person's data as JSON (and a readable .html beside it)"
        )
        erase = sub.add_parser("erase", help="erase or pseudonymise the person's data (legal holds stay)")
        for command in (export, erase):
            command.add_argument("--org", required=True, help="organisation slug")
            command.add_argument("--subject", required=True, help="platform handle, e-mail, phone or name")
        export.add_argument("--out", required=True, help="the JSON file to write")
        erase.add_argument("--dry-run", action="store_true", help="only count what would be erased")
        erase.add_argument(
            "--redact-naming",
            default="",
            help="other people's mentions naming the person to redact too: 'all', or ids separated by "
            "commas (the export's mentions with relation 'named'); by default none",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_or_fail(options["org"])
        try:
            subject = parse_subject(options["subject"])
        except SubjectError as error:
            raise fail(f"--subject: {error}") from error
        findings = find_subject(organisation, subject)
        if options["action"] == "export":
            out = Path(options["out"])
            if not out.parent.is_dir():
                raise fail(f"--out: no such directory {str(out.parent)!r}")
            document = export_subject(organisation, findings)
            out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            # The readable page beside it: FILE.json gives FILE.html (never over the JSON itself).
            page = out.with_suffix(".html") if out.suffix != ".html" else out.with_name(out.name + ".html")
            page.write_text(render_html(document, organisation), encoding="utf-8")
            do_record_subject_export(organisation, findings, actor=None)
            self.stdout.write(
                json.dumps({"out": str(out), "html": str(page), "found": findings.counts()}, sort_keys=True)
            )
            return
        chosen = options["redact_naming"].strip()
        if chosen == "all":
            naming = set(findings.mentioning_mention_ids)
        else:
            try:
                naming = {int(value) for value in chosen.split(",") if value.strip()}
            except ValueError as error:
                raise fail("--redact-naming: 'all' or mention ids separated by commas") from error
        counts = do_erase_subject(
            organisation, findings, actor=None, dry_run=options["dry_run"], redact_naming=naming
        )
        self.stdout.write(json.dumps({"dry_run": options["dry_run"], "counts": counts}, sort_keys=True))
