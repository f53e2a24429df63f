"""Jobs of the analysis app: the analyse step of the pipeline (``vigie.core.pipeline``)."""

from __future__ import annotations

from vigie.analysis.actions import do_analyze_mentions, do_discover_themes
from vigie.core import pipeline
from vigie.core.jobs import job
from vigie.core.models import Organisation
from vigie.mentions.models import Mention


@job(pipeline.job_name(pipeline.ANALYSE))
def analyze_mentions(mention_ids: list[int]) -> int:
    """Analyse these mentions (ingestion hands them on after each page), then hand them on to
    the route step. Idempotent; returns how many were analysed."""
    by_organisation: dict[int, list[int]] = {}
    for pk, organisation_id in Mention.objects.filter(pk__any_of=mention_ids).values_list(
        "pk", "organisation_id"
    ):
        by_organisation.setdefault(organisation_id, []).append(pk)
    done = 0
    for organisation in Organisation.objects.filter(pk__in=by_organisation):
        done += do_analyze_mentions(organisation, by_organisation[organisation.pk])
        # Analysed mentions become cases through the organisation's comment-handling scheme.
        pipeline.hand_on(pipeline.ANALYSE, by_organisation[organisation.pk])
    return done


DISCOVER_THEMES = "analysis.discover_themes"


@job(DISCOVER_THEMES, max_attempts=1)
def discover_themes(organisation_id: int) -> int:
    """Look for recurring subjects among the organisation's mentions that fit no theme (asked from
    the analysis settings page); returns how many candidates were found."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    return len(do_discover_themes(organisation)[1])
