"""Seed a fresh data directory for the evidence browser test (run in its own process).

python -m vigie.evidence.tests.browser_setup PAGE_URL   → prints the case id

An organisation with a supervisor (manager) and an agent, and a case on a defamatory post whose
page is PAGE_URL.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta

PASSWORD = "evidence-password-1234"


def main(page_url: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from vigie.core.actions import do_create_member, do_create_organisation
    from vigie.core.roles import Role
    from vigie.inbox.models import Case
    from vigie.mentions.tests.factories import make_author, make_mention, make_source

    call_command("migrate", interactive=False, verbosity=0)
    org = do_create_organisation("acme", "Acme")
    do_create_member(org, "chef@acme.example", Role.MANAGER, password=PASSWORD)
    do_create_member(org, "agent@acme.example", Role.AGENT, password=PASSWORD)
    source = make_source(org, platform="mastodon")
    author = make_author(org, platform="mastodon", handle="@jdupont", display_name="Jean Dupont")
    mention = make_mention(
        org,
        source=source,
        author=author,
        kind="post",
        url=page_url,
        text="Cette entreprise est une bande d'escrocs.",
        created_at=timezone.now() - timedelta(days=3),
    )
    case = Case.objects.create(organisation=org, mention=mention)
    print(case.pk)


if __name__ == "__main__":
    main(sys.argv[1])
