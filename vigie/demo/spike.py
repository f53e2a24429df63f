"""An injected spike of negative mentions, to see the alert engine fire on the demo.

The mentions go through ingestion like any fetched page (upsert, then the analysis pipeline), so
the alert that follows is raised by the real detection job, not written by hand.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from vigie.connectors.contract import AuthorIn, MentionIn
from vigie.connectors.models import Source
from vigie.core.models import Organisation
from vigie.core.tenancy import scoped
from vigie.mentions.actions import upsert_mentions

SPIKE_TEXTS = (
    "Panne générale depuis ce matin, impossible de joindre le service client. Inadmissible !",
    "Toujours aucune réponse, personne au téléphone, c'est une honte.",
    "Mon espace client est bloqué et le service client ne répond pas. Très déçu.",
    "Scandaleux : plus d'accès à mon contrat depuis des heures et aucune information.",
    "Service client injoignable, attente interminable, je vais résilier.",
    "Encore une panne ! Zéro communication, zéro excuse. Lamentable.",
)


class NoSourceError(LookupError):
    """The organisation has no source to attach the injected mentions to."""


def do_inject_spike(
    organisation: Organisation,
    *,
    count: int = 40,
    minutes: int = 15,
    now: datetime | None = None,
    seed: int = 0,
) -> list[int]:
    """Ingest ``count`` negative reviews spread over the last ``minutes``; returns their ids."""
    now = now or timezone.now()
    source = scoped(Source, organisation).filter(removed_at__isnull=True).order_by("pk").first()
    if source is None:
        raise NoSourceError(organisation.slug)
    rng = random.Random(seed or int(now.timestamp()))
    stamp = int(now.timestamp())
    items = [
        MentionIn(
            external_id=f"spike-{stamp}-{i}",
            kind="review",
            created_at=now - timedelta(seconds=rng.uniform(0, minutes * 60)),
            text=SPIKE_TEXTS[i % len(SPIKE_TEXTS)],
            rating=Decimal(1),
            author=AuthorIn(
                external_id=f"spike-author-{stamp}-{i}", display_name=f"Client mécontent {i + 1}"
            ),
        )
        for i in range(count)
    ]
    counts = upsert_mentions(source, items)
    return sorted(counts.changed_ids)
