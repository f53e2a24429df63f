"""vigie source add --org SLUG --platform SLUG --name NAME [--location NAME] --config JSON
vigie source list --org SLUG
vigie source rekey"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from vigie.connectors.actions import SourceConfigError, do_create_source, do_rekey_sources
from vigie.connectors.credentials import CredentialsError
from vigie.connectors.queries import live_sources, source_by_name
from vigie.connectors.registry import UnknownPlatform, get_connector_class
from vigie.core.management.base import fail, organisation_or_fail
from vigie.core.models import Location
from vigie.core.tenancy import scoped


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


class Command(BaseCommand):
    help = "Add and list sources (connector instances); re-encrypt credentials after a key change."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a source")
        add.add_argument("--org", required=True)
        add.add_argument("--platform", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--location", default="")
        add.add_argument("--config", default="{}", help="the connector's configuration as a JSON object")
        add.add_argument("--interval", type=int, default=0, help="poll interval in seconds")
        listing = sub.add_parser("list", help="list sources with their health")
        listing.add_argument("--org", required=True)
        sub.add_parser("rekey", help="re-encrypt every credential with the current VIGIE_SECRET_KEY")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "rekey":
            try:
                count = do_rekey_sources()
            except CredentialsError as exc:
                raise fail(str(exc)) from None
            self.stdout.write(f"re-encrypted the credentials of {count} source(s)")
            return
        organisation = organisation_or_fail(options["org"])
        if action == "list":
            for source in live_sources(organisation).select_related("location"):
                self.stdout.write(
                    "\t".join(
                        [
                            source.name,
                            source.platform,
                            source.state,
                            f"last_success={_when(source.last_success_at)}",
                            f"next_poll={_when(source.next_poll_at)}",
                            f"items={source.items_fetched}",
                            f"last_error={source.last_error.splitlines()[0][:120] if source.last_error else '-'}",
                        ]
                    )
                )
            return
        try:
            get_connector_class(options["platform"])
        except UnknownPlatform as exc:
            raise fail(str(exc)) from None
        try:
            config = json.loads(options["config"])
        except ValueError as exc:
            raise fail(f"--config is not valid JSON: {exc}") from None
        if not isinstance(config, dict):
            raise fail("--config must be a JSON object")
        name = options["name"].strip()
        if not name:
            raise fail("--name must not be empty")
        if source_by_name(organisation, name) is not None:
            raise fail(f"a source named {name!r} already exists in {organisation.slug}")
        location = None
        if options["location"]:
            location = scoped(Location, organisation).filter(name=options["location"]).first()
            if location is None:
                raise fail(f"unknown location {options['location']!r} in {organisation.slug}")
        try:
            source = do_create_source(
                organisation,
                platform=options["platform"],
                name=name,
                config=config,
                location=location,
                poll_interval_seconds=options["interval"] or None,
            )
        except SourceConfigError as exc:
            raise fail(f"invalid config: {exc}") from None
        self.stdout.write(f"created source {source.name} ({source.platform}) #{source.pk}")
