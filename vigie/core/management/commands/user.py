"""vigie user create EMAIL --org SLUG --role ROLE [--password-stdin]"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from vigie.core.actions import do_create_member
from vigie.core.management.base import fail, organisation_or_fail, validation_message
from vigie.core.roles import Role


class Command(BaseCommand):
    help = "Create users and give them a role in an organisation."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a user (or change their role) in an organisation")
        create.add_argument("email")
        create.add_argument("--org", required=True, help="organisation slug")
        create.add_argument("--role", required=True, choices=[role.value for role in Role])
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (otherwise the user sets it by password reset)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_or_fail(options["org"])
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
            try:
                validate_password(password)
            except ValidationError as exc:
                raise fail("password: " + " ".join(exc.messages)) from None
        try:
            membership = do_create_member(
                organisation,
                options["email"],
                options["role"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValidationError as exc:
            raise fail(validation_message(exc)) from None
        self.stdout.write(f"{membership.user.email} is {membership.role} of {organisation.slug}")
        if password is None and not membership.user.has_usable_password():
            self.stdout.write("no password set: use 'Mot de passe oublié' on the sign-in page")
