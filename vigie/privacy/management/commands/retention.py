"""vigie retention run --org ORG [--dry-run]"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from vigie.core.management.base import organisation_or_fail
from vigie.privacy.actions import do_apply_retention


class Command(BaseCommand):
    help = "Apply the charter's retention now: delete or pseudonymise what is past due (GDPR)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="apply the retention of one organisation; prints counts per kind")
        run.add_argument("--org", required=True, help="organisation slug")
        run.add_argument("--dry-run", action="store_true", help="only count what is past due")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_or_fail(options["org"])
        counts = do_apply_retention(organisation, dry_run=options["dry_run"])
        self.stdout.write(
            json.dumps({"organisation": organisation.slug, "dry_run": options["dry_run"], "counts": counts})
        )
