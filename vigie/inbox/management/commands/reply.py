"""vigie reply check --platform SLUG --lang fr|en --text-file FILE [--org SLUG] [--mention ID] [--template ID] [--as EMAIL]
vigie reply templates --org SLUG

``check`` prints the quality gate's findings on a draft as a JSON list (empty when the draft is
clean). Exit status: 0 when nothing blocks sending (warnings alone still exit 0), 1 when at least
one finding blocks it, 2 on a usage error (unknown organisation, mention, template or file).
``--template`` names the template the draft started from: the gate then judges it as the reply
composer does (a pre-approved template kept as is is not asked for a more complete answer).
``templates`` adds Vigie's default French and English template library to the organisation
(templates it already has are kept) and prints how many were added.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from vigie.core.management.base import fail, membership_or_fail, organisation_or_fail, user_or_fail
from vigie.core.models import Membership, Organisation
from vigie.core.tenancy import scoped
from vigie.inbox.models import ReplyChannel, Template
from vigie.inbox.quality import check_reply, is_blocked
from vigie.inbox.templating.actions import do_load_default_templates
from vigie.inbox.templating.render import approved_template_text
from vigie.mentions.models import Mention

BLOCKED = 1


class Command(BaseCommand):
    help = "Check a draft reply with the quality gate."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        check = sub.add_parser(
            "check",
            help="print the gate's findings as JSON; exit 1 when one blocks sending, 0 otherwise",
        )
        check.add_argument(
            "--platform", required=True, help="platform slug, e.g. google_business, x, bluesky"
        )
        check.add_argument(
            "--lang", required=True, choices=["fr", "en"], help="language the reply is written in"
        )
        check.add_argument(
            "--text-file", required=True, help="file holding the draft ('-' for standard input)"
        )
        check.add_argument(
            "--org", default="", help="organisation slug: its jargon, patterns and recent replies"
        )
        check.add_argument(
            "--mention", type=int, default=None, help="id of the answered mention (needs --org)"
        )
        check.add_argument(
            "--template",
            type=int,
            default=None,
            help="id of the template the draft started from (needs --org): judged as in the composer",
        )
        check.add_argument(
            "--as", dest="as_email", default="", help="check as this member (role for promises)"
        )
        check.add_argument("--channel", default=ReplyChannel.PUBLIC.value, choices=ReplyChannel.values)
        templates = sub.add_parser(
            "templates", help="add Vigie's default template library to an organisation"
        )
        templates.add_argument("--org", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "templates":
            added = do_load_default_templates(organisation_or_fail(options["org"]), actor=None)
            self.stdout.write(f"{added} template(s) added")
            return
        self._check(options)

    def _check(self, options: dict[str, Any]) -> None:
        text = self._read(options["text_file"])
        organisation: Organisation | None = None
        membership: Membership | None = None
        mention: Mention | None = None
        template: Template | None = None
        if options["org"]:
            organisation = organisation_or_fail(options["org"])
        if options["as_email"]:
            membership = membership_or_fail(user_or_fail(options["as_email"]), options["org"] or None)
            organisation = membership.organisation
        if options["mention"] is not None:
            if organisation is None:
                raise fail("--mention needs --org SLUG (mention ids are checked against the organisation)")
            # Another organisation's mention reads as unknown: its existence is not disclosed.
            mention = scoped(Mention, organisation).filter(pk=options["mention"]).first()
            if mention is None:
                raise fail(f"unknown mention {options['mention']} in {organisation.slug!r}")
        if options["template"] is not None:
            if organisation is None:
                raise fail("--template needs --org SLUG (template ids are checked against the organisation)")
            # Another organisation's template reads as unknown, like a mention.
            template = scoped(Template, organisation).filter(pk=options["template"]).first()
            if template is None:
                raise fail(f"unknown template {options['template']} in {organisation.slug!r}")
        # Messages in the member's interface language, else the organisation's, else French.
        language = (
            (membership.user.language if membership is not None else "")
            or (organisation.language if organisation is not None else "")
            or "fr"
        )
        with translation.override(language):
            findings = check_reply(
                text,
                platform=options["platform"],
                language=options["lang"],
                organisation=organisation,
                mention=mention,
                membership=membership,
                template_body=template.body if template is not None else None,
                channel=options["channel"],
                # The same rule as the reply composer's and the API's.
                approved_template=approved_template_text(
                    template,
                    membership,
                    organisation=organisation,
                    mention=mention,
                    platform=options["platform"],
                ),
            )
        self.stdout.write(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
        if is_blocked(findings):
            sys.exit(BLOCKED)

    def _read(self, name: str) -> str:
        if name == "-":
            return sys.stdin.read()
        try:
            return Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"--text-file {name}: {getattr(exc, 'strerror', None) or exc}") from None
