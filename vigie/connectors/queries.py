"""Reads of the connectors domain."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from vigie.connectors.models import Source, SourceState
from vigie.core.metrics import Sample
from vigie.core.models import Organisation
from vigie.core.tenancy import scoped


def sources_overview(organisation: Organisation) -> QuerySet[Source]:
    """The organisation's live sources with their location and how many mentions each brought in."""
    return (
        scoped(Source, organisation)
        .filter(removed_at__isnull=True)
        .select_related("location")
        .annotate(mention_count=Count("mentions"))
        .order_by("name")
    )


def live_sources(organisation: Organisation) -> QuerySet[Source]:
    """The organisation's sources that were not removed."""
    return scoped(Source, organisation).filter(removed_at__isnull=True).order_by("name")


def source_by_name(organisation: Organisation, name: str) -> Source | None:
    """The live source called ``name`` in ``organisation``, if any."""
    return live_sources(organisation).filter(name=name).first()


def due_source_ids(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Sources whose next poll has come, not paused, not waiting for new credentials."""
    now = now or timezone.now()
    return list(
        Source.objects.filter(removed_at__isnull=True, next_poll_at__lte=now)
        .exclude(state__in=[SourceState.PAUSED, SourceState.NEEDS_REAUTH])
        .filter(Q(rate_limited_until__isnull=True) | Q(rate_limited_until__lte=now))
        .order_by("next_poll_at")
        .values_list("pk", flat=True)[:limit]
    )


def webhook_source(source_id: int) -> Source | None:
    """The live source ``source_id`` for an incoming webhook (the signature, not a session,
    says who may write to it)."""
    return (
        Source.objects.filter(pk=source_id, removed_at__isnull=True)
        .select_related("organisation", "location")
        .first()
    )


def metric_samples() -> list[Sample]:
    """``/metrics``: sources by platform and state, and those whose last poll failed."""
    samples: list[Sample] = []
    rows = (
        Source.objects.filter(removed_at__isnull=True)
        .values("platform", "state")
        .annotate(count=Count("id"), failing=Count("id", filter=~Q(last_error="")))
        .order_by("platform", "state")
    )
    for row in rows:
        labels = {"platform": row["platform"], "state": row["state"]}
        samples.append(Sample("vigie_sources", "Sources, by platform and state.", row["count"], labels))
        samples.append(
            Sample(
                "vigie_sources_with_error",
                "Sources whose last poll or delivery ended with an error, by platform and state.",
                row["failing"],
                labels,
            )
        )
    return samples
