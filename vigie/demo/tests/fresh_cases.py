"""Cases a test needs, made on a loaded demo through ingestion, analysis and routing.

The demo's cases are lived forward in work time up to the moment it is loaded: which ones are
still open, and even which mentions exist on each platform, depend on the hour and the weekday of
the run. A test that needs an open case of some kind therefore makes it here, as a live customer
would, instead of hoping the demo still has one: the mention is ingested on one of the demo's
sources (``upsert_mentions``, like a fetched page), then analysed and routed by the pipeline,
which opens its case exactly as it would for a real one.

In-process: ``do_ingest_fresh_cases(organisation, ["feed_complaint", ...])``. As a step of
``DataDirs.prepare`` (its own process): ``FRESH_CASES_STEP`` (every kind), which prints the case
ids as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vigie.core.models import Organisation


@dataclass(frozen=True)
class Fresh:
    """A mention to ingest on the demo's first source of ``platform``."""

    platform: str
    kind: str
    text: str
    author: str
    # Where the item is read on the platform (a feed item has no reply API: the agent opens it).
    url: str


# A complaint's file number (40417…) appears nowhere in the demo: a test finds its case by
# searching the inbox for it. Trolls insult without accusing anyone (an accusation is a legal risk,
# routed to the legal team): routing closes them as needing no answer, like the demo's.
FRESH: dict[str, Fresh] = {
    # A press or forum feed: no reply API, so the answer is posted by hand.
    "feed_complaint": Fresh(
        "feed",
        "article",
        "Remboursement bloqué depuis trois semaines chez Mutuelle Horizon (dossier 40417), personne ne "
        "répond. Inadmissible.",
        "Agnès Dumont",
        "https://forum.conso-entraide.example/t/mutuelle-horizon/40417",
    ),
    "bluesky_troll": Fresh(
        "bluesky",
        "post",
        "Bande de bouffons incompétents, vous êtes des idiots, ta gueule 🤡",
        "troll.bsky",
        "https://bsky.app/profile/troll.bsky/post/3fresh",
    ),
    "x_troll": Fresh(
        "x",
        "post",
        "Bande de bouffons incompétents, vous êtes des idiots, ta gueule 🤡",
        "troll_x",
        "https://x.com/troll_x/status/1900000000000000001",
    ),
    # Customers on social platforms, waiting for an answer (and able to write privately).
    "facebook_complaint": Fresh(
        "facebook",
        "comment",
        "Toujours pas de remboursement pour mes lunettes (dossier 40419), personne ne répond. Très déçue.",
        "Léa Bernard",
        "https://www.facebook.com/mutuellehorizon/posts/40419",
    ),
    "x_complaint": Fresh(
        "x",
        "post",
        "@MutuelleHorizon toujours pas de remboursement (dossier 40420), personne ne répond. Très déçu.",
        "hugo_martin",
        "https://x.com/hugo_martin/status/1900000000000000002",
    ),
    "mastodon_question": Fresh(
        "mastodon",
        "post",
        "@mutuellehorizon bonjour, comment obtenir mon attestation de tiers payant ? (dossier 40421)",
        "nina@mastodon.social",
        "https://mastodon.social/@nina/40421",
    ),
    # An agency's customer on Google: a review that needs an answer.
    "google_complaint": Fresh(
        "google_business",
        "review",
        "Remboursement bloqué depuis trois semaines (dossier 40418), personne ne répond. Très déçu.",
        "Camille Martin",
        "https://maps.google.com/?cid=40418",
    ),
}


def do_ingest_fresh_cases(
    organisation: Organisation, kinds: Sequence[str], *, now: datetime | None = None
) -> dict[str, int]:
    """Ingest one mention of each of ``kinds`` (keys of ``FRESH``), analyse and route them; return
    each kind's case id. Dated ``now`` (after the whole demo), their cases come first in the
    newest-first "Tous" view."""
    from decimal import Decimal

    from django.utils import timezone

    from vigie.connectors.contract import AuthorIn, MentionIn
    from vigie.connectors.models import Source
    from vigie.core import pipeline
    from vigie.core.tenancy import scoped
    from vigie.inbox.models import Case
    from vigie.mentions.actions import upsert_mentions

    now = now or timezone.now()
    # Numeric ids, as X and Meta give (the X connector writes privately only to a numeric user id);
    # unique to the microsecond, so a second call adds new mentions.
    stamp = int(now.timestamp() * 1_000_000)
    ids: dict[str, int] = {}
    for index, key in enumerate(kinds):
        fresh = FRESH[key]
        source = (
            scoped(Source, organisation)
            .filter(platform=fresh.platform, removed_at__isnull=True)
            .order_by("pk")
            .first()
        )
        assert source is not None, f"the demo has a {fresh.platform} source"
        item = MentionIn(
            external_id=f"9{stamp}{index:02d}",
            kind=fresh.kind,
            created_at=now - timedelta(seconds=index),
            text=fresh.text,
            url=fresh.url,
            rating=Decimal(1) if fresh.kind == "review" else None,
            language="fr",
            author=AuthorIn(
                external_id=f"8{stamp}{index:02d}", handle=fresh.author, display_name=fresh.author
            ),
        )
        [mention_id] = upsert_mentions(source, [item]).changed_ids
        # Analysis, then routing, as ingestion would have queued them.
        pipeline.run_now(pipeline.ANALYSE, [mention_id])
        ids[key] = Case.objects.get(mention_id=mention_id).pk
    return ids


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    django.setup()
    from vigie.core.models import Organisation
    from vigie.demo import DEMO_SLUG

    kinds = sys.argv[1:] or list(FRESH)
    print(json.dumps(do_ingest_fresh_cases(Organisation.objects.get(slug=DEMO_SLUG), kinds)))


# A step of ``DataDirs.prepare``, after the demo's: every fresh case, their ids printed as JSON.
FRESH_CASES_STEP = ("-m", "vigie.demo.tests.fresh_cases")


if __name__ == "__main__":
    main()
