"""Reads of the connectors domain."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.connectors.contract import Capability, Connector, PlaceIn
from vigie.connectors.models import Source, SourcePlace, SourceState
from vigie.core.metrics import Sample
from vigie.core.models import Location, Organisation
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


def source_health(source: Source, connector: type[Connector[Any]] | None) -> tuple[str, str]:
    """``(key, words)`` of the state the Sources page shows for ``source``.

    A source is "working" only once something came in: until then it says it has not been read
    yet, or that its connection test failed (it read "Opérationnelle" until its first poll,
    whatever the test had said)."""
    if source.state == SourceState.FAILING and source.consecutive_failures == 0 and source.last_error_at:
        # Failing with no fetch failure: only the connection test failed (do_record_connection_test).
        return "test_failed", _("Échec du test de connexion")
    if source.state == SourceState.OK and source.last_success_at is None and connector is not None:
        if Capability.FETCH in connector.capabilities:
            return "not_fetched", _("Pas encore relevée")
        if Capability.WEBHOOK in connector.capabilities:
            return "not_fetched", _("Rien reçu pour l'instant")
        return "not_fetched", _("Aucun import pour l'instant")
    return str(source.state), str(source.get_state_display())


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


# --- places of a multi-location source -----------------------------------------------------------

_ABBREVIATIONS = {
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "boul": "boulevard",
    "pl": "place",
    "fg": "faubourg",
    "fbg": "faubourg",
    "st": "saint",
    "ste": "sainte",
    "chem": "chemin",
    "rte": "route",
    "imp": "impasse",
}


def normalised_address(address: str) -> str:
    """``address`` compared loosely: no accents, case or punctuation, usual French abbreviations
    written out ("12, Av. de l'Opéra" and "12 avenue de l opera" are the same)."""
    decomposed = unicodedata.normalize("NFKD", address)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def normalised_postcode(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode).upper()


def match_location(place: PlaceIn, locations: Iterable[Location]) -> Location | None:
    """The organisation's location that ``place`` is: same store code, else same address and
    postcode (compared loosely); None when nothing matches."""
    candidates = list(locations)
    code = place.store_code.strip().lower()
    if code:
        for location in candidates:
            if location.store_code.strip().lower() == code:
                return location
    address, postcode = normalised_address(place.address), normalised_postcode(place.postcode)
    if address and postcode:
        for location in candidates:
            if (
                normalised_postcode(location.postcode) == postcode
                and normalised_address(location.address) == address
            ):
                return location
    return None


@dataclass(frozen=True)
class PlaceRow:
    """A discovered place with the Vigie location it is (or would be) filed under."""

    place: PlaceIn
    location: Location | None
    mapped: bool  # True: the source's mapping; False: what the first review would be matched to


def place_rows(source: Source, places: Iterable[PlaceIn]) -> list[PlaceRow]:
    """``places`` with the Vigie location each is mapped to (stored mapping first, else the match
    store code / address would make; None: a new location will be created on first sight)."""
    wanted = list(places)
    stored = {
        row.external_id: row
        for row in SourcePlace.objects.filter(
            source=source, external_id__in=[p.external_id for p in wanted]
        ).select_related("location")
    }
    locations = list(scoped(Location, source.organisation))
    rows = []
    for place in wanted:
        mapping = stored.get(place.external_id)
        if mapping is not None and mapping.location is not None:
            rows.append(PlaceRow(place, mapping.location, True))
        else:
            rows.append(PlaceRow(place, match_location(place, locations), False))
    return rows
