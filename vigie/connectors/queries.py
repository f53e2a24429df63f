"""Reads of the connectors domain."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from vigie.connectors.models import Source
from vigie.core.models import Organisation
from vigie.core.tenancy import scoped


def sources_overview(organisation: Organisation) -> QuerySet[Source]:
    """The organisation's sources with their location and how many mentions each brought in."""
    return (
        scoped(Source, organisation)
        .select_related("location")
        .annotate(mention_count=Count("mentions"))
        .order_by("name")
    )
