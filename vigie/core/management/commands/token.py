"""vigie token create EMAIL [--org SLUG] [--name NAME]"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from vigie.core.actions import do_create_api_token
from vigie.core.management.base import membership_or_fail, user_or_fail


class Command(BaseCommand):
    help = "Create API tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it (shown once)")
        create.add_argument("email")
        create.add_argument("--org", help="organisation slug, needed when the user has several")
        create.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_or_fail(options["email"])
        membership = membership_or_fail(user, options.get("org"))
        _, secret = do_create_api_token(membership, options["name"])
        self.stdout.write(secret)
