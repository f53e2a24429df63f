"""Jobs of the analysis app."""

from __future__ import annotations

from vigie.analysis.actions import do_analyze_mentions
from vigie.core.jobs import job
from vigie.core.models import Organisation
from vigie.inbox.routing.engine import do_route_mentions
from vigie.mentions.models import Mention


@job("analysis.analyze_mentions")
def analyze_mentions(mention_ids: list[int]) -> int:
    """Analyse these mentions (ingestion enqueues it after each page). Idempotent; returns how many."""
    by_organisation: dict[int, list[int]] = {}
    for pk, organisation_id in Mention.objects.filter(pk__in=mention_ids).values_list(
        "pk", "organisation_id"
    ):
        by_organisation.setdefault(organisation_id, []).append(pk)
    done = 0
    for organisation in Organisation.objects.filter(pk__in=by_organisation):
        done += do_analyze_mentions(organisation, by_organisation[organisation.pk])
        # Analysed mentions become cases through the organisation's comment-handling scheme.
        do_route_mentions(organisation, by_organisation[organisation.pk])
    return done
