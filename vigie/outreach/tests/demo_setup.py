"""Prepare a data directory loaded with the demo for the outreach browser test (run in its own process).

vigie demo --no-serve --size 300 && python -m vigie.outreach.tests.demo_setup

On a small demo (its outreach set up by ``vigie.demo.outreach``; the session's copy of it, see
``DataDirs``), lifts the quiet hours so the test runs at any hour, and prints the id of an open
case of an agency whose customer has an address.
"""

from __future__ import annotations

import json
import os
from datetime import time

SIZE = 300  # the size of the demo this script expects


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    django.setup()
    from vigie.core.models import Organisation
    from vigie.demo import DEMO_SLUG
    from vigie.inbox.models import Case, CaseStatus
    from vigie.outreach.actions import do_update_campaign
    from vigie.outreach.models import Contact

    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    do_update_campaign(organisation, actor=None, quiet_start=time(0, 0), quiet_end=time(0, 0))
    authors = Contact.objects.filter(organisation=organisation).values_list("author_id", flat=True)
    case = (
        Case.objects.filter(
            organisation=organisation, mention__author_id__in=list(authors), mention__location__isnull=False
        )
        .exclude(status__in=[CaseStatus.RESOLVED, CaseStatus.NO_ANSWER])
        .select_related("mention__author")
        .order_by("pk")
        .first()
    )
    assert case is not None, "the demo has an open case whose customer has an address"
    email = Contact.objects.get(organisation=organisation, author_id=case.mention.author_id).email
    print(json.dumps({"case": case.pk, "email": email}))


if __name__ == "__main__":
    main()
