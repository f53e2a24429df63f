"""Seed a fresh data directory for the privacy browser test (run in its own process).

python -m vigie.privacy.tests.browser_setup   → prints the case id

An organisation with an admin (the DPO) and a manager, and a case on a post by @jdupont.
"""

from __future__ import annotations

import os

PASSWORD = "privacy-password-1234"


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    django.setup()
    from django.core.management import call_command

    from vigie.core.actions import do_create_member, do_create_organisation
    from vigie.core.roles import Role
    from vigie.inbox.tests.factories import make_case, make_reply
    from vigie.mentions.tests.factories import make_author, make_mention, make_source

    call_command("migrate", interactive=False, verbosity=0)
    org = do_create_organisation("acme", "Acme")
    do_create_member(org, "dpo@acme.example", Role.ADMIN, password=PASSWORD)
    do_create_member(org, "chef@acme.example", Role.MANAGER, password=PASSWORD)
    source = make_source(org, "twitter", name="Twitter Acme")
    author = make_author(org, "twitter", external_id="tw-7", handle="jdupont", display_name="Jean Dupont")
    mention = make_mention(org, source=source, author=author, text="Colis perdu, signé Jean Dupont.")
    case = make_case(org, mention)
    make_reply(case, body="Bonjour Jean Dupont, nous regardons.")
    # Someone whose data the phone test looks at (Jean Dupont is erased by another test).
    other = make_author(org, "twitter", external_id="tw-8", handle="mdurand", display_name="Marie Durand")
    held = make_mention(org, source=source, author=other, text="Toujours pas de nouvelles de mon dossier.")
    from vigie.evidence.actions import do_place_legal_hold

    do_place_legal_hold(held)
    print(case.pk)


if __name__ == "__main__":
    main()
