"""vigie themes list|discover|promote --org SLUG …: the organisation's taxonomy and theme discovery.

vigie themes list --org SLUG
vigie themes discover --org SLUG [--since YYYY-MM-DD] [--clusters N]
vigie themes promote --org SLUG --cluster ID --slug SLUG --label LABEL [--by EMAIL]
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vigie.analysis.management.commands.reanalyze import parse_since
from vigie.core.management.base import fail, membership_or_fail, organisation_or_fail, user_or_fail
from vigie.core.roles import MANAGE


class Command(BaseCommand):
    help = "The organisation's themes: list them, discover clusters of unthemed mentions, promote one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        assert isinstance(parser, CommandParser)
        actions = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        listing = actions.add_parser("list", help="the organisation's themes")
        listing.add_argument("--org", required=True)
        discover = actions.add_parser("discover", help="cluster the mentions that fit no theme")
        discover.add_argument("--org", required=True)
        discover.add_argument("--since", help="only mentions published since this date")
        discover.add_argument(
            "--clusters", type=int, help="number of clusters (default: about one per 40 mentions)"
        )
        promote = actions.add_parser("promote", help="turn a discovered cluster into a theme")
        promote.add_argument("--org", required=True)
        promote.add_argument("--cluster", type=int, required=True, help="cluster id shown by discover")
        promote.add_argument("--slug", required=True, help="stable identifier of the new theme")
        promote.add_argument("--label", required=True, help="name shown to people")
        promote.add_argument("--by", help="e-mail of the manager promoting it (audit log)")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_or_fail(options["org"])
        getattr(self, f"_{options['action']}")(organisation, options)

    def _list(self, organisation: Any, options: dict[str, Any]) -> None:
        from vigie.analysis.queries import theme_choices

        for slug, label in theme_choices(organisation):
            self.stdout.write(f"{slug:<20} {label}")

    def _discover(self, organisation: Any, options: dict[str, Any]) -> None:
        from vigie.analysis.actions import do_discover_themes

        if options["clusters"] is not None and options["clusters"] < 2:
            raise fail("--clusters must be at least 2")
        since = parse_since(options["since"]) if options["since"] else None
        unthemed, candidates = do_discover_themes(organisation, since=since, clusters=options["clusters"])
        if not candidates:
            self.stdout.write(f"only {unthemed} analysed mentions fit no theme: nothing to discover yet")
            return
        self.stdout.write(f"{unthemed} mentions fit no theme; {len(candidates)} clusters:")
        for candidate in candidates:
            self.stdout.write(
                f"\n#{candidate.pk}  {candidate.size} mentions  —  {', '.join(candidate.terms)}"
            )
            for example in candidate.examples:
                self.stdout.write(f"    « {example[:150]} »")
        self.stdout.write(
            "\npromote one with: vigie themes promote --org SLUG --cluster ID --slug SLUG --label LABEL"
        )

    def _promote(self, organisation: Any, options: dict[str, Any]) -> None:
        from vigie.analysis.actions import do_promote_theme_candidate
        from vigie.analysis.queries import theme_candidates

        candidate = theme_candidates(organisation).filter(pk=options["cluster"]).first()
        if candidate is None:
            raise fail(
                f"no unpromoted cluster #{options['cluster']} in {organisation.slug}: run vigie themes discover"
            )
        actor = None
        if options["by"]:
            actor = user_or_fail(options["by"])
            if not membership_or_fail(actor, organisation.slug).can(MANAGE):
                raise fail(f"{actor.email} is not a manager of {organisation.slug!r}")
        try:
            theme = do_promote_theme_candidate(
                candidate, slug=options["slug"], label=options["label"], actor=actor
            )
        except ValueError as exc:
            raise fail(str(exc)) from None
        self.stdout.write(f"theme {theme.slug!r} ({theme.label}) created from cluster #{candidate.pk}")
