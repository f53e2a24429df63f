"""vigie org create SLUG --name NAME | vigie org list"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from vigie.core.actions import do_create_organisation
from vigie.core.management.base import fail, validation_message
from vigie.core.models import Organisation


class Command(BaseCommand):
    help = "Create and list organisations."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create an organisation")
        create.add_argument("slug")
        create.add_argument("--name", required=True)
        create.add_argument("--timezone", default="Europe/Paris")
        create.add_argument("--language", default="fr", choices=["fr", "en"])
        sub.add_parser("list", help="list organisations")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for organisation in Organisation.objects.order_by("slug"):
                self.stdout.write(f"{organisation.slug}\t{organisation.name}\t{organisation.timezone}")
            return
        slug = options["slug"]
        if Organisation.objects.filter(slug=slug).exists():
            raise fail(f"organisation {slug!r} already exists")
        try:
            organisation = do_create_organisation(
                slug, options["name"], timezone_name=options["timezone"], language=options["language"]
            )
        except ValidationError as exc:
            raise fail(validation_message(exc)) from None
        self.stdout.write(f"created organisation {organisation.slug} ({organisation.name})")
