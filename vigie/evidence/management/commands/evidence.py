"""vigie evidence capture --org ORG --mention ID | export --org ORG (--case ID | --mention ID) --out FILE.zip
| verify FILE.zip"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand

from vigie.core.management.base import fail, organisation_or_fail
from vigie.core.models import Organisation
from vigie.core.tenancy import scoped
from vigie.evidence.bundle import NothingToExport, build_bundle
from vigie.evidence.models import CaptureTrigger
from vigie.evidence.service import capture_mention
from vigie.evidence.verify import verify_bundle
from vigie.inbox.models import Case
from vigie.mentions.models import Mention

MAX_BUNDLE_BYTES = 2 * 1024 * 1024 * 1024


def _mention(organisation: Organisation, pk: int) -> Mention:
    mention = scoped(Mention, organisation).select_related("source", "author").filter(pk=pk).first()
    if mention is None:
        raise fail(f"no mention {pk} in {organisation.slug!r}")
    return mention


class Command(BaseCommand):
    help = "Evidence of defamatory posts: capture a mention's page, export a legal file, verify one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        capture = sub.add_parser("capture", help="capture a mention's page now (prints JSON)")
        capture.add_argument("--org", required=True)
        capture.add_argument("--mention", required=True, type=int)
        export = sub.add_parser("export", help="write the legal file (ZIP) of a case or a mention")
        export.add_argument("--org", required=True)
        subject = export.add_mutually_exclusive_group(required=True)
        subject.add_argument("--case", type=int)
        subject.add_argument("--mention", type=int)
        export.add_argument("--out", required=True)
        verify = sub.add_parser("verify", help="check a legal file offline (exit 0 intact, 1 otherwise)")
        verify.add_argument("bundle")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "capture":
            self._capture(options)
        elif action == "export":
            self._export(options)
        else:
            self._verify(options["bundle"])

    def _capture(self, options: dict[str, Any]) -> None:
        organisation = organisation_or_fail(options["org"])
        mention = _mention(organisation, options["mention"])
        capture = capture_mention(mention, trigger=CaptureTrigger.COMMAND)
        self.stdout.write(
            json.dumps(
                {
                    "capture": capture.pk,
                    "seq": capture.seq,
                    "sha256": capture.manifest_sha256,
                    "status": capture.status,
                    "reason": capture.reason,
                    "timestamped": bool(capture.timestamp_token),
                },
                ensure_ascii=False,
            )
        )

    def _export(self, options: dict[str, Any]) -> None:
        organisation = organisation_or_fail(options["org"])
        case = None
        if options["case"] is not None:
            case = scoped(Case, organisation).select_related("mention").filter(pk=options["case"]).first()
            if case is None:
                raise fail(f"no case {options['case']} in {organisation.slug!r}")
            mention = _mention(organisation, case.mention_id)
        else:
            mention = _mention(organisation, options["mention"])
            case = scoped(Case, organisation).filter(mention=mention).first()
        try:
            bundle = build_bundle(mention, case)
        except NothingToExport as exc:
            raise fail(f"{exc}: run `vigie evidence capture` first") from exc
        Path(options["out"]).write_bytes(bundle.data)
        self.stdout.write(f"{options['out']}: {len(bundle.data)} bytes")

    def _verify(self, path: str) -> None:
        """The report on stdout, ending with one verdict line; exit 0 when intact, 1 otherwise
        (scripts rely on it). A failure is a verdict, not an error of the command: it ends with
        « ALTÉRÉ : … » (or « ILLISIBLE : … »), not with Django's « CommandError: »."""
        file = Path(path)
        if not file.is_file():
            # Not intact is the answer for anything that cannot be checked (exit 1, with the reason).
            self._not_intact(f"ILLISIBLE : fichier introuvable ({path})")
        if file.stat().st_size > MAX_BUNDLE_BYTES:
            self._not_intact("ILLISIBLE : fichier trop volumineux pour un dossier de preuve")
        report = verify_bundle(file.read_bytes())
        for fact in report.facts:
            self.stdout.write(fact)
        for problem in report.problems:
            self.stdout.write(f"ÉCHEC : {problem}")
        if not report.ok:
            self._not_intact(report.verdict)
        self.stdout.write(report.verdict)

    def _not_intact(self, verdict: str) -> NoReturn:
        self.stdout.write(verdict)
        self.stdout.flush()
        raise SystemExit(1)
