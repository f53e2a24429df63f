"""vigie outreach invite --org ORG --csv FILE [--dry-run]
vigie outreach bounce EMAIL --org ORG [--complaint]
vigie outreach import-survey --org ORG --csv FILE
vigie outreach send-due"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from vigie.core.management.base import fail, organisation_or_fail, validation_message
from vigie.outreach.actions import (
    CsvError,
    decode_csv,
    do_import_survey_results,
    do_invite_rows,
    do_mark_address,
    do_send_due,
    read_csv_rows,
    read_invite_rows,
)

MAX_BYTES = 20 * 1024 * 1024


def _read(path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise fail(f"{path}: no such file")
    if file.stat().st_size > MAX_BYTES:
        raise fail(f"{path}: larger than 20 MB")
    return decode_csv(file.read_bytes())


class Command(BaseCommand):
    help = "Review requests and satisfaction surveys."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        invite = sub.add_parser("invite", help="invite the customers of a CSV (email,name,location,platform)")
        invite.add_argument("--org", required=True)
        invite.add_argument("--csv", required=True)
        invite.add_argument("--dry-run", action="store_true", help="say what would be sent; send nothing")
        bounce = sub.add_parser(
            "bounce", help="mark an address bounced (or complaining): nothing goes to it again"
        )
        bounce.add_argument("email")
        bounce.add_argument("--org", required=True)
        bounce.add_argument("--complaint", action="store_true")
        survey = sub.add_parser(
            "import-survey", help="import survey results (csat,nps,comment,date,location,id)"
        )
        survey.add_argument("--org", required=True)
        survey.add_argument("--csv", required=True)
        sub.add_parser("send-due", help="send the invitations held by quiet hours and the reminders now")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "send-due":
            self._print(do_send_due())
            return
        organisation = organisation_or_fail(options["org"])
        if action == "bounce":
            try:
                do_mark_address(
                    organisation, options["email"], kind="complaint" if options["complaint"] else "bounce"
                )
            except ValidationError as exc:
                raise fail(validation_message(exc)) from None
            self._print({"marked": options["email"].strip().lower()})
            return
        try:
            text = _read(options["csv"])
            rows = read_invite_rows(text) if action == "invite" else read_csv_rows(text, ("csat", "nps"))
        except CsvError as exc:
            raise fail(f"{options['csv']}: {exc}") from None
        if action == "invite":
            self._print(do_invite_rows(organisation, rows, dry_run=options["dry_run"]).as_dict())
        else:
            self._print(do_import_survey_results(organisation, rows).as_dict())

    def _print(self, data: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False))
