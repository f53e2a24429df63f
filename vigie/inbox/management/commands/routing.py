"""vigie routing list|seed|dry-run --org SLUG [--mention ID]"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from vigie.core.management.base import fail, organisation_or_fail
from vigie.core.tenancy import scoped
from vigie.inbox.routing.actions import do_seed_default_routing
from vigie.inbox.routing.dryrun import explain_mention
from vigie.inbox.routing.rules import ordered_rules, rule_actions
from vigie.mentions.models import Mention


class Command(BaseCommand):
    help = "The comment-handling scheme: list the rules, install the default scheme, dry-run a mention."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the rules in the order they are tried")
        listing.add_argument("--org", required=True, help="organisation slug")
        seed = sub.add_parser("seed", help="install the default scheme into an empty scheme")
        seed.add_argument("--org", required=True, help="organisation slug")
        dry = sub.add_parser("dry-run", help="which rule a mention would hit, and why; writes nothing")
        dry.add_argument("--org", required=True, help="organisation slug")
        dry.add_argument("--mention", required=True, type=int, help="mention id")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_or_fail(options["org"])
        action = options["action"]
        if action == "list":
            for index, rule in enumerate(ordered_rules(organisation), start=1):
                state = "on " if rule.enabled else "off"
                self.stdout.write(f"{index:>3} [{state}] {rule.name}\t{rule.conditions}\t{rule.actions}")
            return
        if action == "seed":
            rules = do_seed_default_routing(organisation, force=True)
            self.stdout.write(
                f"installed {len(rules)} default rules"
                if rules
                else "the scheme already has rules: nothing added"
            )
            return
        mention = (
            scoped(Mention, organisation)
            .select_related("source", "author", "location")
            .filter(pk=options["mention"])
            .first()
        )
        if mention is None:
            raise fail(f"no mention {options['mention']} in {organisation.slug}")
        result = explain_mention(mention)
        decision = result.decision
        for evaluation in decision.evaluations:
            mark = "=>" if evaluation.matched else "  "
            state = "" if evaluation.rule.enabled else " (disabled)"
            self.stdout.write(f"{mark} {evaluation.rule.name}{state}")
            for check in evaluation.checks:
                self.stdout.write(
                    f"     {'✓' if check.ok else '✗'} {check.label}: expected {check.expected}, found {check.actual}"
                )
        actions = rule_actions(decision.rule) if decision.rule else None
        self.stdout.write("")
        self.stdout.write(f"rule: {decision.rule_name or '(none: charter defaults)'}")
        self.stdout.write(f"needs answer: {'yes' if decision.needs_answer else 'no'}")
        self.stdout.write(f"team: {decision.team.name if decision.team else '-'}")
        self.stdout.write(f"assignee: {result.assignee.email if result.assignee else '-'}")
        self.stdout.write(f"priority: {decision.priority}")
        self.stdout.write(f"due: {result.sla_due_at.isoformat() if result.sla_due_at else '-'}")
        self.stdout.write(
            f"approval: {'yes (' + ', '.join(decision.approval_reasons) + ')' if decision.approval_required else 'no'}"
        )
        self.stdout.write(f"templates: {decision.template_ids or '-'}")
        self.stdout.write(f"tags: {', '.join(decision.tags) or '-'}")
        self.stdout.write(f"escalate: {'yes' if actions and actions.escalate else 'no'}")
        self.stdout.write("(dry-run: nothing was written)")
