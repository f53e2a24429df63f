"""Seed a fresh data directory for the main-journey browser test (run in its own process).

python -m vigie.inbox.tests.journey_setup PLATFORM_URL

An organisation with an agent and a supervisor, a Google Business source pointed at the local
fake platform, a 1-star review (the top case), a lower-priority case, and a pre-approved template.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta

PASSWORD = "journey-password-1234"
GOOGLE_REVIEW = "accounts/1122334455/locations/9988776655/reviews/AbFvOqk"
TEMPLATE_BODY = (
    "Bonjour {{customer_name}}, merci pour votre retour et toutes nos excuses pour l'attente. "
    "Nous allons revoir l'organisation de l'accueil. Contactez-nous en message privé pour en parler."
)


def main(platform_url: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from vigie.connectors.actions import do_create_source
    from vigie.core.actions import do_create_member, do_create_organisation
    from vigie.core.periods import organisation_today, period_between
    from vigie.core.roles import Role
    from vigie.inbox.models import Case, Template
    from vigie.mentions.models import Author, Mention

    call_command("migrate", interactive=False, verbosity=0)
    org = do_create_organisation("acme", "Acme")
    do_create_member(org, "agent@acme.example", Role.AGENT, password=PASSWORD, first_name="Alice")
    do_create_member(org, "chef@acme.example", Role.MANAGER, password=PASSWORD, first_name="Bruno")
    source = do_create_source(
        org,
        platform="google_business",
        name="Google",
        config={
            "base_url": platform_url,
            "token_url": f"{platform_url}/token",
            "account_id": "1122334455",
            "location_ids": ["9988776655"],
            "client_id": "123-abc.apps.googleusercontent.com",
            "client_secret": "s3cret",
            "refresh_token": "1//refresh",
        },
        poll_interval_seconds=86400,
    )
    now = timezone.now()
    # Both reviews are from today where the organisation is: the journey checks that an answer moves
    # the response rate at once, which holds for today (read from the rows); a past day is read from
    # the daily rollup, up to 5 minutes behind (docs/insights.md). Just after midnight, "two hours
    # ago" would be yesterday.
    since_midnight = now - period_between(org, organisation_today(org), organisation_today(org)).start
    two_hours_ago = now - min(timedelta(hours=2), since_midnight)
    three_hours_ago = now - min(timedelta(hours=3), since_midnight)
    author = Author.objects.create(
        organisation=org, platform="google_business", external_id="g-1", display_name="Camille Durand"
    )
    top = Mention.objects.create(
        organisation=org,
        source=source,
        author=author,
        external_id=GOOGLE_REVIEW,
        kind="review",
        text="Une heure d'attente à l'accueil, personne pour nous renseigner.",
        rating=1,
        raw={"name": GOOGLE_REVIEW},
        created_at=two_hours_ago,
        language="fr",
        sentiment="negative",
        mention_type="complaint",
    )
    other = Mention.objects.create(
        organisation=org,
        source=source,
        external_id="accounts/1122334455/locations/9988776655/reviews/Other",
        kind="review",
        text="Correct, sans plus.",
        rating=3,
        created_at=three_hours_ago,
        language="fr",
    )
    template = Template.objects.create(
        organisation=org, name="Excuses attente", category="apology", body=TEMPLATE_BODY, pre_approved=True
    )
    Case.objects.create(
        organisation=org,
        mention=top,
        priority=3,
        sla_due_at=now + timedelta(hours=20),
        suggested_template_ids=[template.pk],
    )
    Case.objects.create(organisation=org, mention=other, priority=1, sla_due_at=now + timedelta(hours=22))


if __name__ == "__main__":
    main(sys.argv[1])
