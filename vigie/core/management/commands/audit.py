"""vigie audit verify [--org SLUG]"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vigie.core.management.base import organisation_or_fail
from vigie.core.models import Organisation
from vigie.core.queries import verify_audit_chain


class Command(BaseCommand):
    help = "Check that the audit log has not been tampered with."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute every organisation's hash chain")
        verify.add_argument("--org", help="only this organisation")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["org"]:
            organisations = [organisation_or_fail(options["org"])]
        else:
            organisations = list(Organisation.objects.order_by("slug"))
        broken = 0
        for organisation in organisations:
            report = verify_audit_chain(organisation)
            if report.ok:
                legacy = f", {report.unkeyed} unkeyed from before keying" if report.unkeyed else ""
                self.stdout.write(f"{report.organisation_slug}: ok ({report.events} events{legacy})")
            else:
                broken += 1
                self.stdout.write(
                    f"{report.organisation_slug}: BROKEN at event {report.broken_at_seq}: {report.reason}"
                )
        if broken:
            raise CommandError(f"{broken} audit chain(s) broken", returncode=1)
