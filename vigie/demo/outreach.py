"""The demo's review requests: each agency's Google page in the charter, a campaign switched on with
its legal basis, and an (invented) e-mail address for the customers of the open cases, so
resolving a case in the demo sends an invitation (to the mail folder, or the SMTP server set)."""

from __future__ import annotations

import re
import unicodedata
from datetime import time

from vigie.charter.actions import do_update_charter
from vigie.charter.document import OutreachPolicy, ReviewSite
from vigie.charter.queries import current_charter
from vigie.core.models import Location, Organisation
from vigie.core.tenancy import scoped
from vigie.demo.organisation import LOCATIONS, ORG_WEBSITE
from vigie.inbox.models import Case, CaseStatus
from vigie.outreach.actions import do_add_contacts, do_update_campaign
from vigie.outreach.models import LegalBasis

# Customers whose address the demo invents: those of the open cases (resolving one invites them).
MAX_CONTACTS = 2000


def _address(name: str, author_id: int) -> str:
    plain = unicodedata.normalize("NFKD", name.lower())
    local = re.sub(r"[^a-z0-9]+", ".", "".join(c for c in plain if not unicodedata.combining(c))).strip(".")
    return f"{local or 'client'}.{author_id}@example.com"


def do_configure_demo_outreach(organisation: Organisation) -> int:
    """Set up outreach on the demo organisation; returns how many customers got an address."""
    names = {loc.name for loc in scoped(Location, organisation)}
    sites = [
        ReviewSite(location=spec.name, platform="google_business", place_id=spec.gbp_place_id)
        for spec in LOCATIONS
        if spec.name in names
    ]
    domain = ORG_WEBSITE.removeprefix("https://www.")
    # Customers of no agency: Trustpilot; a list asking for Google gets the head agency's page.
    sites.append(ReviewSite(platform="trustpilot", domain=domain))
    sites.append(ReviewSite(platform="google_business", place_id=LOCATIONS[0].gbp_place_id))
    charter = current_charter(organisation)
    do_update_charter(
        organisation,
        charter.model_copy(update={"outreach": OutreachPolicy(review_sites=sites)}),
        comment="Plateformes d'avis par agence (démo)",
    )
    do_update_campaign(
        organisation,
        actor=None,
        enabled=True,
        after_resolved_case=True,
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        period_days=90,
        reminder_after_days=7,
        quiet_start=time(22, 0),
        quiet_end=time(7, 0),
    )
    open_cases = (
        scoped(Case, organisation)
        .exclude(status__in=[CaseStatus.RESOLVED, CaseStatus.NO_ANSWER])
        .filter(mention__author__isnull=False)
        .values_list("mention__author_id", "mention__author__display_name", "mention__location")
        .distinct()[:MAX_CONTACTS]
    )
    locations = {loc.pk: loc for loc in scoped(Location, organisation)}
    rows = [
        {
            "email": _address(name or "", author_id),
            "name": name or "",
            "author_id": author_id,
            "location": locations.get(location_id) if location_id else None,
        }
        for author_id, name, location_id in open_cases
    ]
    return do_add_contacts(
        organisation,
        rows,
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        note="Client ayant un dossier en cours (adresse inventée pour la démo)",
    )
