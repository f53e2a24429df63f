"""vigie source add --org SLUG --platform SLUG --name NAME [--location NAME] --config JSON
vigie source list --org SLUG
vigie source locations --org SLUG --source NAME
vigie source rekey"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from vigie.connectors.actions import SourceConfigError, build_connector, do_create_source, do_rekey_sources
from vigie.connectors.contract import ConnectorError
from vigie.connectors.credentials import CredentialsError, decrypt_secrets, redact
from vigie.connectors.queries import live_sources, place_rows, source_by_name
from vigie.connectors.registry import UnknownPlatform, get_connector_class
from vigie.core.egress import EgressRefused
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
        places = sub.add_parser(
            "locations", help="list the locations of a source's account and the Vigie location of each"
        )
        places.add_argument("--org", required=True)
        places.add_argument("--source", required=True, help="the source's name")
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
        if action == "locations":
            self._locations(organisation, options["source"])
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

    def _locations(self, organisation: Any, name: str) -> None:
        """One line per location of the source's account: id, title, store code, address, and the
        Vigie location its reviews go under (or that a new one is created at the first review)."""
        source = source_by_name(organisation, name)
        if source is None:
            raise fail(f"no source named {name!r} in {organisation.slug}")
        secrets: dict[str, Any] = {}
        try:
            secrets = decrypt_secrets(source.credentials_encrypted)
            connector = build_connector(source)
            if not connector.places_field:
                raise fail(f"{source.platform} sources have no locations to list")
            places = connector.list_places()
        except (ConnectorError, CredentialsError, SourceConfigError, EgressRefused) as exc:
            raise fail(
                f"cannot list the locations: {redact(getattr(exc, 'message', str(exc)), secrets)}"
            ) from None
        chosen = set(getattr(connector.config, connector.places_field, None) or [])
        for row in place_rows(source, places):
            place = row.place
            address = ", ".join(
                part for part in (place.address, f"{place.postcode} {place.city}".strip()) if part
            )
            if row.location is None:
                vigie = "(new location at the first review)"
            elif row.mapped:
                vigie = row.location.name
            else:
                vigie = f"{row.location.name} (matched by store code or address)"
            read = "read" if not chosen or place.external_id in chosen else "not read"
            self.stdout.write(
                "\t".join(
                    [place.external_id, place.name, place.store_code or "-", address or "-", vigie, read]
                )
            )
