"""Prepare a data directory loaded with the demo for the outreach browser test (run in its own process).

vigie demo --no-serve --size 300 && python -m vigie.outreach.tests.demo_setup

On a small demo (its outreach set up by ``vigie.demo.outreach``; the session's copy of it, see
``DataDirs``), lifts the quiet hours so the test runs at any hour, and prints the id of an open
case of an agency whose customer has an address. Which demo cases are still open depends on the
hour the demo is loaded at, so that case comes in afterwards: a Google review of an agency,
ingested and routed, whose customer's address is then recorded as the demo records those of its
open cases.
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
    from vigie.demo.tests.fresh_cases import do_ingest_fresh_cases
    from vigie.inbox.models import Case, CaseStatus
    from vigie.outreach.actions import do_add_contacts, do_update_campaign
    from vigie.outreach.models import LegalBasis

    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    do_update_campaign(organisation, actor=None, quiet_start=time(0, 0), quiet_end=time(0, 0))
    case_id = do_ingest_fresh_cases(organisation, ["google_complaint"])["google_complaint"]
    case = Case.objects.select_related("mention__author", "mention__location").get(pk=case_id)
    assert case.status not in (CaseStatus.RESOLVED, CaseStatus.NO_ANSWER), "routing opened the case"
    assert case.mention.author is not None, "a customer known on the platform"
    assert case.mention.location is not None, "a customer of an agency"
    email = f"camille.martin.{case.mention.author.pk}@example.com"
    do_add_contacts(
        organisation,
        [
            {
                "email": email,
                "name": case.mention.author.display_name,
                "author_id": case.mention.author.pk,
                "location": case.mention.location,
            }
        ],
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        note="Client ayant un dossier en cours (adresse inventée pour la démo)",
    )
    print(json.dumps({"case": case.pk, "email": email}))


if __name__ == "__main__":
    main()
